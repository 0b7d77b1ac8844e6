// Clinician numbers and the axial cross-section, as plain data (millimetres, LPS+).

/** A number with `digits` decimals, or a dash when there is none. */
export function fmt(x, digits = 1) {
  return typeof x === "number" && Number.isFinite(x) ? x.toFixed(digits) : "–";
}

/** Table rows [label, value, key] for one level's metrics (viz.models.metrics). */
export function metricRows(words, m) {
  if (!m) return [];
  const lf = m.lf_thickness_mm ?? {};
  const lfName = words.metric("lf_thickness_mm", "Ligamentum flavum thickness (mm)");
  return [
    [words.metric("dural_sac_csa_mm2", "Dural sac area (mm²)"), fmt(m.dural_sac_csa_mm2, 0), "csa"],
    [words.metric("canal_ap_mm", "Canal depth (mm)"), fmt(m.canal_ap_mm), "canal"],
    [`${lfName}, ${words.side("left")}`, fmt(lf.left), "lf_left"],
    [`${lfName}, ${words.side("right")}`, fmt(lf.right), "lf_right"],
    [words.metric("schizas_grade", "Schizas grade"), m.schizas_grade ?? "–", "schizas"],
  ];
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
