import assert from "node:assert/strict";
import { test } from "node:test";

import { clipKeeps, pickNearest, rayHit } from "../../viz/web/js/core/pick.js";

const square = (z) => ({ points: new Float32Array([-1, -1, z, 1, -1, z, 1, 1, z, -1, 1, z]), faces: new Uint32Array([0, 1, 2, 0, 2, 3]) });
const down = { origin: [0.2, 0.3, 10], direction: [0, 0, -1] };

test("a ray meets a triangle at its distance and misses beside it", () => {
  const s = square(2);
  assert.ok(Math.abs(rayHit(down, s.points, s.faces) - 8) < 1e-6);
  assert.equal(rayHit({ origin: [5, 5, 10], direction: [0, 0, -1] }, s.points, s.faces), Infinity);
  assert.equal(rayHit(down, s.points, s.faces, 7), 7);                   // nothing nearer than maxT
});

test("hits on the clipped side are ignored", () => {
  const s = square(2);
  const clip = [[0, 0, 1], [0, 0, 1]];                                  // cut away z > 1
  assert.equal(clipKeeps(clip, 0, 0, 2), false);
  assert.equal(rayHit(down, s.points, s.faces, Infinity, clip), Infinity);
});

test("the nearest of several surfaces is picked", () => {
  const near = { name: "near", ...square(3), clip: null };
  const far = { name: "far", ...square(-3), clip: null };
  assert.equal(pickNearest(down, [far, near]), "near");
  assert.equal(pickNearest(down, [far, near], 5), null);
  assert.equal(pickNearest({ origin: [9, 9, 9], direction: [0, 0, -1] }, [far, near]), null);
});
