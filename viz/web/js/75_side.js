// Clinician side panel: live metrics at a chosen level, the axial inset,
// layers, bone transparency, the drawing layer, structures, evidence.

const LAYER_GROUPS = ["bone", "disc", "ligament", "dural_sac", "nerve", "fat", "instrument", "body"];

Object.assign(Player.prototype, {
  buildSidePanel() {
    const w = this.words;
    const levels = [...new Set(this.story.parts.filter((p) => p.group === "disc").map((p) => p.name))];
    // Open on the level the story treats: the one whose ligament MILD trims.
    const treated = this.story.parts.find((p) => p.group === "ligament" && p.full.bites.length);
    this.level = treated && levels.includes(treated.level) ? treated.level : levels.includes("L4-L5") ? "L4-L5" : levels[0];
    const levelSel = h("select", { class: "mild-select", "aria-label": w.ui("level", "Level"), onchange: (e) => { this.level = e.target.value; this.dirty = true; } },
      ...levels.map((l) => h("option", { value: l, selected: l === this.level }, l)));
    this.metricsEl = h("table", { class: "mild-metrics" });
    this.insetCanvas = h("canvas", { class: "mild-inset", width: "260", height: "220", role: "img", "aria-label": w.ui("inset", "Cross-section at the chosen level") });
    const present = new Set([...this.story.parts, ...this.story.instruments].map((p) => p.group));
    const layers = LAYER_GROUPS.filter((g) => present.has(g)).map((g) => {
      const box = h("input", { type: "checkbox", checked: true, "data-group": g });
      box.addEventListener("change", () => { this.visibleGroups = { ...(this.visibleGroups || {}), [g]: box.checked }; this.dirty = true; });
      return h("label", { class: "mild-check" }, box, w.layer(g));
    });
    const boneSlider = h("input", { type: "range", min: "0.1", max: "1", step: "0.05", value: "1", "aria-label": w.ui("bone_opacity", "Bone transparency") });
    boneSlider.addEventListener("input", () => { this.boneOpacity = Number(boneSlider.value); this.dirty = true; });
    const drawBtn = h("button", { type: "button", class: "mild-btn mild-wide", "aria-pressed": "false" }, w.ui("draw", "Draw"));
    drawBtn.addEventListener("click", () => {
      const on = drawBtn.getAttribute("aria-pressed") !== "true";
      drawBtn.setAttribute("aria-pressed", String(on));
      this.sketch.setActive(on);
      this.rig.enabled = !on;
    });
    const keep = h("input", { type: "checkbox", checked: !!this.keepSketch });
    keep.addEventListener("change", () => { this.keepSketch = keep.checked; this.syncUrl(); });
    const ev = w.evidence();
    const evidence = h("details", { class: "mild-evidence" }, h("summary", {}, w.ui("evidence", "Evidence")),
      h("p", {}, ev.summary), ...ev.sources.map((src) => h("p", {}, h("cite", {}, src.name), src.detail)));
    this.sidePanel = h("aside", { class: "mild-side", "aria-label": w.ui("clinician_tools", "Clinician tools") },
      h("h2", {}, w.ui("measurements", "Measurements")), levelSel, this.metricsEl, this.insetCanvas,
      h("h2", {}, w.ui("layers_title", "Layers")), h("div", { class: "mild-layers" }, ...layers),
      h("label", { class: "mild-range" }, w.ui("bone_opacity", "Bone transparency"), boneSlider),
      h("h2", {}, w.ui("annotate", "Annotate")),
      h("div", { class: "mild-row" }, drawBtn, h("button", { type: "button", class: "mild-btn mild-wide", onclick: () => this.sketch.clear() }, w.ui("clear", "Clear"))),
      h("label", { class: "mild-check" }, keep, w.ui("keep_drawing", "Keep drawing in the link")),
      this.buildStructureList(), this.buildScanUpload(), evidence);
    this.root.append(this.sidePanel);
    this.root.classList.add("mild-has-side");
  },

  // A patient's own scan (clinician mode in the app only): sent in chunks, kept in the session's memory.
  buildScanUpload() {
    const scan = this.options.scan;
    if (!scan || !this.hooks.sendScan) return null;
    const w = this.words;
    const input = h("input", { type: "file", class: "mild-file", accept: scan.accept.join(","), "aria-label": w.ui("scan_choose", "Load a patient's scan") });
    this.scanStatusEl = h("p", { class: "mild-scan-status", role: "status", "aria-live": "polite" });
    input.addEventListener("change", () => {
      const file = input.files && input.files[0];
      if (!file) return;
      if (file.size > scan.max_bytes) {
        this.showScanStatus(["error", w.format(w.ui("scan_too_large", "The file is larger than the {mb} MB limit."), { mb: Math.round(scan.max_bytes / 2 ** 20) })]);
        return;
      }
      this.showScanStatus(["receiving", ""]);
      this.hooks.sendScan(file, scan.chunk_bytes, (share) => {
        this.scanStatusEl.textContent = `${w.ui("scan_sending", "Sending")} ${Math.round(100 * share)} %`;
      });
    });
    return h("details", { class: "mild-scan" }, h("summary", {}, w.ui("scan_title", "Patient's own scan")),
      h("label", { class: "mild-file-label" }, w.ui("scan_choose", "Load a patient's scan"), input),
      h("p", { class: "mild-privacy" }, scan.privacy), this.scanStatusEl);
  },

  showScanStatus([state, message]) {
    if (!this.scanStatusEl) return;
    const w = this.words;
    const text = { receiving: w.ui("scan_sending", "Sending"), processing: w.ui("scan_processing", "Building the patient's model…") }[state];
    this.scanStatusEl.textContent = message || text || "";
    this.scanStatusEl.dataset.state = state;
  },

  buildStructureList() {
    const w = this.words;
    const search = h("input", { type: "search", class: "mild-search", placeholder: w.ui("search", "Search structures"), "aria-label": w.ui("search", "Search structures") });
    const list = h("ul", { class: "mild-structures" });
    const groups = new Map();
    for (const p of [...this.story.parts, ...this.story.instruments]) {
      if (!groups.has(p.group)) groups.set(p.group, []);
      groups.get(p.group).push(p);
    }
    for (const [group, parts] of groups) {
      list.append(h("li", { class: "mild-group" }, w.layer(group)));
      for (const p of parts) {
        const label = w.structure(p).name;
        const box = h("input", { type: "checkbox", checked: true, "aria-label": `${w.ui("show", "Show")} ${label}` });
        box.addEventListener("change", () => { if (box.checked) this.hiddenParts.delete(p.name); else this.hiddenParts.add(p.name); this.dirty = true; });
        list.append(h("li", { class: "mild-structure", "data-name": p.name, "data-search": `${label} ${p.name}`.toLowerCase() }, box,
          h("span", {}, label), h("button", { type: "button", class: "mild-mini", onclick: () => this.focusOn(p.name) }, w.ui("focus", "Focus"))));
      }
    }
    search.addEventListener("input", () => {
      const q = search.value.trim().toLowerCase();
      for (const li of list.querySelectorAll(".mild-structure")) li.hidden = !!q && !li.dataset.search.includes(q);
    });
    return h("details", { class: "mild-structure-box" }, h("summary", {}, w.ui("structures", "Structures")), search, list);
  },

  updateSide() {
    if (!this.sidePanel) return;
    const now = performance.now();
    if (this.playing && now - (this.sideDrawn || 0) < 120) return;
    this.sideDrawn = now;
    const levels = metricsAt(this.story.meta.metrics, this.t_s) || {};
    const m = levels[this.level];
    this.liveMetrics = levels;
    this.metricsEl.replaceChildren(...metricRows(this.words, m).map(([k, v, key]) => h("tr", { "data-metric": key }, h("th", {}, k), h("td", {}, v))));
    const disc = this.actors.find((a) => a.part.name === this.level && a.part.group === "disc");
    const sac = this.actors.find((a) => a.part.group === "dural_sac");
    if (!disc || !sac) return;
    const active = (a) => (a.full.actor.getVisibility() ? a.full : a.light && a.light.actor.getVisibility() ? a.light : a.full);
    const dp = active(disc).points;
    let z = 0;
    for (let i = 2; i < dp.length; i += 3) z += dp[i];
    z /= dp.length / 3;
    const sp = active(sac).points;
    let cx = 0, cy = 0, n = 0;
    for (let i = 0; i < sp.length; i += 3) if (Math.abs(sp[i + 2] - z) < 4) { cx += sp[i]; cy += sp[i + 1]; n++; }
    const centre = n ? [cx / n, cy / n + 8] : [0, 0];
    const groups = new Set(["bone", "disc", "ligament", "dural_sac", "nerve", "fat", "instrument"]);
    const slice = this.actors.filter((a) => groups.has(a.part.group) && (a.full.actor.getVisibility() || (a.light && a.light.actor.getVisibility()))).map(active);
    drawSection(this.insetCanvas, slice, z, centre, 4, this.words);
  },
});
