// Small vector helpers for 3-vectors given as [x, y, z] arrays (millimetres or unit
// directions in the LPS+ frame: +x patient's left, +y posterior, +z superior).

export const clamp01 = (x) => (x < 0 ? 0 : x > 1 ? 1 : x);
export const lerp = (a, b, u) => a + (b - a) * u;
export const lerp3 = (a, b, u) => [lerp(a[0], b[0], u), lerp(a[1], b[1], u), lerp(a[2], b[2], u)];
export const sub3 = (a, b) => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
export const add3 = (a, b) => [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
export const scale3 = (a, s) => [a[0] * s, a[1] * s, a[2] * s];
export const dot3 = (a, b) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
export const cross3 = (a, b) => [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
export const length3 = (a) => Math.hypot(a[0], a[1], a[2]);

export function norm3(v) {
  const n = length3(v) || 1;
  return [v[0] / n, v[1] / n, v[2] / n];
}

/** Smoothstep 3u² − 2u³ of u clamped to 0..1 (the story's easing everywhere). */
export function easeInOut(u) {
  const x = clamp01(u);
  return x * x * (3 - 2 * x);
}

/** Spherical interpolation of unit vectors; a normalised lerp when they are (anti)parallel. */
export function slerp3(a, b, u) {
  const c = Math.max(-1, Math.min(1, dot3(a, b)));
  const angle = Math.acos(c);
  if (angle < 1e-6 || Math.PI - angle < 1e-3) {
    const mixed = lerp3(a, b, u);
    return length3(mixed) > 1e-9 ? norm3(mixed) : a;
  }
  const s = Math.sin(angle);
  const wa = Math.sin((1 - u) * angle) / s;
  const wb = Math.sin(u * angle) / s;
  return [wa * a[0] + wb * b[0], wa * a[1] + wb * b[1], wa * a[2] + wb * b[2]];
}

/** v rotated about axis by angle (radians), Rodrigues' formula. */
export function rotateAbout(v, axis, angle) {
  const k = norm3(axis);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const kv = cross3(k, v);
  const kd = dot3(k, v);
  return [0, 1, 2].map((i) => v[i] * c + kv[i] * s + k[i] * kd * (1 - c));
}
