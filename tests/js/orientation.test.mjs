import assert from "node:assert/strict";
import { test } from "node:test";

import { orbit } from "../../viz/web/js/core/camera.js";
import { cueArrows, screenDirection } from "../../viz/web/js/core/orientation.js";

// meta.orientation of the standard bundle: LPS+ unit vectors
const ORIENTATION = { head: [0, 0, 1], feet: [0, 0, -1], back: [0, 1, 0], front: [0, -1, 0], left: [1, 0, 0], right: [-1, 0, 0] };
const close = (a, b, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);
const byName = (arrows) => Object.fromEntries(arrows.map((a) => [a.name, a]));

test("seen from behind, head is up and feet down; back points at the viewer and is not drawn", () => {
  const fromBehind = { position_mm: [0, 300, 0], focal_point_mm: [0, 0, 0], view_up: [0, 0, 1] };
  const a = byName(cueArrows(fromBehind, ORIENTATION));
  assert.deepEqual(Object.keys(a).sort(), ["back", "feet", "front", "head"]);
  close(a.head.x, 0); close(a.head.y, -1); close(a.head.strength, 1);
  close(a.feet.y, 1);
  close(a.back.strength, 0); assert.equal(a.back.facesViewer, true); assert.equal(a.front.facesViewer, false);
});

test("seen from the patient's left, the back is to the right of the screen", () => {
  const fromLeft = { position_mm: [300, 0, 0], focal_point_mm: [0, 0, 0], view_up: [0, 0, 1] };
  const back = screenDirection(fromLeft, ORIENTATION.back);
  close(back.x, 1); close(back.y, 0);
});

test("looking down the canal from above, the head faces the viewer and the back is up", () => {
  const fromAbove = { position_mm: [0, 0, 300], focal_point_mm: [0, 0, 0], view_up: [0, 1, 0] };
  const a = byName(cueArrows(fromAbove, ORIENTATION));
  close(a.back.y, -1); close(a.head.strength, 0); assert.equal(a.head.facesViewer, true);
});

test("the head arrow turns with the camera as a drag turns it", () => {
  const camera = { position_mm: [0, 300, 0], focal_point_mm: [0, 0, 0], view_up: [0, 0, 1] };
  const tilted = orbit(camera, 0, -150, 600);           // dragging up tips the top of the body toward the viewer
  const head = screenDirection(tilted, ORIENTATION.head);
  assert.ok(head.y < 0 && head.length < 0.95, JSON.stringify(head));
  const rolled = { ...camera, view_up: [Math.sin(0.5), 0, Math.cos(0.5)] };   // camera rolled by 0.5 rad
  const onScreen = screenDirection(rolled, ORIENTATION.head);
  close(Math.atan2(onScreen.x, -onScreen.y), 0.5, 1e-9);
});

test("directions the bundle does not give are left out", () => {
  const camera = { position_mm: [0, 300, 0], focal_point_mm: [0, 0, 0], view_up: [0, 0, 1] };
  assert.deepEqual(cueArrows(camera, { head: [0, 0, 1] }).map((a) => a.name), ["head"]);
  assert.deepEqual(cueArrows(camera, null), []);
});
