// A small story in the bundle's shape, for the unit tests: two stages, two views, one
// anatomy part and one instrument. Millimetres, LPS+.

import { cameraTrack } from "../../viz/web/js/core/timeline.js";

export const VIEWS = {
  back: { position_mm: [0, 300, 0], focal_point_mm: [0, 0, 0], view_up: [0, 0, 1] },
  side: { position_mm: [300, 0, 0], focal_point_mm: [0, 0, 0], view_up: [0, 0, 1] },
};

export function smallStory() {
  const stages = [
    { id: "healthy", start_s: 0, duration_s: 4, morph: ["healthy", "healthy"], removal: [0, 0], camera: [{ t_s: 0, view: "back" }, { t_s: 4, view: "side" }],
      show_groups: ["bone"], hide_parts: [], opacity: { bone: 0.5 }, instruments: [], hotspots: [], overlay: null, compare: null },
    { id: "removal", start_s: 4, duration_s: 2, morph: ["stenosis", "decompressed"], removal: [0, 1], camera: [{ t_s: 2, view: "side" }],
      show_groups: ["bone", "body"], hide_parts: [], opacity: {}, overlay: null, compare: ["stenosis", "decompressed"], hotspots: [],
      instruments: [{ name: "needle", keys: [
        { t_s: 0.5, position_mm: [0, 0, 0], direction: [0, 0, 1], visible: true },
        { t_s: 1.5, position_mm: [10, 0, 0], direction: [1, 0, 0], visible: false }] }] },
  ];
  const parts = [{ name: "L4", group: "bone", opacity: 1, kind: "anatomy" }];
  const instruments = [{ name: "needle", group: "instrument", opacity: 0.9, kind: "instrument" }];
  return { stages, views: VIEWS, parts, instruments, playback: { fade_s: 1, bite_fade: 0.04, view_angle_deg: 30, frame_margin: 0.08 },
    total_s: 6, cameraKeys: cameraTrack(stages) };
}
