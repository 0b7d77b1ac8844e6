// Clinician side panel: live metrics at a chosen level, the axial inset, layers, bone
// transparency, the drawing layer, structures with search and focus, a patient's own
// scan, the evidence summary. For a patient's scan (meta.patient) every number carries
// where it comes from (measured on the scan, example, typical value, not measurable) and
// the bony canal measured on the scan joins the table.

import { metricRows } from "../core/metrics.js";
import { metricsAt, stenosisWeight } from "../core/timeline.js";
import { h } from "./dom.js";
import { drawInset } from "./inset.js";

const LAYER_GROUPS = ["bone", "disc", "ligament", "dural_sac", "nerve", "fat", "instrument", "body"];
const REDRAW_EVERY_MS = 120;        // while playing, the panel is redrawn at most this often

export class SidePanel {
  constructor(player) {
    this.player = player;
    const p = player;
    const w = p.words;
    const levels = [...new Set(p.story.parts.filter((part) => part.group === "disc").map((part) => part.name))];
    this.patient = p.story.meta.patient ?? null;
    // open on the level the story treats: a patient's story level, else the one whose ligament MILD trims
    const story = this.patient?.story_level ?? p.story.level;
    this.level = levels.includes(story) ? story : levels[0];
    const levelSelect = h("select", { class: "mild-select", "aria-label": w.ui("level", "Level"), onchange: (e) => { this.level = e.target.value; p.dirty = true; } },
      ...levels.map((l) => h("option", { value: l, selected: l === this.level }, l)));
    this.metricsEl = h("table", { class: "mild-metrics" });
    this.notesEl = h("div", { class: "mild-metric-notes" });
    this.insetCanvas = h("canvas", { class: "mild-inset", width: "260", height: "220", role: "img", "aria-label": w.ui("inset", "Cross-section at the chosen level") });
    const present = new Set([...p.story.parts, ...p.story.instruments].map((part) => part.group));
    const layers = LAYER_GROUPS.filter((g) => present.has(g)).map((g) => {
      const box = h("input", { type: "checkbox", checked: true, "data-group": g });
      box.addEventListener("change", () => { p.visibleGroups = { ...p.visibleGroups, [g]: box.checked }; p.dirty = true; });
      return h("label", { class: "mild-check" }, box, w.layer(g));
    });
    const boneSlider = h("input", { type: "range", min: "0.1", max: "1", step: "0.05", value: "1", "aria-label": w.ui("bone_opacity", "Bone transparency") });
    boneSlider.addEventListener("input", () => { p.boneOpacity = Number(boneSlider.value); p.dirty = true; });
    const drawButton = h("button", { type: "button", class: "mild-btn mild-wide", "aria-pressed": "false" }, w.ui("draw", "Draw"));
    drawButton.addEventListener("click", () => {
      const on = drawButton.getAttribute("aria-pressed") !== "true";
      drawButton.setAttribute("aria-pressed", String(on));
      p.sketch.setActive(on);
      p.rig.enabled = !on;
    });
    const keep = h("input", { type: "checkbox", checked: !!p.keepSketch });
    keep.addEventListener("change", () => { p.keepSketch = keep.checked; p.syncUrl(); });
    const ev = w.evidence();
    const evidence = h("details", { class: "mild-evidence" }, h("summary", {}, w.ui("evidence", "Evidence")),
      h("p", {}, ev.summary), ...ev.sources.map((src) => h("p", {}, h("cite", {}, src.name), src.detail)));
    this.el = h("aside", { class: "mild-side", "aria-label": w.ui("clinician_tools", "Clinician tools") },
      h("h2", {}, w.ui("measurements", "Measurements")), levelSelect, this.metricsEl, this.notesEl, this.insetCanvas,
      h("h2", {}, w.ui("layers_title", "Layers")), h("div", { class: "mild-layers" }, ...layers),
      h("label", { class: "mild-range" }, w.ui("bone_opacity", "Bone transparency"), boneSlider),
      h("h2", {}, w.ui("annotate", "Annotate")),
      h("div", { class: "mild-row" }, drawButton, h("button", { type: "button", class: "mild-btn mild-wide", onclick: () => p.sketch.clear() }, w.ui("clear", "Clear"))),
      h("label", { class: "mild-check" }, keep, w.ui("keep_drawing", "Keep drawing in the link")),
      this.structureList(), this.scanUpload(), evidence);
    p.root.append(this.el);
    p.root.classList.add("mild-has-side");
  }

