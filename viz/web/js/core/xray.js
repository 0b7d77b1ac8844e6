// Which simulated X-ray pictures the page shows: the chosen view's, or the stage's overlay;
// the contralateral oblique shows the portal of the side where it is in place
// (images "xray_oblique_portal" for the left side, "xray_oblique_portal_right" for the
// right; docs/CONTRACTS.md §3a, "Both sides"). Positions in millimetres, LPS+
// (+x is the patient's left).

import { length3, sub3 } from "./vec3.js";

/** The side ("left" | "right") whose centre (LPS+ mm) is nearer to `point_mm`, or null without centres. */
export function nearerSide(point_mm, centres) {
  const sides = Object.keys(centres).filter((side) => centres[side]);
  if (!sides.length) return null;
  return sides.reduce((best, side) => (length3(sub3(point_mm, centres[side])) < length3(sub3(point_mm, centres[best])) ? side : best));
}

/** The oblique picture for a portal on `side` (null: no portal in place), given the bundle's image names. */
export function obliqueImage(images, side) {
  if (!side) return "xray_oblique";
  const own = `xray_oblique_portal_${side}`;
  if (own in images) return own;
  return side === "left" && "xray_oblique_portal" in images ? "xray_oblique_portal" : "xray_oblique";
}

/**
 * The pictures to show.
 *
 * @param {object} images meta.images (name -> data URL)
 * @param {string} view the chosen named view ("" for the story's)
 * @param {string|null} overlay the stage's overlay ("xray" shows both pictures)
 * @param {string|null} portalSide the side whose portal is in place, or null
 * @returns {string[]} image names
 */
export function xrayImages(images, view, overlay, portalSide) {
  if (view === "xray") return ["xray_ap"];
  if (view === "oblique") return [obliqueImage(images, portalSide)];
  return overlay === "xray" ? ["xray_ap", obliqueImage(images, portalSide)] : [];
}

/** The caption key (text catalogue ui.*) of an X-ray picture. */
export function xrayCaptionKey(name) {
  if (name === "xray_ap") return "xray_ap";
  return name.endsWith("_right") ? "xray_oblique_right" : "xray_oblique";
}
