// Tap-to-name, hotspots and focus, all in the browser on the loaded geometry.

Object.assign(Player.prototype, {
  visibleActors() {
    const out = [];
    for (const a of this.actors) {
      for (const lod of [a.full, a.light]) if (lod && lod.actor.getVisibility()) out.push(lod);
    }
    return out;
  },

  // Nearest visible structure under a canvas pixel, or null.
  pickAt(px, py) {
    const ray = this.rig.ray(px, py);
    let best = { t: Infinity, name: null };
    for (const a of this.visibleActors()) {
      if (a.actor.getProperty().getOpacity() < 0.2) continue;
      const t = rayHit(ray, a.points, a.lod.faces, best.t, a.clip);
      if (t < best.t) best = { t, name: a.part.name };
    }
    return best.name;
  },

  // A canvas pixel where a tap would pick `name`, as near the middle of the
  // structure's silhouette as possible (for tests and guided tours), or null.
  screenPointOf(name) {
    const a = this.actors.find((x) => x.part.name === name);
    if (!a) return null;
    const lod = a.full.actor.getVisibility() ? a.full : a.light;
    const [w, hgt] = this.rig.size();
    const n = lod.points.length / 3, step = Math.max(1, Math.floor(n / 600));
    const shown = [];
    for (let v = 0; v < n; v += step) {
      const p = this.rig.project([lod.points[3 * v], lod.points[3 * v + 1], lod.points[3 * v + 2]]);
      if (p && p.x > 4 && p.y > 4 && p.x < w - 4 && p.y < hgt - 4) shown.push(p);
    }
    if (!shown.length) return null;
    const cx = shown.reduce((s, p) => s + p.x, 0) / shown.length, cy = shown.reduce((s, p) => s + p.y, 0) / shown.length;
    const candidates = [{ x: cx, y: cy }, ...shown.map((p) => ({ x: (2 * p.x + cx) / 3, y: (2 * p.y + cy) / 3 }))];
    candidates.sort((p, q) => Math.hypot(p.x - cx, p.y - cy) - Math.hypot(q.x - cx, q.y - cy));
    return candidates.find((p) => this.pickAt(p.x, p.y) === name) || null;
  },

  bindPicking() {
    this.canvas.addEventListener("pointerup", (e) => {
      if (this.rig.dragDistance > 6 || this.sketch?.active) return;
      const r = this.canvas.getBoundingClientRect();
      this.select(this.pickAt(e.clientX - r.left, e.clientY - r.top));
    });
  },

  select(name) {
    this.picked = name && name !== this.picked ? name : null;
    this.dirty = true;
    if (!this.picked) { this.labelEl.hidden = true; return; }
    const part = this.actors.find((a) => a.part.name === this.picked).part;
    const s = this.words.structure(part);
    let line = s.line;
    const m = part && part.level && (this.liveMetrics || metricsAt(this.story.meta.metrics, this.t_s) || {})[part.level];
    if (this.options.mode === "clinician" && m && part.group === "ligament" && part.side) {
      line = `${line} ${this.words.ui("now", "Now")}: ${fmt((m.lf_thickness_mm || {})[part.side])} mm.`;
    }
    this.labelEl.replaceChildren(h("strong", {}, s.name), line ? h("span", {}, line) : "");
    this.labelEl.hidden = false;
  },

  partBounds(name) {
    const a = this.actors.find((x) => x.part.name === name);
    if (!a) return null;
    const p = a.full.points;
    const b = [Infinity, -Infinity, Infinity, -Infinity, Infinity, -Infinity];
    for (let i = 0; i < p.length; i += 3) {
      for (let k = 0; k < 3; k++) { b[2 * k] = Math.min(b[2 * k], p[i + k]); b[2 * k + 1] = Math.max(b[2 * k + 1], p[i + k]); }
    }
    return b;
  },

  // Frame a structure from outside the spine (from the canal axis out through
  // the structure; from behind for central ones), fade the rest, name it.
  focusOn(name) {
    const bounds = this.partBounds(name);
    if (!bounds) return;
    this.focus = name;
    this.picked = null;
    this.select(name);
    this.hiddenParts.delete(name);
    const centre = [(bounds[0] + bounds[1]) / 2, (bounds[2] + bounds[3]) / 2, (bounds[4] + bounds[5]) / 2];
    const axis = this.canalAxisAt(centre[2]);
    let out = [centre[0] - axis[0], centre[1] - axis[1], 0];
    if (Math.hypot(out[0], out[1]) < 6) out = [0, 1, 0];
    out = norm3([out[0], out[1] + 0.6 * Math.hypot(out[0], out[1]), 0.35 * Math.hypot(out[0], out[1])]);
    this.rig.set({ position_mm: add3(centre, scale3(out, 300)), focal_point_mm: centre, view_up: [0, 0, 1] });
    this.rig.frame(bounds, 0.75);
    this.rig.userMoved = true;
    this.dirty = true;
    this.syncUrl();
  },

  // The dural sac's centre (x, y) near height z_mm: the canal's axis.
  canalAxisAt(z_mm) {
    const sac = this.actors.find((a) => a.part.group === "dural_sac");
    if (!sac) return [0, 0];
    const p = sac.full.points;
    let x = 0, y = 0, n = 0;
    for (let i = 0; i < p.length; i += 3) if (Math.abs(p[i + 2] - z_mm) < 6) { x += p[i]; y += p[i + 1]; n++; }
    return n ? [x / n, y / n] : [0, 0];
  },

  buildPins() {
    this.pins = (this.stage.hotspots || []).map((spot, i) => {
      const text = this.words.hotspot(this.stage.id, spot.id);
      const bubble = h("div", { class: "mild-pin-text", hidden: true }, text);
      const btn = h("button", { type: "button", class: "mild-pin", "aria-label": `${i + 1}. ${text || spot.id}`, "data-hotspot": spot.id },
        String(i + 1));
      btn.addEventListener("click", () => { bubble.hidden = !bubble.hidden; });
      const el = h("div", { class: "mild-pin-wrap" }, btn, bubble);
      return { spot, el };
    });
    this.pinLayer.replaceChildren(...this.pins.map((p) => p.el));
  },

  placePins() {
    if (!this.pins || !this.pins.length) return;
    const now = performance.now();
    if (this.playing && now - (this.pinsPlaced || 0) < 200) return;
    this.pinsPlaced = now;
    const actors = this.visibleActors().filter((a) => a.actor.getProperty().getOpacity() >= 0.8);
    const b = this.rig.basis();
    const view = this.viewEl.getBoundingClientRect();
    for (const pin of this.pins) {
      const p = this.rig.project(pin.spot.position_mm);
      const outside = !p || p.x < 0 || p.y < 0 || p.x > view.width || p.y > view.height;  // never over the caption
      if (outside) { if (!pin.el.hidden) pin.el.hidden = true; continue; }
      const d = sub3(pin.spot.position_mm, b.position_mm);
      const distance = Math.hypot(...d);
      const ray = { origin: b.position_mm, direction: norm3(d) };
      let occluded = false;
      for (const a of actors) {
        if (a.part.name === pin.spot.part) continue;    // a pin marks its own structure, often from inside
        if (rayHit(ray, a.points, a.lod.faces, distance - 2.5, a.clip) < distance - 2.5) { occluded = true; break; }
      }
      if (pin.el.hidden !== occluded) { pin.el.hidden = occluded; pin.el.dataset.occluded = String(occluded); }
      const transform = `translate(${Math.round(p.x)}px, ${Math.round(p.y)}px)`;
      if (pin.el.style.transform !== transform) pin.el.style.transform = transform;
      pin.screen = p;
    }
  },
});
