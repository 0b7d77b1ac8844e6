// The page around the 3D view: title, caption, play bar, notices, X-ray panel,
// before/after slider, teach-back button, "Is MILD right for me?", the orientation cue,
// read-aloud, keyboard and the address. Embed mode keeps only the view, a minimal play
// bar, the consult button and the "for learning only" note, which every mode shows.
// Every control has a label and a 44 px touch target.

import { stateQuery, withParams } from "../core/url.js";
import { openConsult } from "./consult.js";
import { OrientationCue } from "./cue.js";
import { inDialog } from "./dialog.js";
import { h, icon, iconButton } from "./dom.js";
import { openQuiz } from "./quiz.js";
import { XrayPanel } from "./xray.js";

const SPEEDS = [0.5, 1, 1.5, 2];
const SCRUB_REDRAW_MS = 100;          // while playing, the scrubber moves at most this often
const BAR_OVERLAP_PX = 8;             // the 3D view reaches this far under the caption's fade
const CUE_GAP_PX = 4;                 // the orientation cue sits this far above the caption or play bar

export class Chrome {
  constructor(player) {
    this.player = player;
    const o = player.options;
    const w = player.words;
    const root = player.root;
    root.classList.add("mild-root", `mild-${o.mode}`);
    if (o.embed) root.classList.add("mild-embed");
    root.setAttribute("lang", o.lang);
    this.viewEl = h("div", { class: "mild-view" });
    this.sketchCanvas = h("canvas", { class: "mild-sketch", "aria-hidden": "true" });
    this.pinLayer = h("div", { class: "mild-pins" });
    this.labelEl = h("div", { class: "mild-label", role: "status", "aria-live": "polite", hidden: true });
    this.titleEl = h("h1", { class: "mild-title" });
    this.stepEl = h("p", { class: "mild-step" });
    this.captionEl = h("p", { class: "mild-caption", "aria-live": "polite" });
    this.noticeEl = h("div", { class: "mild-notice", role: "alert", hidden: true });
    this.xrayEl = h("div", { class: "mild-xray", role: "group", hidden: true });
    this.xray = new XrayPanel(player, this.xrayEl);
    this.bar = h("div", { class: "mild-bar", role: "toolbar", "aria-label": w.ui("timeline", "Story timeline") });
    this.extraEl = h("div", { class: "mild-extra" });
    // patients find it above the caption; clinicians and embeds in the play bar (just its icon on narrow screens)
    const consultLabel = w.ui("consult_open", "Is MILD right for me?");
    this.consultInBar = o.embed || o.mode === "clinician";
    this.consultBtn = h("button", { type: "button", class: "mild-btn mild-wide mild-consult-open", "aria-haspopup": "dialog", "aria-label": consultLabel,
      onclick: () => openConsult(player) }, icon("question"), h("span", { class: "mild-consult-label" }, consultLabel));
    const disclaimer = h("p", { class: "mild-disclaimer" }, w.disclaimer());
    // embed mode: the note (and what a patient's scan shows) in a strip above the view
    this.topNote = o.embed ? h("div", { class: "mild-top-note" }, disclaimer, this.patientScanNote()) : null;
    const heading = h("div", { class: "mild-heading" }, this.stepEl, this.titleEl, o.embed ? null : this.patientScanNote());
    const top = h("header", { class: "mild-top" }, heading, this.modeLinks());
    this.bottom = h("div", { class: "mild-bottom" }, this.extraEl, this.captionEl, this.bar, o.embed ? null : disclaimer);
    const orientation = player.story.meta.orientation;
    this.cue = o.mode === "patient" && orientation ? new OrientationCue(orientation, w) : null;
    root.replaceChildren(...[this.viewEl, this.sketchCanvas, this.pinLayer, this.cue?.el, this.labelEl, top, this.noticeEl, this.xrayEl, this.bottom,
      this.topNote].filter(Boolean));
    this.showProblems(o.problems);
    this.buildBar();
  }

  /**
   * A patient's own scan (meta.patient): what the scan shows and what is an example, in the
   * page's voice. The clinician panel says it beside the upload; elsewhere it is here.
   */
  patientScanNote() {
    const { options: o, story } = this.player;
    const notice = story.meta.patient?.notice?.[o.lang]?.[o.mode];
    if (!notice || (o.mode === "clinician" && !o.embed)) return null;
    return h("p", { class: "mild-scan-note" }, notice);
  }

