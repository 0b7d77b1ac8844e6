// Tap-to-name: the structure under a tap, its name and one line about it (clinicians also
// get its live ligament thickness), highlighted. Works on the loaded geometry (LPS+ mm).

import { pickNearest } from "../core/pick.js";
import { metricsAt } from "../core/timeline.js";
import { h } from "./dom.js";

const TAP_SLOP_PX = 6;            // a pointer that moved more than this was a drag, not a tap
const PICKABLE_OPACITY = 0.2;     // fainter structures are looked through
const CANAL_BAND_MM = 6;

export class Picker {
  constructor(player) {
    this.player = player;
    this.label = player.chrome.labelEl;
    player.chrome.viewEl.addEventListener("pointerup", (e) => {
      if (player.rig.dragDistance > TAP_SLOP_PX || player.sketch.active) return;
      const r = player.chrome.viewEl.getBoundingClientRect();
      this.select(this.pickAt(e.clientX - r.left, e.clientY - r.top));
    });
  }

  /** The levels of detail drawn now (visible actors). */
  visible() {
    const out = [];
    for (const pair of this.player.actors) for (const lod of pair.made()) if (lod.isVisible()) out.push(lod);
    return out;
  }

  /** Name of the nearest visible structure under a canvas pixel (CSS px), or null. */
  pickAt(px, py) {
    const targets = this.visible().filter((a) => a.opacity() >= PICKABLE_OPACITY)
      .map((a) => ({ name: a.part.name, points: a.points, faces: a.lod.faces, clip: a.clip }));
    return pickNearest(this.player.rig.ray(px, py), targets);
  }

  /**
   * A canvas pixel where a tap picks `name`, as near the middle of its silhouette as
   * possible, or null (for guided tours and tests).
   */
  screenPointOf(name) {
    const a = this.visible().find((x) => x.part.name === name);
    if (!a) return null;
    const [w, hgt] = this.player.rig.size();
    const n = a.points.length / 3;
    const step = Math.max(1, Math.floor(n / 600));
    const shown = [];
    for (let v = 0; v < n; v += step) {
      const p = this.player.rig.project([a.points[3 * v], a.points[3 * v + 1], a.points[3 * v + 2]]);
      if (p && p.x > 4 && p.y > 4 && p.x < w - 4 && p.y < hgt - 4) shown.push(p);
    }
    if (!shown.length) return null;
    const cx = shown.reduce((s, p) => s + p.x, 0) / shown.length;
    const cy = shown.reduce((s, p) => s + p.y, 0) / shown.length;
    const candidates = [{ x: cx, y: cy }, ...shown.map((p) => ({ x: (2 * p.x + cx) / 3, y: (2 * p.y + cy) / 3 }))];
    candidates.sort((p, q) => Math.hypot(p.x - cx, p.y - cy) - Math.hypot(q.x - cx, q.y - cy));
    return candidates.find((p) => this.pickAt(p.x, p.y) === name) ?? null;
  }

  /** Name and highlight a structure; the same one again (or null) clears it. `keep` never toggles. */
  select(name, keep = false) {
    const p = this.player;
    p.picked = name && (keep || name !== p.picked) ? name : null;
    p.dirty = true;
    if (!p.picked) { this.label.hidden = true; return; }
    const part = p.actors.find((a) => a.part.name === p.picked).part;
    const s = p.words.structure(part);
    let line = s.line;
    const m = part.level ? metricsAt(p.story.metrics, p.t_s)[part.level] : null;
    if (p.options.mode === "clinician" && m && part.group === "ligament" && part.side) {
      line = `${line} ${p.words.ui("now", "Now")}: ${p.words.number(m.lf_thickness_mm?.[part.side])} mm.`;
    }
    this.label.replaceChildren(h("strong", {}, s.name), line ? h("span", {}, line) : "");
    this.label.hidden = false;
  }

  /** The dural sac's centre (x, y) near height z_mm: the canal's axis. */
  canalAxisAt(z_mm) {
    const sac = this.player.actors.find((a) => a.part.group === "dural_sac");
    if (!sac) return [0, 0];
    const p = sac.full.points;
    let x = 0, y = 0, n = 0;
    for (let i = 0; i < p.length; i += 3) if (Math.abs(p[i + 2] - z_mm) < CANAL_BAND_MM) { x += p[i]; y += p[i + 1]; n++; }
    return n ? [x / n, y / n] : [0, 0];
  }
}
