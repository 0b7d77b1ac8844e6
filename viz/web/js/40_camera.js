// Camera: named views, smooth flights, mouse and touch control, projection
// of LPS millimetres to screen pixels, and picking rays. Our own pointer
// handling: one finger/left button rotates, two fingers pinch-zoom and pan,
// wheel zooms, right button or shift-drag pans.

function sub3(a, b) { return [a[0] - b[0], a[1] - b[1], a[2] - b[2]]; }
function add3(a, b) { return [a[0] + b[0], a[1] + b[1], a[2] + b[2]]; }
function scale3(a, s) { return [a[0] * s, a[1] * s, a[2] * s]; }
function dot3(a, b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
function cross3(a, b) { return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]; }

function rotateAbout(v, axis, angle) {
  const k = norm3(axis), c = Math.cos(angle), s = Math.sin(angle);
  const kv = cross3(k, v), kd = dot3(k, v);
  return [0, 1, 2].map((i) => v[i] * c + kv[i] * s + k[i] * kd * (1 - c));
}

class CameraRig {
  constructor(renderer, canvas, onChange) {
    this.renderer = renderer;
    this.camera = renderer.getActiveCamera();
    this.camera.setViewAngle(30);
    this.canvas = canvas;
    this.onChange = onChange;
    this.pointers = new Map();
    this.userMoved = false;
    this.dragDistance = 0;
    this.enabled = true;
    this._bind();
  }

  get() {
    const c = this.camera;
    return { position_mm: c.getPosition(), focal_point_mm: c.getFocalPoint(), view_up: c.getViewUp() };
  }

  set(view) {
    if (!view) return;
    const c = this.camera;
    c.setPosition(...view.position_mm);
    c.setFocalPoint(...view.focal_point_mm);
    c.setViewUp(...view.view_up);
    c.orthogonalizeViewUp();
    this.renderer.resetCameraClippingRange();
  }

  basis() {
    const c = this.get();
    const forward = norm3(sub3(c.focal_point_mm, c.position_mm));
    const right = norm3(cross3(forward, c.view_up));
    const up = cross3(right, forward);
    return { ...c, forward, right, up, distance: Math.hypot(...sub3(c.focal_point_mm, c.position_mm)) };
  }

  size() { const r = this.canvas.getBoundingClientRect(); return [r.width || 1, r.height || 1]; }

  // LPS mm -> CSS pixels relative to the canvas; null when behind the camera.
  project(p) {
    const b = this.basis();
    const [w, h] = this.size();
    const d = sub3(p, b.position_mm);
    const z = dot3(d, b.forward);
    if (z <= 1e-6) return null;
    const t = Math.tan((this.camera.getViewAngle() * Math.PI) / 360);
    const x = dot3(d, b.right) / (z * t * (w / h));
    const y = dot3(d, b.up) / (z * t);
    return { x: (x + 1) * 0.5 * w, y: (1 - y) * 0.5 * h, depth: z };
  }

  ray(px, py) {
    const b = this.basis();
    const [w, h] = this.size();
    const t = Math.tan((this.camera.getViewAngle() * Math.PI) / 360);
    const nx = ((2 * px) / w - 1) * t * (w / h);
    const ny = (1 - (2 * py) / h) * t;
    return { origin: b.position_mm, direction: norm3(add3(b.forward, add3(scale3(b.right, nx), scale3(b.up, ny)))) };
  }

  orbit(dx, dy) {
    const b = this.basis();
    const angleX = (-dx / this.size()[1]) * Math.PI * 1.2;
    const angleY = (-dy / this.size()[1]) * Math.PI * 1.2;
    let offset = sub3(b.position_mm, b.focal_point_mm);
    let up = b.up;
    offset = rotateAbout(offset, b.up, angleX);
    const right = norm3(cross3(norm3(scale3(offset, -1)), up));
    offset = rotateAbout(offset, right, angleY);
    up = rotateAbout(up, right, angleY);
    this.set({ position_mm: add3(b.focal_point_mm, offset), focal_point_mm: b.focal_point_mm, view_up: up });
  }

  zoom(factor) {
    const b = this.basis();
    const distance = Math.min(2000, Math.max(25, b.distance / factor));
    this.set({ position_mm: sub3(b.focal_point_mm, scale3(b.forward, distance)), focal_point_mm: b.focal_point_mm, view_up: b.up });
  }

  pan(dx, dy) {
    const b = this.basis();
    const mmPerPx = (2 * b.distance * Math.tan((this.camera.getViewAngle() * Math.PI) / 360)) / this.size()[1];
    const shift = add3(scale3(b.right, -dx * mmPerPx), scale3(b.up, dy * mmPerPx));
    this.set({ position_mm: add3(b.position_mm, shift), focal_point_mm: add3(b.focal_point_mm, shift), view_up: b.up });
  }

