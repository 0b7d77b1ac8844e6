// Shapes at a moment: blended anatomy states, shrinking bites, posed instruments, normals.
// Positions are millimetres in the LPS+ frame; nothing is flipped.

import { clamp01 } from "./vec3.js";

// Shapes move in MORPH_STEPS steps per transition (a bite in BITE_STEPS): each step
// re-uploads the part's vertex buffer, and a step (2 % of the ligament's growth,
// ≈0.1 mm) is far below what the eye follows in motion.
export const MORPH_STEPS = 50;
export const BITE_STEPS = 12;
export const quantize = (x, steps) => Math.round(x * steps) / steps;

/** vtk.js cell array (3, a, b, c per triangle) from a flat face list. */
export function cellsFromFaces(faces) {
  const cells = new Uint32Array((faces.length / 3) * 4);
  for (let f = 0, c = 0; f < faces.length; f += 3, c += 4) {
    cells[c] = 3; cells[c + 1] = faces[f]; cells[c + 2] = faces[f + 1]; cells[c + 3] = faces[f + 2];
  }
  return cells;
}

/**
 * The triangles with at least one corner on the kept side of clip = [origin_mm, normal]
 * (the side the normal points to is cut away). The renderer still cuts exactly at the plane;
 * this only spares it the triangles that would be cut away whole, which in a view down
 * the canal cover the whole screen.
 */
export function facesKeptBy(points, faces, clip) {
  const [o, n] = clip;
  const kept = new Uint32Array(faces.length);
  let count = 0;
  for (let f = 0; f < faces.length; f += 3) {
    for (let k = 0; k < 3; k++) {
      const v = faces[f + k] * 3;
      if ((points[v] - o[0]) * n[0] + (points[v + 1] - o[1]) * n[1] + (points[v + 2] - o[2]) * n[2] <= 0) {
        kept[count] = faces[f]; kept[count + 1] = faces[f + 1]; kept[count + 2] = faces[f + 2];
        count += 3;
        break;
      }
    }
  }
  return kept.subarray(0, count);
}

/** Area-weighted vertex normals of a triangle mesh into `out` (xyz per vertex). */
export function computeNormals(points, faces, out) {
  out.fill(0);
  for (let f = 0; f < faces.length; f += 3) {
    const a = faces[f] * 3, b = faces[f + 1] * 3, c = faces[f + 2] * 3;
    const ux = points[b] - points[a], uy = points[b + 1] - points[a + 1], uz = points[b + 2] - points[a + 2];
    const vx = points[c] - points[a], vy = points[c + 1] - points[a + 1], vz = points[c + 2] - points[a + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    out[a] += nx; out[a + 1] += ny; out[a + 2] += nz;
    out[b] += nx; out[b + 1] += ny; out[b + 2] += nz;
    out[c] += nx; out[c + 1] += ny; out[c + 2] += nz;
  }
  for (let i = 0; i < out.length; i += 3) {
    const n = Math.hypot(out[i], out[i + 1], out[i + 2]) || 1;
    out[i] /= n; out[i + 1] /= n; out[i + 2] /= n;
  }
}

/**
 * A bite's size at a removal progress: 1 present, 0 gone. It shrinks to its centre over
 * the last `fade` of the removal before its time t (Python's visible_faces drops it at t).
 */
export function biteScale(bite, removal, fade) {
  return quantize(clamp01((bite.t - removal) / fade), BITE_STEPS);
}

const arrayIds = new WeakMap();
let arrayCount = 0;
function arrayId(array) {
  if (!arrayIds.has(array)) arrayIds.set(array, ++arrayCount);
  return arrayIds.get(array);
}

/**
 * What a morphed shape depends on, as a string: equal keys give equal positions, so a
 * part whose two states are one array or whose bites are not fading is not recomputed.
 */
export function shapeKey(lod, anatomy, fade) {
  if (lod.still) return "still";
  const a = lod.positions[anatomy.from] || lod.rest;
  const b = lod.positions[anatomy.to] || a;
  const u = anatomy.u;
  let key = a === b || u <= 0 ? `${arrayId(a)}` : u >= 1 ? `${arrayId(b)}` : `${arrayId(a)}>${arrayId(b)}@${u.toFixed(4)}`;
  for (const bite of lod.bites) key += `|${biteScale(bite, anatomy.removal, fade).toFixed(4)}`;
  return key;
}

/** Positions of one level of detail now: two states blended, removed bites collapsed. */
export function morphInto(out, lod, anatomy, fade) {
  const a = lod.positions[anatomy.from] || lod.rest;
  const b = lod.positions[anatomy.to] || a;
  const u = anatomy.u;
  if (a === b || u <= 0) out.set(a);
  else if (u >= 1) out.set(b);
  else for (let i = 0; i < out.length; i++) out[i] = a[i] + (b[i] - a[i]) * u;
  for (const bite of lod.bites) {
    const s = biteScale(bite, anatomy.removal, fade);
    if (s >= 1) continue;
    const [cx, cy, cz] = bite.centre_mm;
    for (let v = bite.start * 3; v < bite.stop * 3; v += 3) {
      out[v] = cx + (out[v] - cx) * s; out[v + 1] = cy + (out[v + 1] - cy) * s; out[v + 2] = cz + (out[v + 2] - cz) * s;
    }
  }
}

/**
 * 3×3 rotation (row-major) taking +z to the unit `direction`: instruments are modelled
 * with the tip at the origin and the handle toward +z (docs/CONTRACTS.md §3).
 */
export function rotationFromZ(direction) {
  const [dx, dy, dz] = direction;
  const s = Math.hypot(dx, dy);
  const c = dz;
  if (s < 1e-9) return c > 0 ? [1, 0, 0, 0, 1, 0, 0, 0, 1] : [1, 0, 0, 0, -1, 0, 0, 0, -1];
  const x = -dy / s, y = dx / s, t = 1 - c;          // axis = z × d, normalised (w = 0)
  return [t * x * x + c, t * x * y, s * y,
          t * x * y, t * y * y + c, -s * x,
          -s * y, s * x, c];
}

/** Rest positions posed: rotated from +z onto pose.direction, then moved to the tip. */
export function poseInto(out, rest, pose) {
  const R = rotationFromZ(pose.direction);
  const [px, py, pz] = pose.position_mm;
  for (let i = 0; i < rest.length; i += 3) {
    const x = rest[i], y = rest[i + 1], z = rest[i + 2];
    out[i] = R[0] * x + R[1] * y + R[2] * z + px;
    out[i + 1] = R[3] * x + R[4] * y + R[5] * z + py;
    out[i + 2] = R[6] * x + R[7] * y + R[8] * z + pz;
  }
}
