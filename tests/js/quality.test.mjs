import assert from "node:assert/strict";
import { test } from "node:test";

import { adaptLevel, bufferSize, MOTION_QUALITY } from "../../viz/web/js/core/quality.js";

test("no motion level draws below a pixel fraction of 0.25", () => {
  for (const { scale } of MOTION_QUALITY) {
    for (const dpr of [1, 2, 3]) assert.ok(bufferSize(1024, 700, dpr, scale).pixelFraction >= 0.25 * (Math.min(dpr, 2) / dpr) ** 2 - 1e-3);
  }
  assert.ok(Math.abs(bufferSize(1000, 500, 1, 0.5).pixelFraction - 0.25) < 1e-9);
  assert.equal(bufferSize(1000, 500, 1, 1.5).width, 1500);
});

test("the level climbs when frames are fast and steps down when slow, within the ladder", () => {
  const last = MOTION_QUALITY.length - 1;
  assert.equal(adaptLevel(last, 10), last);
  assert.equal(adaptLevel(2, 12), 3);
  assert.equal(adaptLevel(1, 5), 3);                       // far too slow: two steps
  assert.equal(adaptLevel(4, 16), 4);                      // above the floor: keeps its translucency
  assert.equal(adaptLevel(0, 60), 0);
  assert.equal(adaptLevel(2, 60), 1);
  assert.equal(adaptLevel(2, 20), 2);
});
