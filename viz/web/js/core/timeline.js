// The story timeline: the JavaScript twin of viz/scenes/timeline.py (frame_at), which
// the movie, PNG and glTF exports use. tests/web/test_timeline_twin.py compares the two
// at 200 times. Times in seconds (t_s), positions in millimetres, LPS+. The rules
// (docs/CONTRACTS.md §3a, "Playback rules"), with every constant from meta.playback:
// - stage: the one whose [start_s, start_s + duration_s) holds t_s; u = local / duration;
// - anatomy: blend of the two morph states by u; removal progress lerped by u;
// - opacity: part.opacity × stage.opacity[group] if the group is shown and the part not
//   hidden (else 0), faded from the previous stage's value over playback.fade_s (smoothstep);
// - camera: the keys of all stages form one track in absolute time, eased, orbiting;
// - instruments: stage-local keys, eased tip, normalised-lerped direction, the earlier
//   key's visibility; without a track in the stage an instrument is hidden.

import { clamp01, easeInOut, lerp, lerp3, norm3, slerp3, sub3, length3, dot3 } from "./vec3.js";

/** Index of the stage that holds t_s (the last one after the end). */
export function stageIndexAt(stages, t_s) {
  for (let i = 0; i < stages.length; i++) {
    if (t_s < stages[i].start_s + stages[i].duration_s) return i;
  }
  return stages.length - 1;
}

/** Anatomy at stage progress u: {from, to, u, removal}. */
export function anatomyAt(stage, u) {
  const x = clamp01(u);
  return { from: stage.morph[0], to: stage.morph[1], u: x, removal: lerp(stage.removal[0], stage.removal[1], x) };
}

/** The before/after comparison of a stage with `compare`: compare[0] untouched to compare[1] with the stage's removal. */
export function comparedAnatomy(stage, u) {
  const x = clamp01(u);
  return { from: stage.compare[0], to: stage.compare[1], u: x, removal: x * stage.removal[1] };
}

/** Weight of the "stenosis" state in an anatomy blend (how strongly pinched nerves glow). */
export function stenosisWeight(anatomy) {
  return (anatomy.from === "stenosis" ? 1 - anatomy.u : 0) + (anatomy.to === "stenosis" ? anatomy.u : 0);
}

export function stageOpacity(stage, item) {
  if (!stage.show_groups.includes(item.group) || stage.hide_parts.includes(item.name)) return 0;
  const factor = stage.opacity[item.group];
  return item.opacity * (factor == null ? 1 : factor);
}

/** A part's or body piece's opacity by the stage rule, faded in from the previous stage. */
export function opacityAt(story, index, local_s, item) {
  const now = stageOpacity(story.stages[index], item);
  if (index === 0) return now;
  const fade = easeInOut(local_s / story.playback.fade_s);
  return (1 - fade) * stageOpacity(story.stages[index - 1], item) + fade * now;
}

/** A camera key as a camera: a named view's, or the key's own position. */
export function cameraOf(key, views) {
  const source = key.view ? views[key.view] : key;
  return {
    position_mm: source.position_mm, focal_point_mm: source.focal_point_mm, view_up: source.view_up,
    clip_plane: source.clip_plane || null, view: key.view || null,
  };
}

/**
 * Blend two cameras for eased progress u: the focal point and the distance lerp, the
 * direction and the up vector slerp (the camera orbits), the clip plane is the nearer key's.
 */
export function interpolateCameras(a, b, u) {
  const offA = sub3(a.position_mm, a.focal_point_mm);
  const offB = sub3(b.position_mm, b.focal_point_mm);
  const dA = length3(offA);
  const dB = length3(offB);
  const dir = slerp3(norm3(offA), norm3(offB), u);
  const focal = lerp3(a.focal_point_mm, b.focal_point_mm, u);
  const dist = lerp(dA, dB, u);
  let up = slerp3(norm3(a.view_up), norm3(b.view_up), u);
  const d = dot3(up, dir);
  up = norm3([up[0] - d * dir[0], up[1] - d * dir[1], up[2] - d * dir[2]]);
  const near = u < 0.5 ? a : b;
  return {
    position_mm: [0, 1, 2].map((k) => focal[k] + dist * dir[k]), focal_point_mm: focal, view_up: up,
    clip_plane: near.clip_plane, view: near.view,
  };
}

