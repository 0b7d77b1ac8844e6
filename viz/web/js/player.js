// The player: a story (decoded bundle) on a vtk.js scene, played in requestAnimationFrame.
// Geometry arrives once; no frame ever goes to the server. Where things live:
// core/timeline.js what the scene is at a time, core/camera.js framing, render/scene.js the
// WebGL drawing, ui/chrome.js the page around the view, ui/side.js the clinician tools,
// ui/pins.js hotspots, ui/picking.js tap-to-name, core/quality.js quality while moving.

import { atDistance, basis, boundsOf, fitDistance } from "./core/camera.js";
import { clipKeeps } from "./core/pick.js";
import { adaptLevel, bufferSize, MOTION_QUALITY, REST_SUPERSAMPLE, START_LEVEL } from "./core/quality.js";
import { comparedAnatomy, frameAt, stageIndexAt, stenosisWeight } from "./core/timeline.js";
import { add3, norm3, scale3 } from "./core/vec3.js";
import { Words } from "./core/words.js";
import { Scene } from "./render/scene.js";
import { Chrome } from "./ui/chrome.js";
import { Picker } from "./ui/picking.js";
import { Pins } from "./ui/pins.js";
import { CameraRig } from "./ui/rig.js";
import { SidePanel } from "./ui/side.js";
import { Sketch } from "./ui/sketch.js";

const HIGHLIGHT_RGB = [0.15, 0.75, 0.95];       // the picked structure
const FOCUS_DIM = 0.22;                          // opacity factor of the rest while one structure has focus
const BACKGROUND = { patient: [0.93, 0.95, 0.97], clinician: [0.09, 0.12, 0.16] };
// A still comes back in REST_FAST_MS or less: draw stills supersampled from then on.
const REST_FAST_MS = 60;
const REST_DELAY_MS = 250;                       // after a drag, the picture rests this long later
const MEASURED_DRAWS = 4;                        // the motion quality adapts every this many moving draws

export class Player {
  /**
   * @param {HTMLElement} root the element the player fills
   * @param {object} story core/bundle.js decodeStory()
   * @param {object} options {mode, lang, view, focus, embed, autoplay, stage, problems, scan}
   * @param {object} hooks {onStage(id), sendScan(file, chunkBytes, onProgress), standalone}
   */
  constructor(root, story, options, hooks) {
    this.root = root;
    this.story = story;
    this.options = options;
    this.hooks = hooks;
    this.words = new Words(story.meta.text, options.lang, options.mode);
    this.angleDeg = story.playback.view_angle_deg;
    this.t_s = 0;
    this.playing = false;
    this.stopAt = null;              // stage end when stepping one stage
    this.speed = 1;
    this.stageIndex = -1;
    this.visibleGroups = null;       // user layer toggles (null: the stage decides)
    this.hiddenParts = new Set();
    this.boneOpacity = 1;
    this.picked = null;
    this.focus = null;
    this.compare = null;             // before/after slider value, or null
    this.currentView = "";
    this.userClip = null;
    this.lastMove = 0;
    this.dirty = true;
    this.stats = { frames: 0, draws: 0, fps: 0, firstDrawMs: null, lod: "full", scale: 1, pixelFraction: 1, triangles: 0, contextRestores: 0 };
    this.motionLevel = START_LEVEL;
    this.restScale = 1;
    this.fits = new Map();
    this.reducedMotion = !!window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
    this.chrome = new Chrome(this);
    this.rig = new CameraRig(this.chrome.viewEl, this.angleDeg, () => { this.lastMove = performance.now(); this.dirty = true; });
    this.buildScene();
    this.picker = new Picker(this);
    this.pins = new Pins(this);
    this.side = options.mode === "clinician" && !options.embed ? new SidePanel(this) : null;
    this.sketch = new Sketch(this.chrome.sketchCanvas, () => this.syncUrl());
    this.sketch.setActive(false);
    const drawing = new URLSearchParams(location.hash.slice(1)).get("draw");
    if (drawing) { this.sketch.decode(drawing); this.keepSketch = true; }
    this.keyHandler = (e) => this.chrome.onKey(e);
    window.addEventListener("keydown", this.keyHandler);
    this.resizeObserver = new ResizeObserver(() => { this.resize(); this.dirty = true; });
    this.resizeObserver.observe(this.root);
    this.resizeObserver.observe(this.chrome.bottom);
    this.applyInitialOptions();
    this.start();
  }

