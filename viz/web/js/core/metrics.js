// Clinician numbers and the axial cross-section, as plain data (millimetres, LPS+).

/** A number with `digits` decimals, or a dash when there is none. */
export function fmt(x, digits = 1) {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "–";
}

/** The bony canal's numbers of a patient's scan (meta.patient.levels[level]), in table order. */
export const BONY_CANAL_KEYS = ["bony_canal_area_mm2", "bony_canal_ap_mm", "bony_canal_width_mm"];

/**
 * The provenance of a live number of a patient's scan: the record's (meta.patient.levels[level][key]
 * .provenance), except that a number measured on the scan is the patient's only while the
 * anatomy is as scanned; at any other moment (healthy, after MILD) it is the model's
 * example. Null for the template (no record).
 */
export function liveProvenance(record, key, asScanned) {
  const provenance = record?.[key]?.provenance ?? null;
  return provenance === "measured" && !asScanned ? "illustrative" : provenance;
}

/**
 * Table rows for one level: {label, value, key, provenance, note}. `m` is the level's live
 * metrics (viz.models.metrics); `record` a patient's scan record for the level
 * (meta.patient.levels[level]) or null for the template; `asScanned` whether the anatomy
 * shown is the patient as scanned. A patient's rows add the bony canal measured on the
 * scan; a number that cannot be measured keeps its row with a dash.
 */
export function metricRows(words, m, record = null, asScanned = true) {
  if (!m) return [];
  const lf = m.lf_thickness_mm ?? {};
  const lfName = words.metric("lf_thickness_mm", "Ligamentum flavum thickness (mm)");
  const live = (label, value, key, source) => ({ label, value, key, provenance: liveProvenance(record, source, asScanned), note: words.metricNote(source) });
  const rows = [
    live(words.metric("dural_sac_csa_mm2", "Dural sac area (mm²)"), words.number(m.dural_sac_csa_mm2, 0), "csa", "dural_sac_csa_mm2"),
    live(words.metric("canal_ap_mm", "Canal depth (mm)"), words.number(m.canal_ap_mm), "canal", "canal_ap_mm"),
    live(`${lfName}, ${words.side("left")}`, words.number(lf.left), "lf_left", "lf_thickness_mm"),
    live(`${lfName}, ${words.side("right")}`, words.number(lf.right), "lf_right", "lf_thickness_mm"),
    live(words.metric("schizas_grade", "Schizas grade"), m.schizas_grade ?? "–", "schizas", "schizas_grade"),
  ];
  if (!record) return rows;
  for (const key of BONY_CANAL_KEYS) {
    const number = record[key] ?? { value: null, provenance: "not measurable" };
    rows.push({ label: words.scan("metrics", key) ?? key, value: words.number(number.value, key.endsWith("mm2") ? 0 : 1), key, provenance: number.provenance, note: "" });
  }
  return rows;
}

/** Segments [x0, y0, x1, y1, ...] (mm) where the triangles cross the plane z = z_mm. */
export function sectionSegments(points, faces, z_mm) {
  const out = [];
  for (let i = 0; i < faces.length; i += 3) {
    let hits = 0;
    for (let k = 0; k < 3; k++) {
      const A = faces[i + k] * 3;
      const B = faces[i + ((k + 1) % 3)] * 3;
      const za = points[A + 2] - z_mm;
      const zb = points[B + 2] - z_mm;
      if ((za < 0) !== (zb < 0)) {
        const u = za / (za - zb);
        out.push(points[A] + (points[B] - points[A]) * u, points[A + 1] + (points[B + 1] - points[A + 1]) * u);
        hits++;
      }
    }
    if (hits !== 2) out.length -= 2 * hits;
  }
  return out;
}

/** Mean z (mm) of a flat xyz list. */
export function meanZ(points) {
  let z = 0;
  for (let i = 2; i < points.length; i += 3) z += points[i];
  return z / (points.length / 3);
}

/** Centre (x, y), mm, of the points within `band_mm` of the height z_mm, or null when there are none. */
export function centreNear(points, z_mm, band_mm) {
  let x = 0, y = 0, n = 0;
  for (let i = 0; i < points.length; i += 3) {
    if (Math.abs(points[i + 2] - z_mm) < band_mm) { x += points[i]; y += points[i + 1]; n++; }
  }
  return n ? [x / n, y / n] : null;
}
