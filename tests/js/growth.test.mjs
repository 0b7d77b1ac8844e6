// Grown tissue's shade: a vertex's weight is its distance from its healthy place over the
// full distance, capped at 1; colours blend from the part's colour toward the shade's.
import assert from "node:assert/strict";
import { test } from "node:test";

import { blendColours, growthWeights } from "../../viz/web/js/core/growth.js";

test("weights grow with the distance from the healthy place and stop at 1", () => {
  const healthy = new Float32Array([0, 0, 0, 10, 0, 0, 0, 5, 0]);
  const now = new Float32Array([0, 0, 0, 10, 0.75, 0, 0, 5, 4]);  // unmoved, 0.75 mm, 4 mm
  const weights = growthWeights(now, healthy, 1.5, new Float32Array(3));
  assert.deepEqual([...weights], [0, 0.5, 1]);
});

test("colours run from the part's colour to the shade's by weight, as bytes", () => {
  const out = blendColours([1, 0.5, 0], [0, 0.5, 1], new Float32Array([0, 0.5, 1]), new Uint8Array(9));
  assert.deepEqual([...out], [255, 128, 0, 128, 128, 128, 0, 128, 255]);
});
