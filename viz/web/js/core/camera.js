// Camera maths on plain cameras {position_mm, focal_point_mm, view_up} (LPS+ millimetres):
// projection to canvas pixels, picking rays, orbit/zoom/pan, and framing a subject at any
// aspect ratio. `angleDeg` is the vertical view angle (meta.playback.view_angle_deg).

import { add3, cross3, dot3, length3, norm3, rotateAbout, scale3, sub3 } from "./vec3.js";

const tanHalf = (angleDeg) => Math.tan((angleDeg * Math.PI) / 360);

/** Orthonormal camera frame: forward (toward the focal point), right, up, distance. */
export function basis(camera) {
  const forward = norm3(sub3(camera.focal_point_mm, camera.position_mm));
  const right = norm3(cross3(forward, camera.view_up));
  const up = cross3(right, forward);
  return { ...camera, forward, right, up, distance: length3(sub3(camera.focal_point_mm, camera.position_mm)) };
}

/** A point (mm) in canvas pixels [w, h] from the top left, with its depth; null behind the eye. */
export function project(camera, point, size, angleDeg) {
  const b = basis(camera);
  const [w, h] = size;
  const d = sub3(point, b.position_mm);
  const z = dot3(d, b.forward);
  if (z <= 1e-6) return null;
  const t = tanHalf(angleDeg);
  const x = dot3(d, b.right) / (z * t * (w / h));
  const y = dot3(d, b.up) / (z * t);
  return { x: (x + 1) * 0.5 * w, y: (1 - y) * 0.5 * h, depth: z };
}

/** The ray from the eye through canvas pixel (px, py): {origin, direction}. */
export function ray(camera, px, py, size, angleDeg) {
  const b = basis(camera);
  const [w, h] = size;
  const t = tanHalf(angleDeg);
  const nx = ((2 * px) / w - 1) * t * (w / h);
  const ny = (1 - (2 * py) / h) * t;
  return { origin: b.position_mm, direction: norm3(add3(b.forward, add3(scale3(b.right, nx), scale3(b.up, ny)))) };
}

/** Turn around the focal point by a drag of (dx, dy) pixels on a canvas `height` pixels tall. */
export function orbit(camera, dx, dy, height) {
  const b = basis(camera);
  const angleX = (-dx / height) * Math.PI * 1.2;
  const angleY = (-dy / height) * Math.PI * 1.2;
  let offset = rotateAbout(sub3(b.position_mm, b.focal_point_mm), b.up, angleX);
  const right = norm3(cross3(norm3(scale3(offset, -1)), b.up));
  offset = rotateAbout(offset, right, angleY);
  return { position_mm: add3(b.focal_point_mm, offset), focal_point_mm: b.focal_point_mm, view_up: rotateAbout(b.up, right, angleY) };
}

export const ZOOM_LIMITS_MM = [25, 2000];

/** Move toward the focal point by `factor` (> 1 closer), within ZOOM_LIMITS_MM. */
export function zoom(camera, factor) {
  const b = basis(camera);
  const distance = Math.min(ZOOM_LIMITS_MM[1], Math.max(ZOOM_LIMITS_MM[0], b.distance / factor));
  return { position_mm: sub3(b.focal_point_mm, scale3(b.forward, distance)), focal_point_mm: b.focal_point_mm, view_up: b.up };
}

/** Slide the camera so the scene follows a drag of (dx, dy) pixels. */
export function pan(camera, dx, dy, height, angleDeg) {
  const b = basis(camera);
  const mmPerPx = (2 * b.distance * tanHalf(angleDeg)) / height;
  const shift = add3(scale3(b.right, -dx * mmPerPx), scale3(b.up, dy * mmPerPx));
  return { position_mm: add3(b.position_mm, shift), focal_point_mm: add3(b.focal_point_mm, shift), view_up: b.up };
}

/**
 * The distance from the focal point at which every point (flat xyz list, mm) projects
 * inside the central (1 − margin) share of both canvas axes, the camera's direction,
 * up and focal point unchanged. `keep(x, y, z)` may skip points (a clip plane's cut side).
 */
export function fitDistance(camera, points, aspect, angleDeg, margin, keep = null) {
  const b = basis(camera);
  const t = tanHalf(angleDeg) * (1 - margin);
  const f = b.focal_point_mm;
  let distance = 0;
  for (let i = 0; i < points.length; i += 3) {
    const x = points[i] - f[0], y = points[i + 1] - f[1], z = points[i + 2] - f[2];
    if (keep && !keep(points[i], points[i + 1], points[i + 2])) continue;
    const across = Math.abs(x * b.right[0] + y * b.right[1] + z * b.right[2]);
    const upward = Math.abs(x * b.up[0] + y * b.up[1] + z * b.up[2]);
    const depth = x * b.forward[0] + y * b.forward[1] + z * b.forward[2];
    distance = Math.max(distance, across / (t * aspect) - depth, upward / t - depth);
  }
  return distance;
}

/** The camera moved along its line of sight to `distance` mm from its focal point. */
export function atDistance(camera, distance) {
  const b = basis(camera);
  return { ...camera, position_mm: sub3(b.focal_point_mm, scale3(b.forward, distance)) };
}

/** Bounds [xmin, xmax, ymin, ymax, zmin, zmax] of a flat xyz list. */
export function boundsOf(points) {
  const box = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
  for (let i = 0; i < points.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      box[2 * k] = Math.min(box[2 * k], points[i + k]);
      box[2 * k + 1] = Math.max(box[2 * k + 1], points[i + k]);
    }
  }
  return box;
}
