// What the address says: the page's state as query parameters, and a drawing as text.

/** Query string (without "?") for the page state; defaults are left out. */
export function stateQuery({ stage, view, mode, lang, embed, focus }) {
  const q = new URLSearchParams();
  q.set("stage", stage);
  if (view) q.set("view", view);
  if (mode !== "patient") q.set("mode", mode);
  if (lang !== "en") q.set("lang", lang);
  if (embed) q.set("embed", "1");
  if (focus) q.set("focus", focus);
  return q.toString();
}

/** `search` (a query string) with some parameters set or, when empty, removed. */
export function withParams(search, params) {
  const q = new URLSearchParams(search);
  for (const [k, v] of Object.entries(params)) {
    if (v) q.set(k, v);
    else q.delete(k);
  }
  return q.toString();
}

const SKETCH_SCALE = 999;
const SKETCH_TEXT = /^[0-9._~]{0,20000}$/;

/** Strokes (lists of [x, y] in 0..1 of the canvas) as compact text for the link. */
export function encodeStrokes(strokes) {
  return strokes.map((s) => s.map(([x, y]) => `${Math.round(x * SKETCH_SCALE)}.${Math.round(y * SKETCH_SCALE)}`).join("_")).join("~");
}

/** Text from encodeStrokes back to strokes; anything else gives no strokes. */
export function decodeStrokes(text) {
  if (!SKETCH_TEXT.test(text || "")) return [];
  return text.split("~").filter(Boolean).map((s) => s.split("_").map((p) => {
    const [x, y] = p.split(".").map(Number);
    return [Math.min(1, (x || 0) / SKETCH_SCALE), Math.min(1, (y || 0) / SKETCH_SCALE)];
  }));
}
