// The orientation cue of patient views: where the body's head, feet, back and front point
// on screen for a camera. Body directions are unit vectors in the LPS+ frame
// (meta.orientation: head = +z, back = +y, ...); screen directions follow CSS pixels:
// +x to the right, +y down. Seen at the focal point, a direction's on-screen arrow is its
// component in the screen plane (the projection of a short step from the focal point).

import { basis } from "./camera.js";
import { dot3 } from "./vec3.js";

/** The cue's two axes, each as its two ends. */
export const CUE_AXES = [["head", "feet"], ["back", "front"]];

/** Below this share of its length in the screen plane an arrow points mostly at the viewer and is not drawn. */
export const CUE_MIN_LENGTH = 0.25;
/** From this share on an arrow is drawn at full strength. */
export const CUE_FULL_LENGTH = 0.55;

/**
 * One body direction on screen.
 *
 * @param {{position_mm, focal_point_mm, view_up}} camera LPS+ millimetres
 * @param {number[]} direction unit vector, LPS+
 * @returns {{x: number, y: number, length: number, strength: number, facesViewer: boolean}} unit
 *   x (right) and y (down) on screen, length of the in-plane part (0..1), strength 0..1 with
 *   which to draw it, and whether it points toward the viewer
 */
export function screenDirection(camera, direction) {
  const b = basis(camera);
  const x = dot3(direction, b.right);
  const y = -dot3(direction, b.up);
  const length = Math.hypot(x, y);
  const strength = Math.min(1, Math.max(0, (length - CUE_MIN_LENGTH) / (CUE_FULL_LENGTH - CUE_MIN_LENGTH)));
  return { x: length ? x / length : 0, y: length ? y / length : 0, length, strength, facesViewer: dot3(direction, b.forward) < 0 };
}

/**
 * Every named end of the cue's axes that the bundle gives, on screen.
 *
 * @param {object} camera LPS+ millimetres
 * @param {object} orientation meta.orientation {head, feet, back, front, ...}: unit vectors, LPS+
 * @returns {Array<{name: string, x: number, y: number, length: number, strength: number, facesViewer: boolean}>}
 */
export function cueArrows(camera, orientation) {
  const names = CUE_AXES.flat().filter((name) => Array.isArray(orientation?.[name]));
  return names.map((name) => ({ name, ...screenDirection(camera, orientation[name]) }));
}
