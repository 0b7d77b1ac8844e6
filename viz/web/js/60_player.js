// The player: a story (decoded bundle) on a vtk.js scene, played in
// requestAnimationFrame. Geometry arrives once; no frame ever goes to the server.

const SPEEDS = [0.5, 1, 1.5, 2];
// No multisampling: it costs most of each moving frame on software WebGL
// (measured 9 → 17 frames/s without it). Instead, where a still picture comes
// back within REST_FAST_MS, the still is drawn at REST_SUPERSAMPLE× the
// screen's pixels and scaled down by the browser: smooth edges for free on a
// real GPU, no extra seconds on a software one.
const REST_SUPERSAMPLE = 1.5;
const REST_FAST_MS = 60;
const REST_DELAY_MS = 250;
// Quality while moving, best first; playback starts at the lightest and the
// player steps up while the frame rate it measures stays above 35/s (down
// again below 18/s), so slow devices never stutter while it finds its level.
// "solid" draws the mostly-opaque translucent parts (dural sac) opaque:
// translucency costs extra full-screen passes on software WebGL. At rest: full
// detail at this.restScale (1, or REST_SUPERSAMPLE where stills are cheap).
const MOTION_QUALITY = [
  { scale: 0.8, solid: false }, { scale: 0.6, solid: false }, { scale: 0.6, solid: true },
  { scale: 0.45, solid: true }, { scale: 0.35, solid: true },
];

class Player {
  constructor(vtk, root, story, options, hooks) {
    this.vtk = vtk;
    this.root = root;
    this.story = story;
    this.options = options;
    this.hooks = hooks;               // {onStage(id), standalone}
    this.words = new Words(story.meta.text, options.lang, options.mode);
    this.t_s = 0;
    this.playing = false;
    this.stopAt = null;               // stage end when stepping one stage
    this.speed = 1;
    this.stageIndex = -1;
    this.visibleGroups = null;        // user layer toggles (null = stage decides)
    this.hiddenParts = new Set();
    this.boneOpacity = 1;
    this.picked = null;
    this.focus = null;
    this.compare = null;              // before/after slider value, or null
    this.lastMove = 0;
    this.dirty = true;
    this.stats = { frames: 0, draws: 0, fps: 0, firstDrawMs: null, lod: "full", scale: 1, triangles: 0 };
    this.motionLevel = MOTION_QUALITY.length - 1;
    this.restScale = 1;               // REST_SUPERSAMPLE once a still proves cheap
    this.reducedMotion = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
    this.buildDom();
    const dark = options.mode === "clinician";
    const gl = createRenderer(vtk, this.viewEl, dark ? [0.09, 0.12, 0.16] : [0.93, 0.95, 0.97]);
    Object.assign(this, gl);
    this.canvas.setAttribute("aria-label", this.words.ui("canvas_label", "3D model of the lower spine"));
    this.rig = new CameraRig(this.renderer, this.canvas, () => { this.lastMove = performance.now(); this.dirty = true; });
    this.actors = [];
    for (const part of [...story.parts, ...story.instruments]) {
      const glow = story.meta.pinch_color || GLOW_RGB;
      const full = new SceneActor(vtk, this.renderer, part, part.full, glow);
      const light = part.light ? new SceneActor(vtk, this.renderer, part, part.light, glow) : null;
      this.actors.push({ part, full, light });
    }
    this.bindPicking();
    this.buildControls();
    this.resizeObserver = new ResizeObserver(() => { this.resize(); this.dirty = true; });
    this.resizeObserver.observe(this.root);
    this.resizeObserver.observe(this.root.querySelector(".mild-bottom"));
    this.start();
  }

  get stage() { return this.story.stages[this.stageIndex]; }

  stageEnd(i) { const s = this.story.stages[i]; return s.start_s + s.duration_s - 1e-3; }

  // -- time -------------------------------------------------------------
  goToStage(i, { play = false, step = false } = {}) {
    i = Math.max(0, Math.min(this.story.stages.length - 1, i));
    const s = this.story.stages[i];
    this.rig.userMoved = false;
    if (this.reducedMotion && !play) {
      this.t_s = this.stageEnd(i); this.playing = false; this.stopAt = null;
    } else if (play || step) {
      this.t_s = s.start_s; this.playing = true; this.stopAt = step ? this.stageEnd(i) : null;
    } else {
      this.t_s = this.stageEnd(i); this.playing = false; this.stopAt = null;
    }
    this.dirty = true;
    this.syncControls();
  }

