// The consult's drawing layer: freehand strokes in canvas shares (0..1), kept in the link on request.

import { decodeStrokes, encodeStrokes } from "../core/url.js";

export class Sketch {
  constructor(canvas, onChange) {
    this.canvas = canvas;
    this.strokes = [];
    this.onChange = onChange;
    this.active = false;
    let current = null;
    const pos = (e) => { const r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height]; };
    canvas.addEventListener("pointerdown", (e) => {
      if (!this.active) return;
      current = [pos(e)];
      this.strokes.push(current);
      canvas.setPointerCapture?.(e.pointerId);
    });
    canvas.addEventListener("pointermove", (e) => { if (current) { current.push(pos(e)); this.draw(); } });
    const end = () => { if (current) { current = null; this.onChange(); } };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  setActive(on) { this.active = on; this.canvas.style.pointerEvents = on ? "auto" : "none"; }
  clear() { this.strokes = []; this.draw(); this.onChange(); }
  encode() { return encodeStrokes(this.strokes); }
  decode(text) { this.strokes = decodeStrokes(text); this.draw(); }

  draw() {
    const r = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.max(1, Math.round(r.width));
    this.canvas.height = Math.max(1, Math.round(r.height));
    // a canvas kept in memory: on the GPU path Chromium sometimes kept showing strokes
    // just cleared (measured with SwiftShader: 1 clear in 3 left the drawing on screen)
    const ctx = this.canvas.getContext("2d", { willReadFrequently: true });
    const { width, height } = this.canvas;
    ctx.clearRect(0, 0, width, height);
    Object.assign(ctx, { strokeStyle: "#ff3b6b", lineWidth: 4, lineCap: "round", lineJoin: "round" });
    for (const stroke of this.strokes) {
      ctx.beginPath();
      stroke.forEach(([x, y], i) => (i ? ctx.lineTo(x * width, y * height) : ctx.moveTo(x * width, y * height)));
      ctx.stroke();
    }
  }
}
