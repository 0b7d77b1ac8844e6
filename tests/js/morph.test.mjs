import assert from "node:assert/strict";
import { test } from "node:test";

import { biteScale, computeNormals, facesKeptBy, morphInto, poseInto, rotationFromZ, shapeKey } from "../../viz/web/js/core/morph.js";

test("the rotation takes +z onto any direction and stays a rotation", () => {
  for (const d of [[0, 0, 1], [0, 0, -1], [1, 0, 0], [0.6, 0, 0.8], [-0.36, 0.48, -0.8]]) {
    const R = rotationFromZ(d);
    assert.deepEqual([R[2], R[5], R[8]].map((v) => Math.round(v * 1e9) / 1e9), d.map((v) => Math.round(v * 1e9) / 1e9));
    const det = R[0] * (R[4] * R[8] - R[5] * R[7]) - R[1] * (R[3] * R[8] - R[5] * R[6]) + R[2] * (R[3] * R[7] - R[4] * R[6]);
    assert.ok(Math.abs(det - 1) < 1e-9);
  }
});

test("a posed instrument has its tip at the pose and its handle along the direction", () => {
  const rest = new Float32Array([0, 0, 0, 0, 0, 10]);
  const out = new Float32Array(6);
  poseInto(out, rest, { position_mm: [1, 2, 3], direction: [1, 0, 0] });
  assert.deepEqual([...out], [1, 2, 3, 11, 2, 3]);
});

test("states blend linearly; a removed bite collapses to its centre", () => {
  const a = new Float32Array([0, 0, 0, 2, 0, 0]);
  const b = new Float32Array([0, 0, 4, 2, 0, 4]);
  const lod = { positions: { healthy: a, stenosis: b }, rest: a, bites: [{ t: 0.5, start: 1, stop: 2, centre_mm: [1, 1, 1] }], still: false };
  const out = new Float32Array(6);
  morphInto(out, lod, { from: "healthy", to: "stenosis", u: 0.25, removal: 0 }, 0.04);
  assert.deepEqual([...out], [0, 0, 1, 2, 0, 1]);
  morphInto(out, lod, { from: "healthy", to: "healthy", u: 0, removal: 0.5 }, 0.04);
  assert.deepEqual([...out.slice(3)], [1, 1, 1]);
  assert.equal(biteScale(lod.bites[0], 0.48, 0.04), 0.5);
  assert.equal(shapeKey(lod, { from: "healthy", to: "healthy", u: 0.3, removal: 0 }, 0.04), shapeKey(lod, { from: "healthy", to: "healthy", u: 0.9, removal: 0 }, 0.04));
});

test("normals of a flat triangle point along its winding", () => {
  const normals = new Float32Array(9);
  computeNormals(new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0]), new Uint32Array([0, 1, 2]), normals);
  assert.deepEqual([...normals.slice(0, 3)], [0, 0, 1]);
});

test("only triangles cut away whole are dropped for a clip plane", () => {
  const points = new Float32Array([0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 5, 1, 0, 5, 0, 1, 5, 0, 0, -1]);
  const faces = new Uint32Array([0, 1, 2, 3, 4, 5, 3, 4, 6]);           // below, above, across z = 2
  assert.deepEqual([...facesKeptBy(points, faces, [[0, 0, 2], [0, 0, 1]])], [0, 1, 2, 3, 4, 6]);
  assert.deepEqual([...facesKeptBy(points, faces, [[0, 0, 2], [0, 0, -1]])], [3, 4, 5, 3, 4, 6]);
});