  get stage() { return this.story.stages[this.stageIndex]; }
  get actors() { return this.scene.actors; }
  get noticeEl() { return this.chrome.noticeEl; }

  /** The WebGL view; built again when the browser gives a lost context back. */
  buildScene() {
    this.scene = new Scene(this.chrome.viewEl, this.story, BACKGROUND[this.options.mode], {
      onContextLost: () => { this.stats.contextLost = true; },
      onContextRestored: () => this.rebuildScene(),
    });
    this.scene.canvas.setAttribute("role", "img");
    this.scene.canvas.setAttribute("aria-label", this.words.ui("canvas_label", "3D model of the lower spine"));
    this.sizedFor = null;
  }

  rebuildScene() {
    this.scene.discard();
    this.buildScene();
    this.stats.contextLost = false;
    this.stats.contextRestores += 1;
    this.resize();
    this.dirty = true;
  }

  applyInitialOptions() {
    const o = this.options;
    const index = Math.max(0, this.story.stages.findIndex((s) => s.id === o.stage));
    this.goToStage(index, { play: !!o.autoplay && !this.reducedMotion });
    this.onStageChanged(stageIndexAt(this.story.stages, this.t_s));
    if (o.view) this.setView(o.view);
    if (o.focus) this.focusOn(o.focus);
  }

  // -- time ---------------------------------------------------------------
  stageEnd(i) { const s = this.story.stages[i]; return s.start_s + s.duration_s - 1e-3; }

  goToStage(i, { play = false, step = false } = {}) {
    const index = Math.max(0, Math.min(this.story.stages.length - 1, i));
    const s = this.story.stages[index];
    this.rig.userMoved = false;
    const runs = (play || step) && !(this.reducedMotion && !play);
    this.t_s = runs ? s.start_s : this.stageEnd(index);
    this.playing = runs;
    this.stopAt = runs && step ? this.stageEnd(index) : null;
    this.dirty = true;
    this.chrome.syncControls();
  }

  setPlaying(on) {
    if (on && this.t_s >= this.story.total_s - 2e-3) this.t_s = 0;
    this.playing = on;
    this.stopAt = null;
    this.dirty = true;
    this.chrome.syncControls();
  }

  seek(t_s) {
    Object.assign(this, { t_s, playing: false, stopAt: null, dirty: true });
    this.rig.userMoved = false;
    this.chrome.syncControls();
  }

  advance(dt_s) {
    if (!this.playing) return;
    this.t_s += dt_s * this.speed;
    const limit = this.stopAt ?? this.story.total_s;
    if (this.t_s >= limit) { this.t_s = limit; this.playing = false; this.stopAt = null; this.chrome.syncControls(); }
    this.dirty = true;
  }

  // -- framing -------------------------------------------------------------
  /**
   * A view's camera moved back, if needed, until its subjects (meta.view_subjects[name])
   * fit the canvas with playback.frame_margin to spare, whatever its aspect ratio.
   */
  fit(camera) {
    const subjects = camera.view ? this.story.meta.view_subjects[camera.view] : null;
    if (!subjects?.length) return camera;
    const [w, h] = this.rig.size();
    const aspect = Math.round((w / h) * 100) / 100;
    const key = `${camera.view}@${aspect}`;
    if (!this.fits.has(key)) {
      const keep = camera.clip_plane ? (x, y, z) => clipKeeps(camera.clip_plane, x, y, z) : null;
      let needed = 0;
      for (const part of [...this.story.parts, ...this.story.instruments]) {
        if (!subjects.includes(part.name)) continue;
        for (const points of new Set(Object.values(part.full.positions))) {
          needed = Math.max(needed, fitDistance(camera, points, aspect, this.angleDeg, this.story.playback.frame_margin, keep));
        }
      }
      this.fits.set(key, needed);
    }
    return atDistance(camera, Math.max(basis(camera).distance, this.fits.get(key)));
  }

  // -- what the scene looks like now -----------------------------------------
  frameNow() {
    const s = this.story.stages[stageIndexAt(this.story.stages, this.t_s)];
    const cameraT_s = this.reducedMotion ? s.start_s + s.duration_s : this.t_s;
    const frame = frameAt(this.story, this.t_s, { fit: (camera) => this.fit(camera), cameraT_s });
    if (this.compare != null && s.compare) {
      frame.anatomy = comparedAnatomy(s, this.compare);
      frame.glow = stenosisWeight(frame.anatomy);
    }
    return frame;
  }

