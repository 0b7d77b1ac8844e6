// The story timeline: which stage is on, where the anatomy is between its
// states, where the instruments and the camera are. Times in seconds (t_s).
// Mirrors viz/scenes/timeline.py (frame_at), which the movie export uses.

function clamp01(x) { return x < 0 ? 0 : x > 1 ? 1 : x; }
function easeInOut(u) { u = clamp01(u); return u * u * (3 - 2 * u); }
function lerp(a, b, u) { return a + (b - a) * u; }
function lerp3(a, b, u) { return [lerp(a[0], b[0], u), lerp(a[1], b[1], u), lerp(a[2], b[2], u)]; }
function norm3(v) { const n = Math.hypot(v[0], v[1], v[2]) || 1; return [v[0] / n, v[1] / n, v[2] / n]; }

function stageIndexAt(story, t_s) {
  const stages = story.stages;
  for (let i = 0; i < stages.length; i++) {
    if (t_s < stages[i].start_s + stages[i].duration_s) return i;
  }
  return stages.length - 1;
}

// Morph and removal at a local fraction u of a stage (both eased).
function anatomyAt(stage, u) {
  const e = easeInOut(u);
  const morph = stage.morph || ["healthy", "healthy"];
  const removal = stage.removal || [0, 0];
  return { from: morph[0], to: morph[1], u: e, removal: lerp(removal[0], removal[1], u) };
}

function cameraFromKey(key, views) {
  if (key.view && views[key.view]) return views[key.view];
  return key;
}

function cameraAt(stage, local_s, views) {
  const keys = stage.camera || [];
  if (!keys.length) return null;
  let i = 0;
  while (i + 1 < keys.length && keys[i + 1].t_s <= local_s) i++;
  const a = cameraFromKey(keys[i], views);
  if (i + 1 >= keys.length || local_s <= keys[i].t_s) return a;
  const b = cameraFromKey(keys[i + 1], views);
  const u = easeInOut((local_s - keys[i].t_s) / Math.max(1e-6, keys[i + 1].t_s - keys[i].t_s));
  return {
    position_mm: lerp3(a.position_mm, b.position_mm, u),
    focal_point_mm: lerp3(a.focal_point_mm, b.focal_point_mm, u),
    view_up: norm3(lerp3(a.view_up, b.view_up, u)),
  };
}

function instrumentPoseAt(track, local_s) {
  const keys = track.keys || [];
  if (!keys.length) return null;
  let i = 0;
  while (i + 1 < keys.length && keys[i + 1].t_s <= local_s) i++;
  const a = keys[i];
  if (i + 1 >= keys.length || local_s <= a.t_s) {
    return { position_mm: a.position_mm, direction: norm3(a.direction), visible: a.visible !== false };
  }
  const b = keys[i + 1];
  const u = easeInOut((local_s - a.t_s) / Math.max(1e-6, b.t_s - a.t_s));
  return {
    position_mm: lerp3(a.position_mm, b.position_mm, u),
    direction: norm3(lerp3(a.direction, b.direction, u)),
    visible: a.visible !== false,
  };
}

// Linear interpolation of the metric samples along the whole timeline.
function metricsAt(samples, t_s) {
  if (!samples || !samples.length) return null;
  let i = 0;
  while (i + 1 < samples.length && samples[i + 1].t_s <= t_s) i++;
  const a = samples[i];
  const b = samples[Math.min(i + 1, samples.length - 1)];
  if (a === b || t_s <= a.t_s) return a.levels;
  const u = clamp01((t_s - a.t_s) / Math.max(1e-6, b.t_s - a.t_s));
  const mix = (x, y) => {
    if (typeof x === "number" && typeof y === "number") return lerp(x, y, u);
    if (x && typeof x === "object") {
      const out = {};
      for (const k of Object.keys(x)) out[k] = mix(x[k], y ? y[k] : undefined);
      return out;
    }
    return u < 0.5 || y === undefined ? x : y;
  };
  return mix(a.levels, b.levels);
}
