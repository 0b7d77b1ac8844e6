// The viewer's hands on the camera: one finger or the left button orbits, two fingers
// pinch-zoom and pan, the wheel zooms, the right button or shift-drag pans. The camera is
// plain data (core/camera.js); the scene copies it each frame.

import { orbit, pan, project, ray, zoom } from "../core/camera.js";

export class CameraRig {
  /**
   * @param {HTMLElement} surface the element that receives pointer events (the 3D view)
   * @param {number} angleDeg vertical view angle
   * @param {Function} onChange called after every user move
   */
  constructor(surface, angleDeg, onChange) {
    this.surface = surface;
    this.angleDeg = angleDeg;
    this.onChange = onChange;
    this.camera = null;
    this.pointers = new Map();
    this.userMoved = false;
    this.dragDistance = 0;
    this.enabled = true;
    this.bind();
  }

  set(camera) { this.camera = { position_mm: [...camera.position_mm], focal_point_mm: [...camera.focal_point_mm], view_up: [...camera.view_up] }; }
  get() { return this.camera; }
  size() { const r = this.surface.getBoundingClientRect(); return [r.width || 1, r.height || 1]; }
  project(point) { return project(this.camera, point, this.size(), this.angleDeg); }
  ray(px, py) { return ray(this.camera, px, py, this.size(), this.angleDeg); }

  moved(camera) {
    this.set(camera);
    this.userMoved = true;
    this.onChange();
  }

  bind() {
    const el = this.surface;
    el.style.touchAction = "none";
    el.addEventListener("pointerdown", (e) => {
      if (!this.enabled) return;
      el.setPointerCapture?.(e.pointerId);
      this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, button: e.button, shift: e.shiftKey });
      if (this.pointers.size === 1) this.dragDistance = 0;
    });
    el.addEventListener("pointermove", (e) => {
      const prev = this.pointers.get(e.pointerId);
      if (!prev || !this.enabled || !this.camera) return;
      const height = this.size()[1];
      if (this.pointers.size === 1) {
        const dx = e.clientX - prev.x, dy = e.clientY - prev.y;
        this.dragDistance += Math.abs(dx) + Math.abs(dy);
        const panning = prev.button === 2 || prev.button === 1 || prev.shift;
        this.moved(panning ? pan(this.camera, dx, dy, height, this.angleDeg) : orbit(this.camera, dx, dy, height));
      } else if (this.pointers.size === 2) {
        const other = [...this.pointers.values()].find((p) => p !== prev);
        const before = Math.hypot(prev.x - other.x, prev.y - other.y);
        const after = Math.hypot(e.clientX - other.x, e.clientY - other.y);
        let camera = before > 0 ? zoom(this.camera, after / before) : this.camera;
        camera = pan(camera, (e.clientX - prev.x) / 2, (e.clientY - prev.y) / 2, height, this.angleDeg);
        this.dragDistance += 10;
        this.moved(camera);
      }
      prev.x = e.clientX;
      prev.y = e.clientY;
    });
    const end = (e) => { this.pointers.delete(e.pointerId); };
    el.addEventListener("pointerup", end);
    el.addEventListener("pointercancel", end);
    el.addEventListener("contextmenu", (e) => e.preventDefault());
    el.addEventListener("wheel", (e) => {
      if (!this.enabled || !this.camera) return;
      e.preventDefault();
      this.moved(zoom(this.camera, Math.exp(-e.deltaY * 0.0015)));
    }, { passive: false });
  }
}
