// How the picture is drawn while it moves, best first: always the light level of detail
// with translucent parts blended in drawing order (render/scene.js). Playback starts at
// START_LEVEL (the lightest translucent one) and climbs while the measured frame rate stays above UP_FPS (down again
// below DOWN_FPS), so slow devices never stutter while the player finds its level. No
// level draws below half the width and height (a pixel fraction of 0.25); only the last
// resort, "solid", draws mostly-opaque translucent parts (bone) opaque.
// At rest: full detail at the rest scale (1, or REST_SUPERSAMPLE where stills are cheap).

export const MOTION_QUALITY = [
  { scale: 1, solid: false }, { scale: 0.85, solid: false }, { scale: 0.7, solid: false },
  { scale: 0.6, solid: false }, { scale: 0.5, solid: false }, { scale: 0.5, solid: true },
];
export const START_LEVEL = MOTION_QUALITY.length - 2;
export const UP_FPS = 25;
export const DOWN_FPS = 14;
export const REST_SUPERSAMPLE = 1.5;

/** The motion level after a frame-rate measurement (index into MOTION_QUALITY); far too slow steps twice. */
export function adaptLevel(level, fps) {
  if (fps < DOWN_FPS) return Math.min(MOTION_QUALITY.length - 1, level + (fps < DOWN_FPS / 2 ? 2 : 1));
  if (fps > UP_FPS) return Math.max(0, level - 1);
  return level;
}

/**
 * Drawing-buffer size for a CSS size, the device's pixel ratio and a quality scale, and
 * the pixel fraction it gives (buffer pixels ÷ device pixels on screen).
 */
export function bufferSize(cssWidth, cssHeight, devicePixelRatio, scale) {
  const screen = Math.min(devicePixelRatio || 1, 2);
  const ratio = scale > 1 ? Math.max(screen, Math.min(2, screen * scale)) : screen * scale;
  const width = Math.max(1, Math.floor(cssWidth * ratio));
  const height = Math.max(1, Math.floor(cssHeight * ratio));
  const device = Math.max(1, cssWidth * (devicePixelRatio || 1)) * Math.max(1, cssHeight * (devicePixelRatio || 1));
  return { width, height, pixelFraction: (width * height) / device };
}
