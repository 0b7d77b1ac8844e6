// The clinician's axial inset: the current triangles cut by the plane through the chosen
// level's disc, drawn as in axial radiology (anterior at the top, patient's left on the
// right), with a 10 mm scale bar. Millimetres, LPS+.

import { centreNear, meanZ, sectionSegments } from "../core/metrics.js";

const PX_PER_MM = 4;
const INSET_GROUPS = new Set(["bone", "disc", "ligament", "dural_sac", "nerve", "fat", "instrument"]);
const CANAL_BAND_MM = 4;
const CANAL_SHIFT_MM = 8;

/** Draw the cross-section of the visible actors at `level` (a disc's name) on `canvas`. */
export function drawInset(canvas, visible, level, words) {
  const disc = visible.find((a) => a.part.name === level && a.part.group === "disc");
  const sac = visible.find((a) => a.part.group === "dural_sac");
  if (!disc || !sac) return;
  const z = meanZ(disc.points);
  const [cx, cy] = centreNear(sac.points, z, CANAL_BAND_MM) ?? [0, -CANAL_SHIFT_MM];
  const centre = [cx, cy + CANAL_SHIFT_MM];
  const ctx = canvas.getContext("2d");
  const w = canvas.width, hgt = canvas.height;
  ctx.fillStyle = "#0f1720";
  ctx.fillRect(0, 0, w, hgt);
  ctx.lineWidth = 1.6;
  for (const a of visible) {
    if (!INSET_GROUPS.has(a.part.group)) continue;
    const c = a.part.color.map((v) => Math.round(v * 255));
    ctx.strokeStyle = `rgb(${c[0]},${c[1]},${c[2]})`;
    ctx.beginPath();
    const s = sectionSegments(a.points, a.lod.faces, z);
    for (let i = 0; i < s.length; i += 4) {
      ctx.moveTo(w / 2 + (s[i] - centre[0]) * PX_PER_MM, hgt / 2 + (s[i + 1] - centre[1]) * PX_PER_MM);
      ctx.lineTo(w / 2 + (s[i + 2] - centre[0]) * PX_PER_MM, hgt / 2 + (s[i + 3] - centre[1]) * PX_PER_MM);
    }
    ctx.stroke();
  }
  Object.assign(ctx, { strokeStyle: "#e8eef3", fillStyle: "#e8eef3", lineWidth: 2, font: "12px sans-serif" });
  ctx.beginPath();
  ctx.moveTo(10, hgt - 12);
  ctx.lineTo(10 + 10 * PX_PER_MM, hgt - 12);
  ctx.stroke();
  ctx.fillText("10 mm", 12, hgt - 18);
  ctx.fillText(words.ui("anterior", "anterior"), w / 2 - 24, 14);
  ctx.fillText(words.ui("posterior", "posterior"), w / 2 - 26, hgt - 4);
}