/** Every stage's camera keys in absolute time. */
export function cameraTrack(stages) {
  const keys = [];
  for (const stage of stages) for (const key of stage.camera) keys.push({ t_s: stage.start_s + key.t_s, key });
  return keys;
}

/**
 * The story camera at t_s. `fit(camera)` may adjust each key's camera (framing for the
 * screen's aspect ratio) before the keys are blended; by default they are used as authored.
 */
export function cameraAt(story, t_s, fit = (camera) => camera) {
  const keys = story.cameraKeys;
  const at = (i) => fit(cameraOf(keys[i].key, story.views));
  if (t_s <= keys[0].t_s) return at(0);
  for (let i = 0; i + 1 < keys.length; i++) {
    if (t_s < keys[i + 1].t_s) {
      const u = easeInOut((t_s - keys[i].t_s) / (keys[i + 1].t_s - keys[i].t_s));
      return interpolateCameras(at(i), at(i + 1), u);
    }
  }
  return at(keys.length - 1);
}

/** An instrument's pose at a stage-local time: {position_mm, direction, visible}. */
export function instrumentPoseAt(keys, local_s) {
  const pose = (k, visible) => ({ position_mm: k.position_mm, direction: norm3(k.direction), visible });
  if (local_s <= keys[0].t_s) return pose(keys[0], keys[0].visible && local_s >= keys[0].t_s);
  for (let i = 0; i + 1 < keys.length; i++) {
    const a = keys[i];
    const b = keys[i + 1];
    if (local_s < b.t_s) {
      const u = easeInOut((local_s - a.t_s) / Math.max(1e-9, b.t_s - a.t_s));
      return { position_mm: lerp3(a.position_mm, b.position_mm, u), direction: norm3(lerp3(a.direction, b.direction, u)), visible: a.visible };
    }
  }
  const last = keys[keys.length - 1];
  return pose(last, last.visible);
}

/**
 * The whole scene's state at t_s, as viz.scenes.timeline.frame_at computes it:
 * {t_s, stageIndex, stageId, local_s, anatomy, glow, opacity{name}, poses{name}, camera}.
 * `options.fit` frames each camera key (see cameraAt); `options.cameraT_s` takes the camera
 * at another time (the stage end, for viewers who ask for reduced motion).
 */
export function frameAt(story, t_s, options = {}) {
  const t = Math.min(Math.max(t_s, 0), story.total_s);
  const index = stageIndexAt(story.stages, t);
  const stage = story.stages[index];
  const local = Math.min(t - stage.start_s, stage.duration_s);
  const anatomy = anatomyAt(stage, local / stage.duration_s);
  const tracks = new Map(stage.instruments.map((track) => [track.name, track.keys]));
  const opacity = {};
  const poses = {};
  for (const item of [...story.parts, ...story.instruments]) {
    const keys = tracks.get(item.name);
    const pose = keys ? instrumentPoseAt(keys, local) : null;
    poses[item.name] = pose;
    let value;
    if (item.kind === "anatomy" || item.group === "body") value = pose && !pose.visible ? 0 : opacityAt(story, index, local, item);
    else value = pose && pose.visible ? item.opacity : 0;
    opacity[item.name] = value;
  }
  return {
    t_s: t, stageIndex: index, stageId: stage.id, local_s: local, anatomy,
    glow: stenosisWeight(anatomy), opacity, poses, camera: cameraAt(story, options.cameraT_s ?? t_s, options.fit),
  };
}

/** Clinician metrics at t_s: the samples along the timeline, linearly interpolated. */
export function metricsAt(samples, t_s) {
  let i = 0;
  while (i + 1 < samples.length && samples[i + 1].t_s <= t_s) i++;
  const a = samples[i];
  const b = samples[Math.min(i + 1, samples.length - 1)];
  if (a === b || t_s <= a.t_s) return a.levels;
  const u = clamp01((t_s - a.t_s) / Math.max(1e-6, b.t_s - a.t_s));
  const mix = (x, y) => {
    if (typeof x === "number" && typeof y === "number") return lerp(x, y, u);
    if (x && typeof x === "object") return Object.fromEntries(Object.keys(x).map((k) => [k, mix(x[k], y ? y[k] : undefined)]));
    return u < 0.5 || y === undefined ? x : y;
  };
  return mix(a.levels, b.levels);
}
