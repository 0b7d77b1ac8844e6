// Teach-back: one question at a time; every answer is explained kindly.

import { h } from "./dom.js";

export function buildQuiz(words, onClose) {
  const questions = words.quiz();
  const dialog = h("div", { class: "mild-quiz", role: "dialog", "aria-modal": "true", "aria-label": words.ui("quiz_title", "Check what you learned") });
  let index = 0;
  const show = () => {
    dialog.replaceChildren();
    const q = questions[index];
    const close = h("button", { type: "button", class: "mild-btn mild-close", onclick: onClose }, words.ui("close", "Close"));
    if (!q) {
      dialog.append(h("p", { class: "mild-quiz-q" }, words.ui("quiz_done", "Well done. You can ask your doctor about anything that is still unclear.")), close);
      return;
    }
    const feedback = h("p", { class: "mild-quiz-feedback", "aria-live": "polite" });
    const next = h("button", { type: "button", class: "mild-btn mild-next", hidden: true, onclick: () => { index += 1; show(); } }, words.ui("quiz_next", "Next question"));
    const choices = q.choices.map((choice, i) => h("button", {
      type: "button", class: "mild-choice",
      onclick: (e) => {
        const right = i === q.answer;
        for (const b of dialog.querySelectorAll(".mild-choice")) b.disabled = true;
        e.currentTarget.classList.add(right ? "right" : "wrong");
        feedback.textContent = `${right ? words.ui("quiz_right", "Yes, that's right.") : words.ui("quiz_wrong", "Not quite.")} ${q.explanation ?? ""}`;
        next.hidden = false;
        next.focus();
      },
    }, choice));
    dialog.append(h("p", { class: "mild-quiz-count" }, `${index + 1} / ${questions.length}`),
      h("p", { class: "mild-quiz-q" }, q.question), h("div", { class: "mild-choices" }, ...choices), feedback, next, close);
  };
  show();
  return dialog;
}
