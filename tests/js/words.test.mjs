import assert from "node:assert/strict";
import { test } from "node:test";

import { metricRows } from "../../viz/web/js/core/metrics.js";
import { consultSectionIds, Words } from "../../viz/web/js/core/words.js";

const CATALOGUE = {
  ui: { consult_open: { patient: "Is it for me?", clinician: "Indications" }, disclaimer: "For learning only.",
    metrics: { canal_ap_mm: "Canal depth (mm)" }, metric_notes: { canal_ap_mm: "A soft-tissue measure." }, orientation: { head: "Head" } },
  consult: {
    title: { patient: "Is it for me?", clinician: "Indications, outcomes" },
    sections: ["what_for", "who", "results", "risks", "alternatives"].map((id) => ({
      id, heading: { patient: `${id} (p)`, clinician: `${id} (c)` }, text: { patient: "plain", clinician: "technical" },
      ...(id === "alternatives" ? { items: [{ patient: "walking", clinician: "exercise therapy" }] } : {}),
    })),
  },
  patient_scan: {
    provenance: { measured: "measured on the scan", illustrative: "example, not measured" },
    metrics: { bony_canal_area_mm2: "Bony canal area (mm²)", bony_canal_ap_mm: "Bony canal depth (mm)", bony_canal_width_mm: "Bony canal width (mm)" },
    decimal_mark: ",",
  },
};
const ALL = ["what_for", "who", "results", "risks", "alternatives"];

test("a stage offers its own consult sections, in the catalogue's order; the last stage offers all", () => {
  assert.deepEqual(consultSectionIds({ consult: ["risks", "who"] }, ALL, false), ["who", "risks"]);
  assert.deepEqual(consultSectionIds({ consult: ["risks"] }, ALL, true), ALL);
  assert.deepEqual(consultSectionIds({}, ALL, false), ALL);
});

test("the consult sheet speaks in the page's voice", () => {
  const patient = new Words({ es: CATALOGUE }, "es", "patient").consult(["alternatives"]);
  assert.equal(patient.title, "Is it for me?");
  assert.deepEqual(patient.sections.map((s) => [s.heading, s.text, s.items]), [["alternatives (p)", "plain", ["walking"]]]);
  const clinician = new Words({ es: CATALOGUE }, "es", "clinician");
  assert.equal(clinician.consult(["who"]).sections[0].text, "technical");
  assert.equal(clinician.ui("consult_open", ""), "Indications");
  assert.equal(clinician.disclaimer(), "For learning only.");
});

test("a patient's numbers carry their provenance; measured holds only for the anatomy as scanned", () => {
  const words = new Words({ es: CATALOGUE }, "es", "clinician");
  const live = { dural_sac_csa_mm2: 98.1, canal_ap_mm: 12.21, lf_thickness_mm: { left: 2.86, right: 2.96 }, schizas_grade: "A" };
  const record = {
    bony_canal_area_mm2: { value: 165.0, provenance: "measured" }, bony_canal_ap_mm: { value: null, provenance: "not measurable" },
    bony_canal_width_mm: { value: 19.5, provenance: "measured" }, dural_sac_csa_mm2: { value: 98.1, provenance: "measured" },
    canal_ap_mm: { value: 12.21, provenance: "illustrative" }, lf_thickness_mm: { value: {}, provenance: "illustrative" },
    schizas_grade: { value: "A", provenance: "illustrative" },
  };
  const rows = Object.fromEntries(metricRows(words, live, record, true).map((row) => [row.key, row]));
  assert.equal(rows.csa.provenance, "measured");
  assert.equal(rows.canal.value, "12,2");
  assert.equal(rows.canal.provenance, "illustrative");
  assert.equal(rows.canal.note, "A soft-tissue measure.");
  assert.equal(rows.bony_canal_area_mm2.value, "165");
  assert.deepEqual([rows.bony_canal_ap_mm.value, rows.bony_canal_ap_mm.provenance], ["–", "not measurable"]);
  const later = Object.fromEntries(metricRows(words, live, record, false).map((row) => [row.key, row]));
  assert.equal(later.csa.provenance, "illustrative");
  assert.equal(later.bony_canal_area_mm2.provenance, "measured");   // the bones are as scanned throughout
  const template = metricRows(words, live);
  assert.equal(template.length, 5);
  assert.ok(template.every((row) => row.provenance === null));
});
