// The X-ray panel: the simulated C-arm pictures of the chosen view or the stage's overlay,
// each captioned, with one line under them on how the real screen looks (bone, tools and
// contrast dark; the dashed line is the lamina line). The oblique picture follows the side
// whose portal is in place. Millimetres, LPS+.

import { nearerSide, xrayCaptionKey, xrayImages } from "../core/xray.js";
import { boundsOf } from "../core/camera.js";
import { h } from "./dom.js";

/** Centre (mm) of a part's resting points. */
function centreOf(part) {
  const box = boundsOf(part.full.rest);
  return [(box[0] + box[1]) / 2, (box[2] + box[3]) / 2, (box[4] + box[5]) / 2];
}

export class XrayPanel {
  constructor(player, el) {
    this.player = player;
    this.el = el;
    const story = player.story;
    // the treated level's two ligaments tell which side a portal is on
    this.sideCentres = Object.fromEntries(story.parts.filter((part) => part.group === "ligament" && part.level === story.level && part.side)
      .map((part) => [part.side, centreOf(part)]));
    this.portals = story.instruments.filter((item) => item.structure === "portal");
  }

  /** The side whose portal is in place in `frame`, or null. */
  portalSide(frame) {
    const shown = this.portals.find((item) => frame.poses[item.name]?.visible);
    if (!shown) return null;
    return shown.side ?? nearerSide(frame.poses[shown.name].position_mm, this.sideCentres);
  }

  /** Per drawn frame: show the pictures that belong to it (the page is touched only on change). */
  update(frame) {
    const p = this.player;
    const shown = p.options.embed ? [] : xrayImages(p.story.images, p.currentView, p.stage.overlay, this.portalSide(frame));
    const key = shown.join("|");
    if (key && this.el.dataset.images !== key) {
      const w = p.words;
      this.el.dataset.images = key;
      const figures = shown.map((name) => h("figure", { class: "mild-xray-image", "data-image": name },
        h("img", { src: p.story.images[name], alt: w.ui("xray_alt", "Simulated X-ray picture made from the 3D model") }),
        h("figcaption", {}, w.ui(xrayCaptionKey(name), name))));
      const note = w.ui("xray_screen", "");
      this.el.replaceChildren(h("div", { class: "mild-xray-images" }, ...figures), note ? h("p", { class: "mild-xray-note" }, note) : null);
    }
    if (this.el.hidden !== !key) this.el.hidden = !key;
  }
}
