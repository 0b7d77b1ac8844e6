import assert from "node:assert/strict";
import { test } from "node:test";

import { anatomyAt, cameraAt, comparedAnatomy, frameAt, instrumentPoseAt, metricsAt, stageIndexAt, stenosisWeight } from "../../viz/web/js/core/timeline.js";
import { easeInOut, length3, sub3 } from "../../viz/web/js/core/vec3.js";
import { smallStory } from "./story.mjs";

const close = (a, b, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test("the stage is the one whose [start, end) holds t, the last after the end", () => {
  const { stages } = smallStory();
  assert.equal(stageIndexAt(stages, 0), 0);
  assert.equal(stageIndexAt(stages, 3.999), 0);
  assert.equal(stageIndexAt(stages, 4), 1);
  assert.equal(stageIndexAt(stages, 99), 1);
});

test("anatomy blends by stage progress and removal follows", () => {
  const stage = smallStory().stages[1];
  const a = anatomyAt(stage, 0.25);
  assert.deepEqual([a.from, a.to], ["stenosis", "decompressed"]);
  close(a.removal, 0.25);
  close(stenosisWeight(a), 0.75);
  assert.equal(anatomyAt(stage, 2).u, 1);
  const compared = comparedAnatomy(stage, 0.5);
  close(compared.removal, 0.5);
});

test("opacity fades from the previous stage over fade_s with smoothstep", () => {
  const story = smallStory();
  const at = (t) => frameAt(story, t).opacity;
  close(at(2).L4, 0.5);                        // bone at 0.5 in the first stage
  close(at(4.5).L4, 0.5 + 0.5 * easeInOut(0.5));
  close(at(5.5).L4, 1);
});

test("the camera orbits between keys: distance kept, direction turned, eased", () => {
  const story = smallStory();
  for (const t of [0.5, 1, 2, 3, 3.5]) {
    const c = cameraAt(story, t);
    close(length3(sub3(c.position_mm, c.focal_point_mm)), 300, 1e-6);
  }
  const mid = cameraAt(story, 2);
  close(mid.position_mm[0], mid.position_mm[1], 1e-6);       // halfway round: 45°
  assert.deepEqual(cameraAt(story, -1).position_mm, [0, 300, 0]);
  assert.deepEqual(cameraAt(story, 99).position_mm, [300, 0, 0]);
});

test("a fit function frames every key before they are blended", () => {
  const story = smallStory();
  const far = (camera) => ({ ...camera, position_mm: camera.position_mm.map((v) => 2 * v) });
  close(length3(cameraAt(story, 2, far).position_mm), 600, 1e-6);
});

test("instruments: hidden before the first key, eased between keys, the earlier key's visibility", () => {
  const keys = smallStory().stages[1].instruments[0].keys;
  assert.equal(instrumentPoseAt(keys, 0.2).visible, false);
  assert.equal(instrumentPoseAt(keys, 0.5).visible, true);
  const mid = instrumentPoseAt(keys, 1.0);
  close(mid.position_mm[0], 5);
  close(length3(mid.direction), 1, 1e-12);
  assert.equal(instrumentPoseAt(keys, 1.6).visible, false);
  const story = smallStory();
  assert.equal(frameAt(story, 5).opacity.needle, 0.9);
  assert.equal(frameAt(story, 1).opacity.needle, 0);       // no track in the first stage
});

test("metrics interpolate numbers and keep the nearer sample's words", () => {
  const samples = [{ t_s: 0, levels: { "L4-L5": { csa: 100, grade: "A" } } }, { t_s: 2, levels: { "L4-L5": { csa: 50, grade: "C" } } }];
  assert.deepEqual(metricsAt(samples, 0.5)["L4-L5"], { csa: 87.5, grade: "A" });
  assert.deepEqual(metricsAt(samples, 1.5)["L4-L5"], { csa: 62.5, grade: "C" });
  assert.deepEqual(metricsAt(samples, 5)["L4-L5"], { csa: 50, grade: "C" });
});