  /**
   * A part's opacity after the viewer's choices: layers, hidden parts, bone transparency, focus.
   * In a cut view (``cut``) a shown bone is solid, so its section reads as one face: the
   * stage's see-through bone is for uncut views; the viewer's bone transparency still applies.
   */
  shownOpacity(part, opacity, solid, cut) {
    if (this.visibleGroups?.[part.group] === false || this.hiddenParts.has(part.name)) return 0;
    let o = opacity;
    if (this.visibleGroups?.[part.group] === true && o === 0 && part.kind === "anatomy") o = part.opacity;
    if (part.group === "bone") o = (cut && o > 0 ? 1 : o) * this.boneOpacity;
    if (this.focus && this.focus !== part.name) o *= FOCUS_DIM;
    return solid && o >= 0.5 ? 1 : o;
  }

  apply() {
    const frame = this.frameNow();
    if (frame.stageIndex !== this.stageIndex) this.onStageChanged(frame.stageIndex);
    this.frame = frame;
    const moving = this.playing || performance.now() - this.lastMove < REST_DELAY_MS;
    this.moving = moving;
    // The first picture is the light one (few buffers to upload, no exact translucency):
    // the full, exact still follows in the next frame.
    const light = moving || this.stats.draws === 0;
    const quality = MOTION_QUALITY[this.motionLevel];
    if (!this.rig.userMoved) this.rig.set(frame.camera);
    const clip = this.rig.userMoved ? this.userClip : frame.camera.clip_plane;
    let triangles = 0;
    for (const pair of this.actors) {
      const part = pair.part;
      const active = light && pair.light ? pair.light : pair.full;
      for (const other of pair.made()) if (other !== active) other.setVisible(false);
      const opacity = this.shownOpacity(part, frame.opacity[part.name], moving && quality.solid, !!clip);
      active.setVisible(opacity > 0.001);
      if (opacity <= 0.001) continue;
      const pose = frame.poses[part.name];
      if (part.kind === "instrument") active.setPose(pose ?? { position_mm: [0, 0, 0], direction: [0, 0, 1] });
      else active.setAnatomy(frame.anatomy, this.story.playback.bite_fade);
      active.setClip(part.kind === "anatomy" ? clip : null);
      active.setCulling(moving && part.kind === "anatomy" && !clip);
      active.setLook(this.picked === part.name ? HIGHLIGHT_RGB : part.color, opacity, frame.glow);
      triangles += active.lod.faces.length / 3;
    }
    this.scene.setCamera(this.rig.get(), this.angleDeg);
    this.scene.setFastTranslucency(light);
    Object.assign(this.stats, { lod: light ? "light" : "full", solid: moving && quality.solid, triangles });
    this.setScale(light ? quality.scale : this.restScale);
    this.chrome.updateOverlays(frame);
    this.pins.place();
    this.side?.update();
  }

  onStageChanged(i) {
    const first = this.stageIndex === -1;
    this.stageIndex = i;
    if (!first) { this.rig.userMoved = false; this.currentView = ""; }
    this.compare = null;
    this.chrome.showStage(this.stage, i);
    this.pins.build(this.stage);
    this.syncUrl();
    this.hooks.onStage?.(this.stage.id);
  }

  // -- views, focus ------------------------------------------------------------
  setView(name) {
    const view = this.story.views[name];
    this.currentView = view ? name : "";
    this.chrome.showView(this.currentView);
    this.userClip = view?.clip_plane ?? null;
    if (view) {
      this.rig.set(this.fit({ ...view, view: name }));
      this.rig.userMoved = true;
    } else {
      this.rig.userMoved = false;
    }
    this.dirty = true;
    this.syncUrl();
  }

  resetView() {
    this.focus = null;
    this.picker.select(null);
    this.setView("");
  }

