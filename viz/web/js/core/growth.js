// Where tissue has grown: the thickened ligament, the bulging disc, the enlarged facets.
// The bundle's ``meta.growth`` gives, per anatomy group, the distance from a vertex's
// healthy place at which its shade is full and the shade's colour (viz.scenes.bundle.GROWTH_STYLE).

/**
 * Per-vertex shade weights 0..1 into ``out``: each vertex's distance from its healthy place
 * over ``fullMm``.
 * @param {Float32Array} points current positions, xyz per vertex (mm)
 * @param {Float32Array} healthy healthy positions, same layout (mm)
 * @param {number} fullMm distance at which the shade is full (mm)
 * @param {Float32Array} out one weight per vertex
 */
export function growthWeights(points, healthy, fullMm, out) {
  for (let v = 0; v < out.length; v++) {
    const dx = points[3 * v] - healthy[3 * v];
    const dy = points[3 * v + 1] - healthy[3 * v + 1];
    const dz = points[3 * v + 2] - healthy[3 * v + 2];
    out[v] = Math.min(1, Math.sqrt(dx * dx + dy * dy + dz * dz) / fullMm);
  }
  return out;
}

/** RGB bytes per vertex into ``out``: ``base`` blended toward ``toward`` by each weight (0..1 colours). */
export function blendColours(base, toward, weights, out) {
  for (let v = 0; v < weights.length; v++) {
    for (let k = 0; k < 3; k++) out[3 * v + k] = Math.round(255 * (base[k] + (toward[k] - base[k]) * weights[v]));
  }
  return out;
}