  setPlaying(on) {
    if (on && this.t_s >= this.story.total_s - 2e-3) this.t_s = 0;
    this.playing = on;
    this.stopAt = null;
    this.dirty = true;
    this.syncControls();
  }

  advance(dt_s) {
    if (!this.playing) return;
    this.t_s += dt_s * this.speed;
    const limit = this.stopAt == null ? this.story.total_s : this.stopAt;
    if (this.t_s >= limit) { this.t_s = limit; this.playing = false; this.stopAt = null; this.syncControls(); }
    this.dirty = true;
  }

  // -- what the scene looks like at t_s ------------------------------------
  anatomyNow() {
    if (this.compare != null) {
      return { from: "stenosis", to: "decompressed", u: this.compare, removal: this.compare };
    }
    const s = this.stage;
    return anatomyAt(s, (this.t_s - s.start_s) / s.duration_s);
  }

  stenosisWeight(a) {
    const w = (state) => (state === "stenosis" ? 1 : 0);
    return w(a.from) * (1 - a.u) + w(a.to) * a.u;
  }

  // Opacity of a part now: the stage's rule (faded between stages), the
  // user's layer and structure toggles, bone transparency, focus, motion quality.
  // pose: the part's track pose in this stage (instruments, dye, C-arm) or null.
  opacityNow(part, index, local_s, pose) {
    if (this.visibleGroups && this.visibleGroups[part.group] === false) return 0;
    if (this.hiddenParts.has(part.name)) return 0;
    let o;
    if (part.kind === "instrument" && part.group !== "body") o = pose && pose.visible ? part.opacity : 0;
    else if (pose && !pose.visible) o = 0;
    else o = opacityAt(this.story, index, local_s, part);
    if (this.visibleGroups && this.visibleGroups[part.group] === true && o === 0 && part.kind === "anatomy") o = part.opacity;
    if (part.group === "bone") o *= this.boneOpacity;
    if (this.focus && this.focus !== part.name) o *= 0.22;
    if (this.moving && MOTION_QUALITY[this.motionLevel].solid && o >= 0.5) o = 1;
    return o;
  }

  apply() {
    const i = stageIndexAt(this.story, this.t_s);
    if (i !== this.stageIndex) this.onStageChanged(i);
    const s = this.stage;
    const local = Math.min(this.t_s - s.start_s, s.duration_s);
    const anatomy = this.anatomyNow();
    const glow = this.stenosisWeight(anatomy);
    const moving = this.playing || performance.now() - this.lastMove < REST_DELAY_MS;
    this.moving = moving;
    const lodName = moving ? "light" : "full";
    const tracks = Object.fromEntries((s.instruments || []).map((tr) => [tr.name, tr]));
    let camera = null;
    if (!this.rig.userMoved) {
      camera = cameraAt(this.story, this.reducedMotion ? s.start_s + s.duration_s : this.t_s);
      if (camera) this.rig.set(camera);
    }
    const clip = this.rig.userMoved ? this.userClip : camera && camera.clip_plane;
    let triangles = 0;
    for (const { part, full, light } of this.actors) {
      const active = lodName === "light" && light ? light : full;
      const other = active === full ? light : full;
      if (other) other.setVisible(false);
      const track = tracks[part.name];
      const pose = track ? instrumentPoseAt(track, local) : null;
      const opacity = this.opacityNow(part, i, local, pose);
      const visible = opacity > 0.001;
      active.setVisible(visible);
      if (!visible) continue;
      if (pose) active.setPose(pose);
      else if (part.kind === "anatomy") active.setAnatomy(anatomy);
      active.setClip(part.kind === "anatomy" ? clip : null);
      active.setCulling(moving && part.kind === "anatomy" && !clip);
      const rgb = this.picked === part.name ? HIGHLIGHT_RGB : part.color;
      active.setLook(rgb, opacity, glow);
      triangles += active.lod.faces.length / 3;
    }
    this.renderer.resetCameraClippingRange();
    this.stats.lod = lodName;
    this.stats.triangles = triangles;
    this.setScale(moving ? MOTION_QUALITY[this.motionLevel].scale : this.restScale);
    this.updateOverlays(local);
  }

