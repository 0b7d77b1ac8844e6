// A modal sheet over the player: a dialog labelled by its title, a Close button, Escape
// closes it, Tab stays inside it, and focus goes back to the control that opened it.

import { h } from "./dom.js";

const FOCUSABLE = "button:not([disabled]), [href], input:not([disabled]), select, textarea, summary, [tabindex]:not([tabindex='-1'])";

export class Modal {
  /**
   * @param {HTMLElement} host the player's root (the sheet covers it)
   * @param {{className: string, label: string, closeLabel: string, onClose?: Function}} options
   */
  constructor(host, { className, label, closeLabel, onClose }) {
    this.host = host;
    this.onClose = onClose;
    this.opener = host.getRootNode().activeElement;
    this.body = h("div", { class: "mild-dialog-body" });
    this.closeButton = h("button", { type: "button", class: "mild-btn mild-close", onclick: () => this.close() }, closeLabel);
    this.el = h("div", { class: `mild-dialog ${className}`, role: "dialog", "aria-modal": "true", "aria-label": label, tabindex: "-1" },
      this.closeButton, this.body);
    this.backdrop = h("div", { class: "mild-backdrop", onclick: (e) => { if (e.target === this.backdrop) this.close(); } }, this.el);
    this.backdrop.addEventListener("keydown", (e) => this.onKey(e));
    host.append(this.backdrop);
  }

  /** Put the keyboard on `target`, or on the first control of the sheet. */
  focus(target = null) {
    (target ?? this.body.querySelector(FOCUSABLE) ?? this.closeButton).focus();
  }

  onKey(e) {
    if (e.key === "Escape") {
      e.preventDefault();
      this.close();
      return;
    }
    if (e.key !== "Tab") return;
    const items = [...this.el.querySelectorAll(FOCUSABLE)].filter((el) => el.offsetParent !== null);
    if (!items.length) return;
    const first = items[0], last = items[items.length - 1];
    const focused = this.el.getRootNode().activeElement;      // the player may live in a shadow root
    if (e.shiftKey && focused === first) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && focused === last) { e.preventDefault(); first.focus(); }
  }

  close() {
    if (!this.backdrop.isConnected) return;
    this.backdrop.remove();
    this.onClose?.();
    const back = this.opener?.isConnected ? this.opener : this.host;
    back.focus?.();
  }
}

/** True when a keyboard event comes from inside a dialog (the story's keys leave it alone), in a shadow root too. */
export function inDialog(e) {
  return (e.composedPath?.() ?? [e.target]).some((el) => el?.getAttribute?.("role") === "dialog");
}
