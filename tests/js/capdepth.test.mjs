// The depth a cut disc's inside is drawn at: the perspective constants must put the near
// clipping distance at NDC −1 and the far one at +1, as OpenGL's frustum (vtk.js) does,
// and a point between them in between, nearer giving less.
import { test } from "node:test";
import assert from "node:assert/strict";
import { depthConstants } from "../../viz/web/js/render/capdepth.js";

const ndc = ([a, b], w) => a - b / w;

test("the near and far clipping distances map to NDC -1 and +1", () => {
  for (const [near, far] of [[1, 1000], [80.5, 420.25], [0.1, 3]]) {
    const constants = depthConstants(near, far);
    assert.ok(Math.abs(ndc(constants, near) + 1) < 1e-12);
    assert.ok(Math.abs(ndc(constants, far) - 1) < 1e-12);
  }
});

test("a nearer point gets a smaller depth", () => {
  const constants = depthConstants(50, 500);
  const depths = [60, 120, 121.5, 300].map((w) => ndc(constants, w));
  assert.deepEqual([...depths].sort((x, y) => x - y), depths);
  assert.ok(depths.every((d) => d > -1 && d < 1));
});
