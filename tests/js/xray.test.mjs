import assert from "node:assert/strict";
import { test } from "node:test";

import { nearerSide, obliqueImage, xrayCaptionKey, xrayImages } from "../../viz/web/js/core/xray.js";

const IMAGES = { xray_ap: "a", xray_oblique: "b", xray_oblique_portal: "c", xray_oblique_portal_right: "d" };
// the treated level's ligaments: the patient's left is +x (LPS)
const CENTRES = { left: [8, 30, -30], right: [-8, 30, -30] };

test("a portal's side is that of the nearer ligament", () => {
  assert.equal(nearerSide([5.5, 32.8, -31.3], CENTRES), "left");
  assert.equal(nearerSide([-7.5, 32.8, -31.4], CENTRES), "right");
  assert.equal(nearerSide([1, 0, 0], {}), null);
});

test("the oblique shows the portal of its side, or the plain view", () => {
  assert.equal(obliqueImage(IMAGES, "right"), "xray_oblique_portal_right");
  assert.equal(obliqueImage(IMAGES, "left"), "xray_oblique_portal");
  assert.equal(obliqueImage(IMAGES, null), "xray_oblique");
  assert.equal(obliqueImage({ xray_oblique: "b" }, "right"), "xray_oblique");
  assert.equal(obliqueImage({ ...IMAGES, xray_oblique_portal_left: "e" }, "left"), "xray_oblique_portal_left");
});

test("the chosen view decides, else the stage's overlay", () => {
  assert.deepEqual(xrayImages(IMAGES, "xray", null, "right"), ["xray_ap"]);
  assert.deepEqual(xrayImages(IMAGES, "oblique", null, "right"), ["xray_oblique_portal_right"]);
  assert.deepEqual(xrayImages(IMAGES, "", "xray", null), ["xray_ap", "xray_oblique"]);
  assert.deepEqual(xrayImages(IMAGES, "back", null, "left"), []);
  assert.equal(xrayCaptionKey("xray_oblique_portal_right"), "xray_oblique_right");
  assert.equal(xrayCaptionKey("xray_oblique_portal"), "xray_oblique");
});