  modeLinks() {
    const { options, words: w, hooks } = this.player;
    if (options.embed || hooks.standalone) return null;
    const link = (label, params, current) => h("a", { class: "mild-link", href: `${location.pathname}?${withParams(location.search, params)}`, "aria-current": current ? "page" : null }, label);
    return h("nav", { class: "mild-modes", "aria-label": w.ui("settings", "Settings") },
      link(w.ui("mode_patient", "Patient"), { mode: "patient" }, options.mode === "patient"),
      link(w.ui("mode_clinician", "Clinician"), { mode: "clinician" }, options.mode === "clinician"),
      link("English", { lang: "en" }, options.lang === "en"),
      link("Español", { lang: "es" }, options.lang === "es"));
  }

  showProblems(problems) {
    if (!problems.length) return;
    const w = this.player.words;
    this.noticeEl.replaceChildren(h("p", {}, problems.map(([param, value]) => w.unknownParameter(param, value)).join(" ")),
      iconButton(w.ui("dismiss", "Dismiss"), "close", () => { this.noticeEl.hidden = true; }));
    this.noticeEl.hidden = false;
  }

  buildBar() {
    const p = this.player;
    const w = p.words;
    const story = p.story;
    const step = (delta) => () => p.goToStage(p.stageIndex + delta, { step: !p.playing, play: p.playing });
    this.playBtn = h("button", { type: "button", class: "mild-btn mild-play", "aria-label": w.ui("play", "Play"), onclick: () => p.setPlaying(!p.playing) }, icon("play"));
    this.scrub = h("input", { type: "range", class: "mild-scrub", min: "0", max: String(story.total_s), step: "0.05", value: "0", "aria-label": w.ui("scrub", "Story position") });
    this.scrub.addEventListener("input", () => p.seek(Number(this.scrub.value)));
    const ticks = h("div", { class: "mild-ticks", "aria-hidden": "true" }, ...story.stages.map((s) => h("span", { style: `left:${(100 * s.start_s) / story.total_s}%` })));
    const parts = [
      iconButton(w.ui("restart", "Restart"), "restart", () => p.goToStage(0, { play: true })),
      iconButton(w.ui("previous_step", "Previous step"), "previous", step(-1)),
      this.playBtn,
      iconButton(w.ui("next_step", "Next step"), "next", step(1)),
      h("div", { class: "mild-scrub-wrap" }, this.scrub, ticks),
    ];
    if (!p.options.embed) {
      const speed = h("select", { class: "mild-select", "aria-label": w.ui("speed", "Speed"), onchange: (e) => { p.speed = Number(e.target.value); } },
        ...SPEEDS.map((s) => h("option", { value: String(s), selected: s === 1 }, `${s}×`)));
      this.viewSel = h("select", { class: "mild-select", "aria-label": w.ui("view", "View"), onchange: (e) => p.setView(e.target.value) },
        h("option", { value: "" }, w.ui("view_story", "Story view")),
        ...Object.keys(story.views).map((v) => h("option", { value: v }, w.view(v))));
      this.readBtn = iconButton(w.ui("read_aloud", "Read aloud"), "speaker", () => this.toggleReadAloud(), { "aria-pressed": "false" });
      if (!window.speechSynthesis) this.readBtn.disabled = true;
      parts.push(speed, this.viewSel, this.readBtn);
    } else {
      const cc = iconButton(w.ui("captions", "Captions"), "captions", () => {
        cc.setAttribute("aria-pressed", String(p.root.classList.toggle("mild-cc")));
      }, { "aria-pressed": "false" });
      parts.push(cc);
    }
    if (this.consultInBar) parts.push(this.consultBtn);
    parts.push(iconButton(w.ui("reset_view", "Reset view"), "home", () => p.resetView()));
    this.bar.append(...parts);
  }