  // Frame a box [xmin,xmax,ymin,ymax,zmin,zmax] from the current direction.
  frame(bounds, fill = 0.7) {
    const b = this.basis();
    const centre = [(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, (bounds[4] + bounds[5]) / 2];
    const radius = 0.5 * Math.hypot(bounds[1] - bounds[0], bounds[3] - bounds[2], bounds[5] - bounds[4]);
    const t = Math.tan((this.camera.getViewAngle() * Math.PI) / 360);
    const distance = Math.max(25, radius / (t * fill));
    this.set({ position_mm: sub3(centre, scale3(b.forward, distance)), focal_point_mm: centre, view_up: b.up });
  }

  _changed() { this.userMoved = true; this.onChange(); }

  _bind() {
    const el = this.canvas;
    el.style.touchAction = "none";
    el.addEventListener("pointerdown", (e) => {
      if (!this.enabled) return;
      el.setPointerCapture?.(e.pointerId);
      this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, button: e.button, shift: e.shiftKey });
      if (this.pointers.size === 1) this.dragDistance = 0;
    });
    el.addEventListener("pointermove", (e) => {
      const prev = this.pointers.get(e.pointerId);
      if (!prev || !this.enabled) return;
      const pts = [...this.pointers.values()];
      if (this.pointers.size === 1) {
        const dx = e.clientX - prev.x, dy = e.clientY - prev.y;
        this.dragDistance += Math.abs(dx) + Math.abs(dy);
        if (prev.button === 2 || prev.button === 1 || prev.shift) this.pan(dx, dy);
        else this.orbit(dx, dy);
      } else if (this.pointers.size === 2) {
        const other = pts.find((p) => p !== prev);
        const before = Math.hypot(prev.x - other.x, prev.y - other.y);
        const after = Math.hypot(e.clientX - other.x, e.clientY - other.y);
        if (before > 0) this.zoom(after / before);
        this.pan((e.clientX - prev.x) / 2, (e.clientY - prev.y) / 2);
        this.dragDistance += 10;
      }
      prev.x = e.clientX; prev.y = e.clientY;
      this._changed();
    });
    const end = (e) => { this.pointers.delete(e.pointerId); };
    el.addEventListener("pointerup", end);
    el.addEventListener("pointercancel", end);
    el.addEventListener("contextmenu", (e) => e.preventDefault());
    el.addEventListener("wheel", (e) => {
      if (!this.enabled) return;
      e.preventDefault();
      this.zoom(Math.exp(-e.deltaY * 0.0015));
      this._changed();
    }, { passive: false });
  }
}

function clipKeeps(clip, x, y, z) {
  const [o, n] = clip;                                  // the side the normal points to is cut away
  return (x - o[0]) * n[0] + (y - o[1]) * n[1] + (z - o[2]) * n[2] <= 0;
}

// Möller–Trumbore: distance along the ray to the nearest triangle, or Infinity.
// With clip = [origin_mm, normal], hits on the cut-away side (where the normal points) are ignored.
function rayHit(ray, points, faces, maxT = Infinity, clip = null) {
  const [ox, oy, oz] = ray.origin, [dx, dy, dz] = ray.direction;
  let best = maxT;
  for (let f = 0; f < faces.length; f += 3) {
    const a = faces[f] * 3, b = faces[f + 1] * 3, c = faces[f + 2] * 3;
    const e1x = points[b] - points[a], e1y = points[b + 1] - points[a + 1], e1z = points[b + 2] - points[a + 2];
    const e2x = points[c] - points[a], e2y = points[c + 1] - points[a + 1], e2z = points[c + 2] - points[a + 2];
    const px = dy * e2z - dz * e2y, py = dz * e2x - dx * e2z, pz = dx * e2y - dy * e2x;
    const det = e1x * px + e1y * py + e1z * pz;
    if (Math.abs(det) < 1e-12) continue;
    const inv = 1 / det;
    const tx = ox - points[a], ty = oy - points[a + 1], tz = oz - points[a + 2];
    const u = (tx * px + ty * py + tz * pz) * inv;
    if (u < 0 || u > 1) continue;
    const qx = ty * e1z - tz * e1y, qy = tz * e1x - tx * e1z, qz = tx * e1y - ty * e1x;
    const v = (dx * qx + dy * qy + dz * qz) * inv;
    if (v < 0 || u + v > 1) continue;
    const t = (e2x * qx + e2y * qy + e2z * qz) * inv;
    if (t > 1e-6 && t < best && (!clip || clipKeeps(clip, ox + dx * t, oy + dy * t, oz + dz * t))) best = t;
  }
  return best;
}
