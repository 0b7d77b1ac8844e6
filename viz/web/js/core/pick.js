// Picking on the loaded geometry: which triangle a ray meets first (LPS+ millimetres).

/** True when (x, y, z) lies on the kept side of clip = [origin_mm, normal] (the normal's side is cut away). */
export function clipKeeps(clip, x, y, z) {
  const [o, n] = clip;
  return (x - o[0]) * n[0] + (y - o[1]) * n[1] + (z - o[2]) * n[2] <= 0;
}

/**
 * Möller–Trumbore: distance along the ray to the nearest triangle closer than maxT, or
 * maxT (Infinity by default) when there is none. With a clip plane, hits on the
 * cut-away side are ignored.
 */
export function rayHit(ray, points, faces, maxT = Infinity, clip = null) {
  const [ox, oy, oz] = ray.origin;
  const [dx, dy, dz] = ray.direction;
  let best = maxT;
  for (let f = 0; f < faces.length; f += 3) {
    const a = faces[f] * 3, b = faces[f + 1] * 3, c = faces[f + 2] * 3;
    const e1x = points[b] - points[a], e1y = points[b + 1] - points[a + 1], e1z = points[b + 2] - points[a + 2];
    const e2x = points[c] - points[a], e2y = points[c + 1] - points[a + 1], e2z = points[c + 2] - points[a + 2];
    const px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
    const det = e1x * px + e1y * py + e1z * pz;
    if (Math.abs(det) < 1e-12) continue;
    const inv = 1 / det;
    const tx = ox - points[a], ty = oy - points[a + 1], tz = oz - points[a + 2];
    const u = (tx * px + ty * py + tz * pz) * inv;
    if (u < 0 || u > 1) continue;
    const qx = ty * e1z - tz * e1y, qy = tz * e1x - tx * e1z, qz = tx * e1y - ty * e1x;
    const v = (dx * qx + dy * qy + dz * qz) * inv;
    if (v < 0 || u + v > 1) continue;
    const t = (e2x * qx + e2y * qy + e2z * qz) * inv;
    if (t > 1e-6 && t < best && (!clip || clipKeeps(clip, ox + dx * t, oy + dy * t, oz + dz * t))) best = t;
  }
  return best;
}

/**
 * The name of the nearest surface a ray meets closer than maxT among `targets`
 * ({name, points, faces, clip}), or null.
 */
export function pickNearest(ray, targets, maxT = Infinity) {
  let best = { t: maxT, name: null };
  for (const target of targets) {
    const t = rayHit(ray, target.points, target.faces, best.t, target.clip);
    if (t < best.t) best = { t, name: target.name };
  }
  return best.name;
}
