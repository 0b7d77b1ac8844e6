// Page chrome around the 3D view: title, caption, play bar, notices, X-ray
// panel, before/after slider, teach-back. Embed mode keeps only the view and a
// minimal play bar. Every control has a label and a 44 px touch target.

Object.assign(Player.prototype, {
  buildDom() {
    const o = this.options, w = this.words;
    this.root.classList.add("mild-root", `mild-${o.mode}`);
    if (o.embed) this.root.classList.add("mild-embed");
    this.root.setAttribute("lang", o.lang);
    this.viewEl = h("div", { class: "mild-view" });
    this.sketchCanvas = h("canvas", { class: "mild-sketch", "aria-hidden": "true" });
    this.pinLayer = h("div", { class: "mild-pins" });
    this.labelEl = h("div", { class: "mild-label", role: "status", "aria-live": "polite", hidden: true });
    this.titleEl = h("h1", { class: "mild-title" });
    this.stepEl = h("p", { class: "mild-step" });
    this.captionEl = h("p", { class: "mild-caption", "aria-live": "polite" });
    this.noticeEl = h("div", { class: "mild-notice", role: "alert", hidden: true });
    this.xrayEl = h("div", { class: "mild-xray", role: "group", hidden: true });
    this.bar = h("div", { class: "mild-bar", role: "toolbar", "aria-label": w.ui("timeline", "Story timeline") });
    this.extraEl = h("div", { class: "mild-extra" });
    const top = h("header", { class: "mild-top" }, h("div", { class: "mild-heading" }, this.stepEl, this.titleEl), this.modeLinks());
    const bottom = h("div", { class: "mild-bottom" }, this.extraEl, this.captionEl, this.bar,
      o.mode === "patient" && !o.embed ? h("p", { class: "mild-disclaimer" }, w.ui("disclaimer", "For learning only. Your own doctor decides whether MILD is right for you.")) : null);
    this.root.replaceChildren(this.viewEl, this.sketchCanvas, this.pinLayer, this.labelEl, top, this.noticeEl, this.xrayEl, bottom);
    this.showProblems(o.problems || []);
  },

  modeLinks() {
    if (this.options.embed || this.hooks.standalone) return null;
    const w = this.words;
    const link = (label, params, current) => h("a", { class: "mild-link", href: this.linkWith(params), "aria-current": current ? "page" : null }, label);
    return h("nav", { class: "mild-modes", "aria-label": w.ui("settings", "Settings") },
      link(w.ui("mode_patient", "Patient"), { mode: "patient" }, this.options.mode === "patient"),
      link(w.ui("mode_clinician", "Clinician"), { mode: "clinician" }, this.options.mode === "clinician"),
      link("English", { lang: "en" }, this.options.lang === "en"),
      link("Español", { lang: "es" }, this.options.lang === "es"));
  },

  showProblems(problems) {
    if (!problems.length) return;
    const w = this.words;
    const lines = problems.map(([param, value]) => w.unknownParameter(param, value));
    this.noticeEl.replaceChildren(h("p", {}, lines.join(" ")),
      iconButton(w.ui("dismiss", "Dismiss"), "close", () => { this.noticeEl.hidden = true; }));
    this.noticeEl.hidden = false;
  },

  buildControls() {
    const w = this.words, o = this.options;
    this.playBtn = h("button", { type: "button", class: "mild-btn mild-play", "aria-label": w.ui("play", "Play"), onclick: () => this.setPlaying(!this.playing) },
      icon("play"));
    this.scrub = h("input", { type: "range", class: "mild-scrub", min: "0", max: String(this.story.total_s), step: "0.05", value: "0", "aria-label": w.ui("scrub", "Story position") });
    this.scrub.addEventListener("input", () => { this.t_s = Number(this.scrub.value); this.playing = false; this.stopAt = null; this.rig.userMoved = false; this.dirty = true; this.syncControls(); });
    const ticks = h("div", { class: "mild-ticks", "aria-hidden": "true" }, ...this.story.stages.map((s) => h("span", { style: `left:${(100 * s.start_s) / this.story.total_s}%` })));
    const parts = [
      iconButton(w.ui("restart", "Restart"), "restart", () => this.goToStage(0, { play: true })),
      iconButton(w.ui("previous_step", "Previous step"), "previous", () => this.goToStage(this.stageIndex - 1, { step: !this.playing, play: this.playing })),
      this.playBtn,
      iconButton(w.ui("next_step", "Next step"), "next", () => this.goToStage(this.stageIndex + 1, { step: !this.playing, play: this.playing })),
      h("div", { class: "mild-scrub-wrap" }, this.scrub, ticks),
    ];
    if (!o.embed) {
      this.speedSel = h("select", { class: "mild-select", "aria-label": w.ui("speed", "Speed"), onchange: (e) => { this.speed = Number(e.target.value); } },
        ...SPEEDS.map((s) => h("option", { value: String(s), selected: s === 1 }, `${s}×`)));
      this.viewSel = h("select", { class: "mild-select", "aria-label": w.ui("view", "View"), onchange: (e) => this.setView(e.target.value) },
        h("option", { value: "" }, w.ui("view_story", "Story view")),
        ...Object.keys(this.story.meta.views || {}).map((v) => h("option", { value: v }, w.view(v))));
      this.readBtn = iconButton(w.ui("read_aloud", "Read aloud"), "speaker", () => this.toggleReadAloud(), { "aria-pressed": "false" });
      if (!window.speechSynthesis) this.readBtn.disabled = true;
      parts.push(this.speedSel, this.viewSel, this.readBtn);
    } else {
      this.ccBtn = iconButton(w.ui("captions", "Captions"), "captions", () => { this.root.classList.toggle("mild-cc"); this.ccBtn.setAttribute("aria-pressed", String(this.root.classList.contains("mild-cc"))); }, { "aria-pressed": "false" });
      parts.push(this.ccBtn);
    }
    parts.push(iconButton(w.ui("reset_view", "Reset view"), "home", () => this.resetView()));
    this.bar.append(...parts);
    this.keyHandler = (e) => this.onKey(e);
    window.addEventListener("keydown", this.keyHandler);
    if (o.mode === "clinician" && !o.embed) this.buildSidePanel();
    this.sketch = new Sketch(this.sketchCanvas, () => this.syncUrl());
    this.sketch.setActive(false);
    const hash = new URLSearchParams((location.hash || "").slice(1));
    if (hash.get("draw")) { this.sketch.decode(hash.get("draw")); this.keepSketch = true; }
    this.applyInitialOptions();
  },

  applyInitialOptions() {
    const o = this.options;
    const ids = this.story.stages.map((s) => s.id);
    const i = Math.max(0, ids.indexOf(o.stage));
    this.goToStage(i, { play: !!o.autoplay && !this.reducedMotion });
    this.apply();
    if (o.view) this.setView(o.view);
    if (o.focus) this.focusOn(o.focus);
  },

  setView(name) {
    const view = (this.story.meta.views || {})[name];
    this.currentView = view ? name : "";
    if (this.viewSel) this.viewSel.value = this.currentView;
    this.userClip = view ? view.clip_plane || null : null;
    if (!view) { this.rig.userMoved = false; this.dirty = true; this.syncUrl(); return; }
    this.rig.set(view);
    this.rig.userMoved = true;
    this.dirty = true;
    this.syncUrl();
  },

  resetView() {
    this.focus = null;
    this.picked = null;
    this.labelEl.hidden = true;
    this.setView("");
  },

  onKey(e) {
    const tag = (e.target && e.target.tagName) || "";
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(tag) || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === " " && tag !== "BUTTON") { e.preventDefault(); this.setPlaying(!this.playing); }
    else if (e.key === "ArrowRight") { e.preventDefault(); this.goToStage(this.stageIndex + 1, { step: !this.playing, play: this.playing }); }
    else if (e.key === "ArrowLeft") { e.preventDefault(); this.goToStage(this.stageIndex - 1, { step: !this.playing, play: this.playing }); }
    else if (e.key === "Home") { e.preventDefault(); this.goToStage(0); }
  },

  syncControls() {
    const w = this.words;
    this.playBtn.setAttribute("aria-label", this.playing ? w.ui("pause", "Pause") : w.ui("play", "Play"));
    this.playBtn.title = this.playBtn.getAttribute("aria-label");
    this.playBtn.replaceChildren(icon(this.playing ? "pause" : "play"));
  },

  onStageChanged(i) {
    const previous = this.stageIndex;
    this.stageIndex = i;
    const s = this.stage;
    const text = this.words.stage(s.id);
    this.titleEl.textContent = text.title;
    this.captionEl.textContent = text.caption;
    this.stepEl.textContent = this.words.format(this.words.ui("step_of", "Step {n} of {total}"), { n: i + 1, total: this.story.stages.length });
    if (previous !== -1) { this.rig.userMoved = false; this.currentView = ""; if (this.viewSel) this.viewSel.value = ""; }
    this.compare = null;
    this.buildStageExtras();
    this.buildPins();
    this.syncUrl();
    if (this.hooks.onStage) this.hooks.onStage(s.id);
    if (this.readingAloud) this.speak();
  },

  buildStageExtras() {
    const s = this.stage, w = this.words;
    this.extraEl.replaceChildren();
    if (s.id === "decompressed" && !this.options.embed) {
      const slider = h("input", { type: "range", min: "0", max: "1", step: "0.01", value: "1", class: "mild-compare", "aria-label": w.ui("compare", "Before and after") });
      slider.addEventListener("input", () => { this.compare = Number(slider.value); this.playing = false; this.dirty = true; });
      this.extraEl.append(h("label", { class: "mild-compare-wrap" }, h("span", {}, w.ui("before", "Before")), slider, h("span", {}, w.ui("after", "After"))));
    }
    if (s.id === this.story.stages[this.story.stages.length - 1].id && this.words.quiz().length && !this.options.embed) {
      this.extraEl.append(h("button", { type: "button", class: "mild-btn mild-wide", onclick: () => this.openQuiz() }, w.ui("quiz_open", "Check what you learned")));
    }
  },

  openQuiz() {
    this.setPlaying(false);
    const close = () => { dialog.remove(); this.root.focus(); };
    const dialog = buildQuiz(this.words, close);
    this.root.append(dialog);
    dialog.querySelector("button")?.focus();
  },

  updateOverlays(local_s) {
    const s = this.stage;
    // Touch the page only when something changed: on software rendering every
    // style change (even setting an attribute to its own value) costs a repaint.
    const now = performance.now();
    if (this.scrub && document.activeElement !== this.scrub && (!this.playing || now - (this.scrubMoved || 0) > 100)) {
      const value = String(this.t_s);
      if (this.scrub.value !== value) { this.scrub.value = value; this.scrubMoved = now; }
    }
    const shown = this.xrayImages(s);
    const key = shown.join("|");
    if (key && !this.options.embed) {
      if (this.xrayEl.dataset.images !== key) {
        const images = this.story.meta.images;
        const w = this.words;
        this.xrayEl.dataset.images = key;
        this.xrayEl.replaceChildren(...shown.map((name) => h("figure", { class: "mild-xray-image" },
          h("img", { src: images[name], alt: w.ui("xray_alt", "Simulated X-ray picture made from the 3D model") }),
          h("figcaption", {}, w.ui(name.startsWith("xray_ap") ? "xray_ap" : "xray_oblique", name.startsWith("xray_ap") ? "X-ray from the back" : "Slanted X-ray")))));
      }
      if (this.xrayEl.hidden) this.xrayEl.hidden = false;
    } else if (!this.xrayEl.hidden) {
      this.xrayEl.hidden = true;
      delete this.xrayEl.dataset.images;
    }
    this.placePins();
    if (this.updateSide) this.updateSide();
  },

  // Simulated X-ray pictures for the current view or stage (computed from the 3D model).
  xrayImages(stage) {
    const images = this.story.meta.images || {};
    const portal = stage.id === "incision" || stage.id === "removal";
    let names = [];
    if (this.currentView === "xray") names = ["xray_ap"];
    else if (this.currentView === "oblique") names = [portal && images.xray_oblique_portal ? "xray_oblique_portal" : "xray_oblique"];
    else if (stage.overlay === "xray") names = ["xray_ap", "xray_oblique"];
    return names.filter((n) => images[n]);
  },

  linkWith(params) {
    const q = new URLSearchParams(location.search);
    for (const [k, v] of Object.entries(params)) { if (v) q.set(k, v); else q.delete(k); }
    return `${location.pathname}?${q.toString()}`;
  },

  syncUrl() {
    if (this.stageIndex < 0) return;
    const o = this.options;
    const q = new URLSearchParams();
    q.set("stage", this.stage.id);
    if (this.currentView) q.set("view", this.currentView);
    if (o.mode !== "patient") q.set("mode", o.mode);
    if (o.lang !== "en") q.set("lang", o.lang);
    if (o.embed) q.set("embed", "1");
    if (this.focus) q.set("focus", this.focus);
    const hash = this.keepSketch && this.sketch && this.sketch.strokes.length ? `#draw=${this.sketch.encode()}` : "";
    try {
      if (this.hooks.standalone) history.replaceState(null, "", `#${q.toString()}`);
      else history.replaceState(null, "", `${location.pathname}?${q.toString()}${hash}`);
    } catch (err) { /* some hosts (file://, sandboxed frames) refuse; the story still plays */ }
  },

  toggleReadAloud() {
    this.readingAloud = !this.readingAloud;
    this.readBtn.setAttribute("aria-pressed", String(this.readingAloud));
    if (this.readingAloud) this.speak(); else window.speechSynthesis.cancel();
  },

  speak() {
    const synth = window.speechSynthesis;
    if (!synth) return;
    synth.cancel();
    const text = this.words.stage(this.stage.id);
    const u = new SpeechSynthesisUtterance(`${text.title}. ${text.caption}`);
    u.lang = this.options.lang === "es" ? "es-ES" : "en-US";
    u.rate = 0.95;
    this.lastSpoken = u.text;
    synth.speak(u);
  },
});
