// Words on screen come from the bundle's text catalogue (viz/scenes/text/*.json),
// per language and voice; nothing user-facing is written in this code except
// last-resort English fallbacks for a catalogue that lacks a key.

class Words {
  constructor(text, lang, mode) {
    this.lang = lang;
    this.mode = mode;
    this.cat = (text && (text[lang] || text.en)) || {};
  }

  voice(entry) {
    if (entry == null || typeof entry !== "object") return entry;
    return entry[this.mode] != null ? entry[this.mode] : entry.patient != null ? entry.patient : entry;
  }

  ui(key, fallback) {
    const value = this.voice((this.cat.ui || {})[key]);
    return typeof value === "string" ? value : fallback;
  }

  format(template, values) {
    return template.replace(/\{(\w+)\}/g, (_, k) => (values[k] == null ? "" : String(values[k])));
  }

  unknownParameter(param, value) {
    const table = (this.cat.ui || {}).unknown_parameter || {};
    const template = table[param] || table.other || "“{value}” is not a known {param}, so the usual setting is shown.";
    return this.format(template, { param, value });
  }

  stage(id) {
    const voice = this.voice((this.cat.stages || {})[id]) || {};
    return { title: voice.title || id, caption: voice.caption || "" };
  }

  // A part's display name and one line about it, from its kind, level and side.
  structure(part) {
    const entry = this.voice((this.cat.structures || {})[part.structure]);
    const side = part.side ? (this.cat.sides || {})[part.side] || part.side : "";
    if (!entry) return { name: part.name.replace(/_/g, " "), line: "" };
    const where = this.mode === "clinician" ? [part.level, side].filter(Boolean).join(" ") : side;
    return { name: where ? `${entry.name}, ${where}` : entry.name, line: entry.description || "" };
  }

  hotspot(stageId, id) {
    const text = this.voice(((this.cat.hotspots || {})[stageId] || {})[id]);
    return typeof text === "string" ? text : "";
  }

  view(name) { return ((this.cat.ui || {}).views || {})[name] || name; }
  layer(group) { return ((this.cat.ui || {}).layers || {})[group] || group.replace(/_/g, " "); }
  metric(key, fallback) { return ((this.cat.ui || {}).metrics || {})[key] || fallback; }
  quiz() { return this.cat.teach_back || []; }

  evidence() {
    const e = this.cat.evidence || {};
    return { summary: this.voice(e) || "", sources: e.sources || [] };
  }
}

// Tiny DOM helper: h("button", {class: "x", onclick: f}, "text", child)
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) if (c != null) el.append(c.nodeType ? c : document.createTextNode(String(c)));
  return el;
}

// Inline SVG icons (24×24 paths): no icon font, nothing fetched.
const ICONS = {
  play: "M8 5v14l11-7z",
  pause: "M7 5h4v14H7zM13 5h4v14h-4z",
  restart: "M12 5V2L7 6l5 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z",
  previous: "M6 6h2v12H6zM9.5 12 18 18V6z",
  next: "M16 6h2v12h-2zM6 18l8.5-6L6 6z",
  speaker: "M4 9v6h4l5 4V5L8 9zm12.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z",
  home: "M12 4 3 11h3v8h5v-5h2v5h5v-8h3z",
  close: "M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z",
  captions: "M4 5h16a1 1 0 0 1 1 1v12a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V6a1 1 0 0 1 1-1zm3 5v4h3v-1.3H8.4v-1.4H10V10zm7 0v4h3v-1.3h-1.6v-1.4H17V10z",
};

function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "mild-icon");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICONS[name]);
  svg.append(path);
  return svg;
}

function iconButton(label, name, onclick, extra = {}) {
  return h("button", { type: "button", class: "mild-btn", "aria-label": label, title: label, onclick, ...extra }, icon(name));
}
