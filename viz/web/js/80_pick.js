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
      const t = rayHit(ray, a.points, a.lod.faces, best.t);
      if (t < best.t) best = { t, name: a.part.name };
    }
    return best.name;
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

  focusOn(name) {
    const bounds = this.partBounds(name);
    if (!bounds) return;
    this.focus = name;
    this.picked = null;
    this.select(name);
    this.hiddenParts.delete(name);
    this.rig.frame(bounds, 0.9);
    this.rig.userMoved = true;
    this.dirty = true;
    this.syncUrl();
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
    const actors = this.visibleActors().filter((a) => a.actor.getProperty().getOpacity() >= 0.5);
    const b = this.rig.basis();
    for (const pin of this.pins) {
      const p = this.rig.project(pin.spot.position_mm);
      if (!p) { pin.el.hidden = true; continue; }
      const d = sub3(pin.spot.position_mm, b.position_mm);
      const distance = Math.hypot(...d);
      const ray = { origin: b.position_mm, direction: norm3(d) };
      let occluded = false;
      for (const a of actors) {
        if (rayHit(ray, a.points, a.lod.faces, distance - 2.5) < distance - 2.5) { occluded = true; break; }
      }
      pin.el.hidden = occluded;
      pin.el.dataset.occluded = String(occluded);
      pin.el.style.transform = `translate(${p.x}px, ${p.y}px)`;
      pin.screen = p;
    }
  },
});