  /** A patient's own scan (app only): sent in chunks, kept in the session's memory. */
  scanUpload() {
    const p = this.player;
    const scan = p.options.scan;
    if (!scan || !p.hooks.sendScan) return null;
    const w = p.words;
    const input = h("input", { type: "file", class: "mild-file", accept: scan.accept.join(","), "aria-label": w.ui("scan_choose", "Load a patient's scan") });
    this.scanStatusEl = h("p", { class: "mild-scan-status", role: "status", "aria-live": "polite" });
    input.addEventListener("change", () => {
      const file = input.files?.[0];
      if (!file) return;
      if (file.size > scan.max_bytes) {
        this.showScanStatus(["error", w.format(w.ui("scan_too_large", "The file is larger than the {mb} MB limit."), { mb: Math.round(scan.max_bytes / 2 ** 20) })]);
        return;
      }
      this.showScanStatus(["receiving", ""]);
      p.hooks.sendScan(file, scan.chunk_bytes, (share) => {
        this.scanStatusEl.textContent = `${w.ui("scan_sending", "Sending")} ${Math.round(100 * share)} %`;
      });
    });
    return h("details", { class: "mild-scan", open: !!this.patient }, h("summary", {}, w.ui("scan_title", "Patient's own scan")),
      h("label", { class: "mild-file-label" }, w.ui("scan_choose", "Load a patient's scan"), input),
      h("p", { class: "mild-privacy" }, scan.privacy), this.scanStatusEl);
  }

  /**
   * The upload's state. Once a patient's scan is shown, its notice in the page's language
   * and voice (meta.patient.notice) says what the scan shows and what is an example.
   */
  showScanStatus([state, message]) {
    if (!this.scanStatusEl) return;
    const { words: w, options } = this.player;
    const notice = this.patient?.notice?.[options.lang]?.[options.mode];
    const text = { receiving: w.ui("scan_sending", "Sending"), processing: w.ui("scan_processing", "Building the patient's model…") }[state];
    this.scanStatusEl.textContent = (state === "ready" && notice) || message || text || "";
    this.scanStatusEl.dataset.state = state;
  }

  structureList() {
    const p = this.player;
    const w = p.words;
    const search = h("input", { type: "search", class: "mild-search", placeholder: w.ui("search", "Search structures"), "aria-label": w.ui("search", "Search structures") });
    const list = h("ul", { class: "mild-structures" });
    const groups = new Map();
    for (const part of [...p.story.parts, ...p.story.instruments]) groups.set(part.group, [...(groups.get(part.group) ?? []), part]);
    for (const [group, parts] of groups) {
      list.append(h("li", { class: "mild-group" }, w.layer(group)));
      for (const part of parts) {
        const label = w.structure(part).name;
        const box = h("input", { type: "checkbox", checked: true, "aria-label": `${w.ui("show", "Show")} ${label}` });
        box.addEventListener("change", () => { if (box.checked) p.hiddenParts.delete(part.name); else p.hiddenParts.add(part.name); p.dirty = true; });
        list.append(h("li", { class: "mild-structure", "data-name": part.name, "data-search": `${label} ${part.name}`.toLowerCase() }, box,
          h("span", {}, label), h("button", { type: "button", class: "mild-mini", onclick: () => p.focusOn(part.name) }, w.ui("focus", "Focus"))));
      }
    }
    search.addEventListener("input", () => {
      const q = search.value.trim().toLowerCase();
      for (const li of list.querySelectorAll(".mild-structure")) li.hidden = !!q && !li.dataset.search.includes(q);
    });
    return h("details", { class: "mild-structure-box" }, h("summary", {}, w.ui("structures", "Structures")), search, list);
  }

  /** Per drawn frame: the metrics at the chosen level and the inset. */
  update() {
    const p = this.player;
    const now = performance.now();
    if (p.playing && now - (this.drawn ?? 0) < REDRAW_EVERY_MS) return;
    this.drawn = now;
    const m = metricsAt(p.story.metrics, p.t_s)[this.level];
    const anatomy = p.frame?.anatomy;
    const asScanned = !!anatomy && anatomy.removal === 0 && stenosisWeight(anatomy) === 1;
    const rows = metricRows(p.words, m, this.patient?.levels?.[this.level] ?? null, asScanned);
    const key = JSON.stringify(rows);
    if (key !== this.rowsKey) {
      this.rowsKey = key;
      this.showRows(rows);
    }
    drawInset(this.insetCanvas, p.picker.visible(), this.level, p.words);
  }

  /** The metrics table; a row with a note gets a mark and the note under the table. */
  showRows(rows) {
    const w = this.player.words;
    const notes = rows.filter((row) => row.note);
    this.metricsEl.replaceChildren(...rows.map((row) => {
      const mark = row.note ? "*".repeat(notes.indexOf(row) + 1) : "";
      const tag = row.provenance ? h("span", { class: "mild-provenance", "data-provenance": row.provenance }, w.scan("provenance", row.provenance) ?? row.provenance) : null;
      return h("tr", { "data-metric": row.key, "data-provenance": row.provenance, title: row.note || null },
        h("th", {}, `${row.label}${mark ? `\u00a0${mark}` : ""}`, tag), h("td", {}, row.value));
    }));
    this.notesEl.replaceChildren(...notes.map((row, i) => h("p", { class: "mild-metric-note", "data-note": row.key }, `${"*".repeat(i + 1)} ${row.note}`)));
  }
}