  onKey(e) {
    const p = this.player;
    const target = e.composedPath?.()[0] ?? e.target;      // the element itself, inside a shadow root too
    const tag = target?.tagName ?? "";
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(tag) || e.altKey || e.ctrlKey || e.metaKey || inDialog(e)) return;
    const actions = {
      " ": () => tag !== "BUTTON" && p.setPlaying(!p.playing),
      ArrowRight: () => p.goToStage(p.stageIndex + 1, { step: !p.playing, play: p.playing }),
      ArrowLeft: () => p.goToStage(p.stageIndex - 1, { step: !p.playing, play: p.playing }),
      Home: () => p.goToStage(0),
    };
    if (!(e.key in actions) || (e.key === " " && tag === "BUTTON")) return;
    e.preventDefault();
    actions[e.key]();
  }

  syncControls() {
    const w = this.player.words;
    const label = this.player.playing ? w.ui("pause", "Pause") : w.ui("play", "Play");
    this.playBtn.setAttribute("aria-label", label);
    this.playBtn.title = label;
    this.playBtn.replaceChildren(icon(this.player.playing ? "pause" : "play"));
  }

  showStage(stage, index) {
    const p = this.player;
    const w = p.words;
    const text = w.stage(stage.id);
    this.titleEl.textContent = text.title;
    this.captionEl.textContent = text.caption;
    this.stepEl.textContent = w.format(w.ui("step_of", "Step {n} of {total}"), { n: index + 1, total: p.story.stages.length });
    this.showView(p.currentView);
    this.extraEl.replaceChildren();
    if (stage.compare && !p.options.embed) {
      const slider = h("input", { type: "range", min: "0", max: "1", step: "0.01", value: "1", class: "mild-compare", "aria-label": w.ui("compare", "Before and after") });
      slider.addEventListener("input", () => { p.compare = Number(slider.value); p.playing = false; p.dirty = true; this.syncControls(); });
      this.extraEl.append(h("label", { class: "mild-compare-wrap" }, h("span", {}, w.ui("before", "Before")), slider, h("span", {}, w.ui("after", "After"))));
    }
    if (index === p.story.stages.length - 1 && w.quiz().length && !p.options.embed) {
      this.extraEl.append(h("button", { type: "button", class: "mild-btn mild-wide mild-quiz-open", "aria-haspopup": "dialog", onclick: () => this.openQuiz() }, w.ui("quiz_open", "Check what you learned")));
    }
    if (!this.consultInBar) this.extraEl.append(this.consultBtn);
    if (this.readingAloud) this.speak();
  }

  showView(name) { if (this.viewSel) this.viewSel.value = name; }

  openQuiz() {
    this.player.setPlaying(false);
    openQuiz(this.player.root, this.player.words);
  }

  /** Per drawn frame: the scrubber, the X-ray panel and the orientation cue. Touch the page only when something changed. */
  updateOverlays(frame) {
    const p = this.player;
    const now = performance.now();
    if (document.activeElement !== this.scrub && (!p.playing || now - (this.scrubMoved ?? 0) > SCRUB_REDRAW_MS)) {
      const value = String(p.t_s);
      if (this.scrub.value !== value) { this.scrub.value = value; this.scrubMoved = now; }
    }
    this.xray.update(frame);
    this.cue?.update(p.rig.get());
  }

  /**
   * Lay the 3D view above the caption and play bar (and, on a phone, the clinician panel
   * under them), and in embed mode under the "for learning only" note, so they never cover
   * the model; its CSS size.
   */
  fitView() {
    const box = this.player.root.getBoundingClientRect();
    const below = box.bottom - this.bottom.getBoundingClientRect().top;
    const reserve = this.player.options.embed ? 0 : Math.max(0, Math.round(below) - BAR_OVERLAP_PX);
    const above = this.topNote ? Math.max(0, Math.round(this.topNote.getBoundingClientRect().bottom - box.top)) : 0;
    for (const el of [this.viewEl, this.sketchCanvas, this.pinLayer]) {
      if (el.style.bottom !== `${reserve}px`) el.style.bottom = `${reserve}px`;
      if (el.style.top !== `${above}px`) el.style.top = `${above}px`;
    }
    // the cue stays clear of the play bar, which embed mode lays over the view
    if (this.cue) this.cue.el.style.bottom = `${Math.max(0, Math.round(below)) + CUE_GAP_PX}px`;
    return this.viewEl.getBoundingClientRect();
  }

  syncUrl() {
    const p = this.player;
    const query = stateQuery({ ...p.options, stage: p.stage.id, view: p.currentView, focus: p.focus });
    const drawing = p.keepSketch && p.sketch?.strokes.length ? `#draw=${p.sketch.encode()}` : "";
    try {
      if (p.hooks.standalone) history.replaceState(null, "", `#${query}`);
      else history.replaceState(null, "", `${location.pathname}?${query}${drawing}`);
    } catch {
      // file:// pages and sandboxed frames may refuse; the story still plays
    }
  }

  toggleReadAloud() {
    this.readingAloud = !this.readingAloud;
    this.readBtn.setAttribute("aria-pressed", String(this.readingAloud));
    if (this.readingAloud) this.speak();
    else window.speechSynthesis.cancel();
  }

  speak() {
    const synth = window.speechSynthesis;
    if (!synth) return;
    synth.cancel();
    const text = this.player.words.stage(this.player.stage.id);
    const utterance = new SpeechSynthesisUtterance(`${text.title}. ${text.caption}`);
    utterance.lang = this.player.options.lang === "es" ? "es-ES" : "en-US";
    utterance.rate = 0.95;
    synth.speak(utterance);
  }

  destroy() {
    window.speechSynthesis?.cancel();
  }
}