  /** Frame a structure from outside the spine, fade the rest, name it. */
  focusOn(name) {
    const item = this.actors.find((a) => a.part.name === name);
    if (!item) return;
    this.focus = name;
    this.hiddenParts.delete(name);
    this.picker.select(name, true);
    const points = item.full.points;
    const box = boundsOf(points);
    const centre = [(box[0] + box[1]) / 2, (box[2] + box[3]) / 2, (box[4] + box[5]) / 2];
    const axis = this.picker.canalAxisAt(centre[2]);
    let out = [centre[0] - axis[0], centre[1] - axis[1], 0];
    const sideways = Math.hypot(out[0], out[1]);
    out = sideways < 6 ? [0, 1, 0] : norm3([out[0], out[1] + 0.6 * sideways, 0.35 * sideways]);
    const camera = { position_mm: add3(centre, scale3(out, 300)), focal_point_mm: centre, view_up: [0, 0, 1] };
    const [w, h] = this.rig.size();
    this.rig.set(atDistance(camera, Math.max(25, fitDistance(camera, points, w / h, this.angleDeg, 0.25))));
    this.rig.userMoved = true;
    this.dirty = true;
    this.syncUrl();
  }

  syncUrl() {
    if (this.stageIndex >= 0) this.chrome.syncUrl();
  }

  /**
   * The story's state at t_s as plain data, cameras as authored (no framing for the
   * screen): what tests/web/test_timeline_twin.py compares with viz.scenes.timeline.frame_at.
   */
  timelineAt(t_s) {
    const f = frameAt(this.story, t_s);
    const { position_mm, focal_point_mm, view_up, clip_plane } = f.camera;
    return {
      stageId: f.stageId, morph: [f.anatomy.from, f.anatomy.to, f.anatomy.u], removal: f.anatomy.removal, glow: f.glow,
      opacity: f.opacity, camera: { position_mm, focal_point_mm, view_up, clip_plane },
    };
  }

  // -- drawing -----------------------------------------------------------------
  setScale(scale) {
    if (scale === this.stats.scale && this.sizedFor) return;
    this.stats.scale = scale;
    this.resize();
  }

  resize() {
    const r = this.chrome.fitView();
    const size = bufferSize(r.width, r.height, window.devicePixelRatio, this.stats.scale);
    this.sizedFor = `${size.width}x${size.height}`;
    this.stats.pixelFraction = Math.round(size.pixelFraction * 1000) / 1000;
    this.scene.setSize(size.width, size.height);
    this.fits.clear();
  }

  start() {
    let last = performance.now();
    let motionDraws = [];            // times of the draws of the current motion, last second
    let stillDrawnAt = null;
    const tick = (now) => {
      if (this.destroyed) return;
      if (stillDrawnAt != null && this.restScale === 1 && now - stillDrawnAt < REST_FAST_MS) {
        this.restScale = REST_SUPERSAMPLE;
        this.dirty = true;
      }
      stillDrawnAt = null;
      this.advance(Math.min(0.1, (now - last) / 1000));
      last = now;
      const resting = !this.playing && this.stats.lod === "light" && now - this.lastMove >= REST_DELAY_MS;   // also refines the first picture
      if ((this.dirty || resting) && !this.scene.lost) {
        this.dirty = false;
        const t0 = performance.now();
        this.apply();
        const t1 = performance.now();
        this.scene.render();
        const t2 = performance.now();
        this.stats.applyMs = 0.9 * (this.stats.applyMs ?? t1 - t0) + 0.1 * (t1 - t0);
        this.stats.renderMs = 0.9 * (this.stats.renderMs ?? t2 - t1) + 0.1 * (t2 - t1);
        if (!this.moving) stillDrawnAt = now;
        this.stats.draws += 1;
        this.stats.firstDrawMs ??= t2;
        motionDraws = this.moving ? [...motionDraws.filter((t) => now - t < 1000), now] : [];
        if (motionDraws.length >= MEASURED_DRAWS) {
          this.stats.fps = Math.round((1000 * (motionDraws.length - 1)) / (now - motionDraws[0]));
          if (this.stats.draws % MEASURED_DRAWS === 0) this.motionLevel = adaptLevel(this.motionLevel, this.stats.fps);
        }
      }
      this.stats.frames += 1;
      requestAnimationFrame(tick);
    };
    this.resize();
    requestAnimationFrame(tick);
  }

  destroy() {
    this.destroyed = true;
    this.resizeObserver.disconnect();
    window.removeEventListener("keydown", this.keyHandler);
    this.chrome.destroy();
    this.scene.destroy();
  }
}
