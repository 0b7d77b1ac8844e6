// Words on screen come from the bundle's text catalogue (viz/scenes/text/*.json), per
// language and voice. The only English written here is the last resort for a
// catalogue that lacks a key (the catalogue tests in tests/scenes keep it complete).

import { fmt } from "./metrics.js";

const lookup = (object, ...path) => path.reduce((value, key) => (value == null ? undefined : value[key]), object);

export class Words {
  /**
   * @param {object} text meta.text: {lang: catalogue}
   * @param {string} lang "en" | "es"
   * @param {string} mode "patient" | "clinician" (the voice)
   */
  constructor(text, lang, mode) {
    this.lang = lang;
    this.mode = mode;
    this.cat = text[lang] ?? Object.values(text)[0];
  }

  /** The entry in this voice when it has voices. */
  voice(entry) {
    if (entry == null || typeof entry !== "object") return entry;
    return entry[this.mode] ?? entry.patient ?? entry;
  }

  ui(key, fallback) {
    const value = this.voice(lookup(this.cat, "ui", key));
    return typeof value === "string" ? value : fallback;
  }

  format(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, k) => (values[k] == null ? "" : String(values[k])));
  }

  unknownParameter(param, value) {
    const template = lookup(this.cat, "ui", "unknown_parameter", param) ?? lookup(this.cat, "ui", "unknown_parameter", "other")
      ?? "“{value}” is not a known {param}, so the usual setting is shown.";
    return this.format(template, { param, value });
  }

  stage(id) {
    const voice = this.voice(lookup(this.cat, "stages", id)) ?? {};
    return { title: voice.title ?? id, caption: voice.caption ?? "" };
  }

  /** A part's display name and one line about it, from its kind, level and side. */
  structure(part) {
    const entry = this.voice(lookup(this.cat, "structures", part.structure));
    const side = part.side ? lookup(this.cat, "sides", part.side) ?? part.side : "";
    if (!entry) return { name: part.name.replace(/_/g, " "), line: "" };
    const where = this.mode === "clinician" ? [part.level, side].filter(Boolean).join(" ") : side;
    return { name: where ? `${entry.name}, ${where}` : entry.name, line: entry.description ?? "" };
  }

  hotspot(stageId, id) {
    const text = this.voice(lookup(this.cat, "hotspots", stageId, id));
    return typeof text === "string" ? text : "";
  }

  side(name) { return lookup(this.cat, "sides", name) ?? name; }
  view(name) { return lookup(this.cat, "ui", "views", name) ?? name; }
  layer(group) { return lookup(this.cat, "ui", "layers", group) ?? group.replace(/_/g, " "); }
  metric(key, fallback) { return lookup(this.cat, "ui", "metrics", key) ?? fallback; }
  quiz() { return this.cat.teach_back ?? []; }

  evidence() {
    const evidence = this.cat.evidence ?? {};
    return { summary: this.voice(evidence) ?? "", sources: evidence.sources ?? [] };
  }

  /** The note every screen a patient can see carries. */
  disclaimer() { return this.ui("disclaimer", "For learning only — your own doctor decides whether MILD is right for you."); }

  /** A body direction's word for the orientation cue ("head", "feet", "back", "front"). */
  orientation(name) { return lookup(this.cat, "ui", "orientation", name) ?? name; }

  /** A short note that qualifies a clinician metric (ui.metric_notes), or "". */
  metricNote(key) {
    const note = this.voice(lookup(this.cat, "ui", "metric_notes", key));
    return typeof note === "string" ? note : "";
  }

  /**
   * The consult sheet in this voice: {title, sections: [{id, heading, text, items}]} for
   * the section ids given (in the catalogue's order).
   */
  consult(ids) {
    const consult = this.cat.consult ?? {};
    const sections = (consult.sections ?? []).filter((s) => ids.includes(s.id)).map((s) => ({
      id: s.id, heading: this.voice(s.heading) ?? "", text: this.voice(s.text) ?? "", items: (s.items ?? []).map((item) => this.voice(item)),
    }));
    return { title: this.voice(consult.title) ?? this.ui("consult_open", ""), sections };
  }

  /** Every consult section id, in the catalogue's order. */
  consultIds() { return (this.cat.consult?.sections ?? []).map((s) => s.id); }

  /** A patient's-scan word: patient_scan.provenance[kind], patient_scan.metrics[key], ... */
  scan(...path) { return lookup(this.cat, "patient_scan", ...path); }

  /** A number as this language writes it (patient_scan.decimal_mark), `digits` decimals, or a dash. */
  number(x, digits = 1) {
    const text = fmt(x, digits);
    const mark = this.scan("decimal_mark");
    return typeof mark === "string" ? text.replace(".", mark) : text;
  }
}

/**
 * The consult sections a stage offers (stage.consult, in the catalogue's order): all of
 * them at the story's last stage, or when the stage names none.
 *
 * @param {{consult?: string[]}} stage
 * @param {string[]} allIds every section id, in order
 * @param {boolean} last whether it is the story's last stage
 */
export function consultSectionIds(stage, allIds, last) {
  if (last || !Array.isArray(stage.consult) || !stage.consult.length) return allIds;
  return allIds.filter((id) => stage.consult.includes(id));
}