  setScale(scale) {
    if (scale === this.stats.scale && this.sizedFor) return;
    this.stats.scale = scale;
    this.resize();
  }

  resize() {
    // The 3D view ends where the caption and play bar begin, so they never cover the model.
    const bottom = this.root.querySelector(".mild-bottom");
    const reserve = bottom && !this.options.embed ? Math.round(bottom.getBoundingClientRect().height) - 8 : 0;
    const wanted = `${Math.max(0, reserve)}px`;
    if (this.viewEl.style.bottom !== wanted) {
      for (const el of [this.viewEl, this.sketchCanvas, this.pinLayer]) el.style.bottom = wanted;
    }
    const r = this.viewEl.getBoundingClientRect();
    const screen = Math.min(window.devicePixelRatio || 1, 2);
    const dpr = this.stats.scale > 1 ? Math.max(screen, Math.min(2, screen * this.stats.scale)) : screen * this.stats.scale;
    const w = Math.max(1, Math.floor(r.width * dpr)), hgt = Math.max(1, Math.floor(r.height * dpr));
    this.sizedFor = `${w}x${hgt}`;
    this.glWindow.setSize(w, hgt);
  }

  start() {
    let last = performance.now();
    let fpsWindow = [];
    let stillDrawnAt = null;
    const tick = (now) => {
      if (this.destroyed) return;
      if (stillDrawnAt != null && this.restScale === 1 && now - stillDrawnAt < REST_FAST_MS) {
        this.restScale = REST_SUPERSAMPLE;
        this.dirty = true;
      }
      stillDrawnAt = null;
      const dt = Math.min(0.1, (now - last) / 1000);
      last = now;
      this.advance(dt);
      const resting = !this.playing && this.stats.lod === "light" && now - this.lastMove >= REST_DELAY_MS;
      if (this.dirty || resting) {
        this.dirty = false;
        const t0 = performance.now();
        this.apply();
        if (this.stats.draws === 0) this.warmLightLevel();
        const t1 = performance.now();
        this.renderWindow.render();
        const t2 = performance.now();
        this.stats.applyMs = 0.9 * (this.stats.applyMs || 0) + 0.1 * (t1 - t0);
        this.stats.renderMs = 0.9 * (this.stats.renderMs || 0) + 0.1 * (t2 - t1);
        if (!this.moving) stillDrawnAt = now;
        this.stats.draws += 1;
        if (this.stats.firstDrawMs == null) this.stats.firstDrawMs = now;
        fpsWindow.push(now);
        fpsWindow = fpsWindow.filter((t) => now - t < 1000);
        this.stats.fps = fpsWindow.length;
        this.adaptQuality();
      }
      this.stats.frames += 1;
      requestAnimationFrame(tick);
    };
    this.resize();
    requestAnimationFrame(tick);
  }

  // Build the light level's GPU buffers with the first picture, so the first
  // moving frame does not stall (measured ≈0.5 s on software WebGL). This
  // render and the first picture run in one task: only the picture is shown.
  warmLightLevel() {
    const shown = this.actors.filter((a) => a.light && a.full.actor.getVisibility());
    const anatomy = this.anatomyNow();
    for (const a of shown) { a.light.setAnatomy(anatomy); a.light.setVisible(true); a.full.setVisible(false); }
    this.renderWindow.render();
    for (const a of shown) { a.light.setVisible(false); a.full.setVisible(true); }
  }

  // Keep playback smooth on slow GPUs: step the motion quality by the measured frame rate.
  adaptQuality() {
    if (this.stats.lod !== "light" || this.stats.draws % 6) return;
    if (this.stats.fps < 18) this.motionLevel = Math.min(MOTION_QUALITY.length - 1, this.motionLevel + 1);
    else if (this.stats.fps > 35) this.motionLevel = Math.max(0, this.motionLevel - 1);
    this.stats.motionLevel = this.motionLevel;
  }

  destroy() {
    this.destroyed = true;
    this.resizeObserver.disconnect();
    window.removeEventListener("keydown", this.keyHandler);
    if (window.speechSynthesis) window.speechSynthesis.cancel();
    this.glWindow.delete?.();
    this.renderWindow.delete?.();
  }
}
