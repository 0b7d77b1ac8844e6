// "Is MILD right for me?": the consult sheet (text catalogue `consult`) in the page's
// voice: what MILD is for, who it may help and what it does not treat, results as
// averages, risks, alternatives — the sections the current step offers (all of them at
// the last step) — then the evidence with its sources and the "for learning only" note.

import { consultSectionIds } from "../core/words.js";
import { Modal } from "./dialog.js";
import { h } from "./dom.js";

/** Open the sheet for the player's current step; returns the Modal. */
export function openConsult(player) {
  const p = player;
  const w = p.words;
  p.setPlaying(false);
  const last = p.stageIndex === p.story.stages.length - 1;
  const sheet = w.consult(consultSectionIds(p.stage, w.consultIds(), last));
  const evidence = w.evidence();
  const titleId = `mild-consult-title-${Math.random().toString(36).slice(2, 8)}`;
  const modal = new Modal(p.root, { className: "mild-consult", label: sheet.title, closeLabel: w.ui("close", "Close") });
  modal.el.removeAttribute("aria-label");
  modal.el.setAttribute("aria-labelledby", titleId);
  modal.body.replaceChildren(
    h("h2", { class: "mild-consult-title", id: titleId }, sheet.title),
    ...sheet.sections.map((s) => h("section", { class: "mild-consult-section", "data-section": s.id },
      h("h3", {}, s.heading), h("p", {}, s.text),
      s.items.length ? h("ul", {}, ...s.items.map((item) => h("li", {}, item))) : null)),
    h("section", { class: "mild-consult-section mild-consult-evidence", "data-section": "evidence" },
      h("h3", {}, w.ui("evidence", "Evidence")), h("p", {}, evidence.summary),
      h("ul", { class: "mild-sources" }, ...evidence.sources.map((src) => h("li", {}, h("cite", {}, src.name), ` — ${src.detail}`)))),
    h("p", { class: "mild-consult-note" }, w.disclaimer()));
  modal.focus(modal.closeButton);
  return modal;
}
