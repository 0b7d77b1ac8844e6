// The story timeline: the JS twin of viz/scenes/timeline.py (frame_at), which the
// movie, PNG and glTF exports use — keep the two in step. Times in seconds (t_s),
// positions in millimetres, LPS+.
//
// - stage: the one whose [start_s, start_s + duration_s) holds t_s; u = local / duration;
// - anatomy: linear blend of the two morph states by u; removal progress lerped by u;
// - opacity: part.opacity × stage.opacity[group] if the group is shown and the part
//   not hidden (else 0), faded in from the previous stage's value over FADE_S (smoothstep);
// - camera: the keys of all stages form one track in absolute time, eased, orbiting (slerp);
// - instruments: stage-local keys, eased tip, normalised-lerped direction.

const FADE_S = 1.0;

function clamp01(x) { return x < 0 ? 0 : x > 1 ? 1 : x; }
function easeInOut(u) { u = clamp01(u); return u * u * (3 - 2 * u); }
function lerp(a, b, u) { return a + (b - a) * u; }
function lerp3(a, b, u) { return [lerp(a[0], b[0], u), lerp(a[1], b[1], u), lerp(a[2], b[2], u)]; }
function norm3(v) { const n = Math.hypot(v[0], v[1], v[2]) || 1; return [v[0] / n, v[1] / n, v[2] / n]; }

function slerp3(a, b, u) {
  const c = Math.max(-1, Math.min(1, a[0] * b[0] + a[1] * b[1] + a[2] * b[2]));
  const angle = Math.acos(c);
  if (angle < 1e-6) return norm3(lerp3(a, b, u));
  const s = Math.sin(angle);
  const wa = Math.sin((1 - u) * angle) / s, wb = Math.sin(u * angle) / s;
  return norm3([wa * a[0] + wb * b[0], wa * a[1] + wb * b[1], wa * a[2] + wb * b[2]]);
}

function stageIndexAt(story, t_s) {
  const stages = story.stages;
  for (let i = 0; i < stages.length; i++) {
    if (t_s < stages[i].start_s + stages[i].duration_s) return i;
  }
  return stages.length - 1;
}

function anatomyAt(stage, u) {
  u = clamp01(u);
  const morph = stage.morph || ["healthy", "healthy"];
  const removal = stage.removal || [0, 0];
  return { from: morph[0], to: morph[1], u, removal: lerp(removal[0], removal[1], u) };
}

function stageOpacity(stage, item) {
  if (!(stage.show_groups || []).includes(item.group) || (stage.hide_parts || []).includes(item.name)) return 0;
  const o = (stage.opacity || {})[item.group];
  return item.opacity * (o == null ? 1 : o);
}

function opacityAt(story, index, local_s, item) {
  const stage = story.stages[index];
  const now = stageOpacity(stage, item);
  if (index === 0) return now;
  const fade = easeInOut(local_s / FADE_S);
  return (1 - fade) * stageOpacity(story.stages[index - 1], item) + fade * now;
}

function cameraOf(key, views) {
  const src = key.view ? views[key.view] : key;
  return src ? { position_mm: src.position_mm, focal_point_mm: src.focal_point_mm, view_up: src.view_up, clip_plane: src.clip_plane || null } : null;
}

function interpolateCameras(a, b, u) {
  const offA = [0, 1, 2].map((k) => a.position_mm[k] - a.focal_point_mm[k]);
  const offB = [0, 1, 2].map((k) => b.position_mm[k] - b.focal_point_mm[k]);
  const dA = Math.hypot(...offA), dB = Math.hypot(...offB);
  const dir = slerp3(offA.map((x) => x / dA), offB.map((x) => x / dB), u);
  const focal = lerp3(a.focal_point_mm, b.focal_point_mm, u);
  const dist = lerp(dA, dB, u);
  let up = slerp3(norm3(a.view_up), norm3(b.view_up), u);
  const d = up[0] * dir[0] + up[1] * dir[1] + up[2] * dir[2];
  up = norm3([up[0] - d * dir[0], up[1] - d * dir[1], up[2] - d * dir[2]]);
  return { position_mm: [0, 1, 2].map((k) => focal[k] + dist * dir[k]), focal_point_mm: focal, view_up: up,
           clip_plane: u < 0.5 ? a.clip_plane : b.clip_plane };
}

function cameraTrack(story) {
  const keys = [];
  for (const s of story.stages) for (const k of s.camera || []) keys.push({ t_s: s.start_s + k.t_s, key: k });
  return keys;
}

function cameraAt(story, t_s) {
  const keys = story.cameraKeys;
  const views = story.meta.views || {};
  if (!keys.length) return null;
  if (t_s <= keys[0].t_s) return cameraOf(keys[0].key, views);
  for (let i = 0; i + 1 < keys.length; i++) {
    if (t_s < keys[i + 1].t_s) {
      const u = easeInOut((t_s - keys[i].t_s) / (keys[i + 1].t_s - keys[i].t_s));
      return interpolateCameras(cameraOf(keys[i].key, views), cameraOf(keys[i + 1].key, views), u);
    }
  }
  return cameraOf(keys[keys.length - 1].key, views);
}

function instrumentPoseAt(track, local_s) {
  const keys = track.keys || [];
  if (!keys.length) return null;
  const pose = (k, visible) => ({ position_mm: k.position_mm, direction: norm3(k.direction), visible });
  if (local_s <= keys[0].t_s) return pose(keys[0], keys[0].visible !== false && local_s >= keys[0].t_s);
  for (let i = 0; i + 1 < keys.length; i++) {
    const a = keys[i], b = keys[i + 1];
    if (local_s < b.t_s) {
      const u = easeInOut((local_s - a.t_s) / Math.max(1e-9, b.t_s - a.t_s));
      return { position_mm: lerp3(a.position_mm, b.position_mm, u), direction: norm3(lerp3(a.direction, b.direction, u)), visible: a.visible !== false };
    }
  }
  const last = keys[keys.length - 1];
  return pose(last, last.visible !== false);
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
