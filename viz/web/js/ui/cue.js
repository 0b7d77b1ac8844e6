// The orientation cue of patient views: a small disc in the corner of the 3D view with
// the body's head/feet and back/front axes as they lie on screen now, redrawn as the
// camera turns. An axis that points at the viewer shrinks and fades; the end that faces
// the viewer is then named in the middle.

import { CUE_AXES, cueArrows } from "../core/orientation.js";

const SVG = "http://www.w3.org/2000/svg";
const RADIUS = 62;            // the disc, px
const ARROW = 27;             // an in-plane arrow's length, px
const LABEL = 44;             // a label's distance from the centre, px
const FACING = 12;            // the distance of the label of an end that points at the viewer, px

function svg(tag, attrs) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export class OrientationCue {
  /**
   * @param {object} orientation meta.orientation: unit vectors, LPS+
   * @param {import("../core/words.js").Words} words
   */
  constructor(orientation, words) {
    this.orientation = orientation;
    const size = 2 * RADIUS + 4;
    this.el = svg("svg", { class: "mild-cue", viewBox: `${-size / 2} ${-size / 2} ${size} ${size}`, width: size, height: size, role: "img" });
    this.el.append(svg("circle", { class: "mild-cue-disc", r: RADIUS }));
    const names = CUE_AXES.flat().filter((name) => Array.isArray(orientation[name]));
    this.ends = new Map(names.map((name) => {
      const line = svg("line", { class: `mild-cue-line mild-cue-${name}`, x1: 0, y1: 0, x2: 0, y2: 0 });
      const head = svg("circle", { class: `mild-cue-tip mild-cue-${name}`, r: 3.5 });
      const label = svg("text", { class: `mild-cue-label mild-cue-${name}`, "data-dir": name, "text-anchor": "middle", "dominant-baseline": "central" });
      label.textContent = words.orientation(name);
      this.el.append(line, head, label);
      return [name, { line, head, label }];
    }));
    this.facing = svg("circle", { class: "mild-cue-facing", r: 7 });
    this.el.append(this.facing, svg("circle", { class: "mild-cue-centre", r: 3 }));
    this.key = "";
  }

  /** Redraw for a camera (LPS+ mm); touches the page only when the picture changes. */
  update(camera) {
    const arrows = cueArrows(camera, this.orientation);
    const key = arrows.map((a) => `${Math.round(a.x * a.length * 40)},${Math.round(a.y * a.length * 40)},${Math.round(a.strength * 10)}`).join("|");
    if (key === this.key) return;
    this.key = key;
    const described = [];
    const across = arrows.reduce((best, a) => (a.strength > best.strength ? a : best), arrows[0]);
    for (const a of arrows) {
      const end = this.ends.get(a.name);
      const tip = [a.x * a.length * ARROW, a.y * a.length * ARROW];
      end.line.setAttribute("x2", tip[0].toFixed(1));
      end.line.setAttribute("y2", tip[1].toFixed(1));
      end.head.setAttribute("cx", tip[0].toFixed(1));
      end.head.setAttribute("cy", tip[1].toFixed(1));
      for (const el of [end.line, end.head]) el.style.opacity = String(a.strength);
      // the end that points at the viewer is named beside the centre, across the axis that is drawn
      const facing = a.strength === 0 && a.facesViewer;
      const side = [-across.y, across.x];
      const anchor = facing && Math.abs(side[0]) > 0.5 ? (side[0] > 0 ? "start" : "end") : "middle";
      const at = facing ? [side[0] * FACING, side[1] * FACING] : [a.x * LABEL, a.y * LABEL];
      end.label.setAttribute("x", at[0].toFixed(1));
      end.label.setAttribute("y", at[1].toFixed(1));
      end.label.setAttribute("text-anchor", anchor);
      end.label.style.opacity = String(facing ? 1 : a.strength);
      if (facing) this.facing.style.opacity = "1";
      if (a.strength > 0.5) described.push(`${end.label.textContent} ${arrowWord(a)}`);
    }
    if (!arrows.some((a) => a.strength === 0 && a.facesViewer)) this.facing.style.opacity = "0";
    this.el.setAttribute("aria-label", described.join(", "));
  }
}

/** An arrow's direction as an arrow character (for the cue's accessible name). */
function arrowWord(a) {
  const arrows = ["→", "↘", "↓", "↙", "←", "↖", "↑", "↗"];
  const sector = Math.round(Math.atan2(a.y, a.x) / (Math.PI / 4));
  return arrows[(sector + 8) % 8];
}
