// Hotspots: numbered pins on the anatomy of the current stage. A pin follows its point on
// screen and hides when other structures stand in front of it or it leaves the view.

import { pickNearest } from "../core/pick.js";
import { length3, norm3, sub3 } from "../core/vec3.js";
import { h } from "./dom.js";

const PLACE_EVERY_MS = 200;        // while playing, pins move at most this often
const OCCLUDER_OPACITY = 0.8;      // fainter structures do not hide a pin
const OCCLUSION_SLACK_MM = 2.5;

export class Pins {
  constructor(player) {
    this.player = player;
    this.layer = player.chrome.pinLayer;
    this.pins = [];
  }

  build(stage) {
    const w = this.player.words;
    this.pins = stage.hotspots.map((spot, i) => {
      const text = w.hotspot(stage.id, spot.id);
      const bubble = h("div", { class: "mild-pin-text", hidden: true }, text);
      const button = h("button", { type: "button", class: "mild-pin", "aria-label": `${i + 1}. ${text || spot.id}`, "data-hotspot": spot.id }, String(i + 1));
      button.addEventListener("click", () => { bubble.hidden = !bubble.hidden; });
      return { spot, el: h("div", { class: "mild-pin-wrap", "data-part": spot.part }, button, bubble) };
    });
    this.layer.replaceChildren(...this.pins.map((pin) => pin.el));
  }

  place() {
    const p = this.player;
    if (!this.pins.length) return;
    const now = performance.now();
    if (p.playing && now - (this.placed ?? 0) < PLACE_EVERY_MS) return;
    this.placed = now;
    const eye = p.rig.get().position_mm;
    const occluders = p.picker.visible().filter((a) => a.opacity() >= OCCLUDER_OPACITY);
    const [width, height] = p.rig.size();
    for (const pin of this.pins) {
      const s = p.rig.project(pin.spot.position_mm);
      if (!s || s.x < 0 || s.y < 0 || s.x > width || s.y > height) {
        pin.el.hidden = true;
        continue;
      }
      const toward = sub3(pin.spot.position_mm, eye);
      const reach = length3(toward) - OCCLUSION_SLACK_MM;
      const ray = { origin: eye, direction: norm3(toward) };
      // a pin marks its own structure, often from inside: only other structures hide it
      const targets = occluders.filter((a) => a.part.name !== pin.spot.part)
        .map((a) => ({ name: a.part.name, points: a.points, faces: a.lod.faces, clip: a.clip }));
      const occluded = pickNearest(ray, targets, reach) !== null;
      if (pin.el.hidden !== occluded) { pin.el.hidden = occluded; pin.el.dataset.occluded = String(occluded); }
      const transform = `translate(${Math.round(s.x)}px, ${Math.round(s.y)}px)`;
      if (pin.el.style.transform !== transform) pin.el.style.transform = transform;
    }
  }
}
