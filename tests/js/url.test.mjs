import assert from "node:assert/strict";
import { test } from "node:test";

import { decodeStrokes, encodeStrokes, stateQuery, withParams } from "../../viz/web/js/core/url.js";

test("the address keeps only what differs from the defaults", () => {
  assert.equal(stateQuery({ stage: "healthy", view: "", mode: "patient", lang: "en", embed: false, focus: null }), "stage=healthy");
  assert.equal(stateQuery({ stage: "removal", view: "axial", mode: "clinician", lang: "es", embed: true, focus: "L4" }),
    "stage=removal&view=axial&mode=clinician&lang=es&embed=1&focus=L4");
  assert.equal(withParams("stage=stenosis&mode=clinician", { mode: "patient", lang: "es" }), "stage=stenosis&mode=patient&lang=es");
  assert.equal(withParams("stage=stenosis&view=axial", { view: "" }), "stage=stenosis");
});

test("a drawing survives the link to a thousandth of the canvas", () => {
  const strokes = [[[0.1, 0.2], [0.5, 0.55]], [[0.999, 0]]];
  const back = decodeStrokes(encodeStrokes(strokes));
  assert.equal(back.length, 2);
  back.flat().forEach(([x, y], i) => {
    const [x0, y0] = strokes.flat()[i];
    assert.ok(Math.abs(x - x0) < 1e-3 && Math.abs(y - y0) < 1e-3);
  });
});

test("anything that is not a drawing gives no strokes", () => {
  assert.deepEqual(decodeStrokes("<script>"), []);
  assert.deepEqual(decodeStrokes("9".repeat(20001)), []);
  assert.deepEqual(decodeStrokes(""), []);
});
