// Teach-back: one question at a time; every answer is explained kindly.

import { Modal } from "./dialog.js";
import { h } from "./dom.js";

/** Open the teach-back check over `host`. */
export function openQuiz(host, words) {
  const questions = words.quiz();
  const modal = new Modal(host, { className: "mild-quiz", label: words.ui("quiz_title", "Check what you learned"), closeLabel: words.ui("close", "Close") });
  let index = 0;
  const show = () => {
    const q = questions[index];
    if (!q) {
      modal.body.replaceChildren(h("p", { class: "mild-quiz-q" }, words.ui("quiz_done", "Well done. You can ask your doctor about anything that is still unclear.")));
      modal.focus(modal.closeButton);
      return;
    }
    const feedback = h("p", { class: "mild-quiz-feedback", "aria-live": "polite" });
    const next = h("button", { type: "button", class: "mild-btn mild-next", hidden: true, onclick: () => { index += 1; show(); } }, words.ui("quiz_next", "Next question"));
    const choices = q.choices.map((choice, i) => h("button", {
      type: "button", class: "mild-choice",
      onclick: (e) => {
        const right = i === q.answer;
        for (const b of modal.body.querySelectorAll(".mild-choice")) b.disabled = true;
        e.currentTarget.classList.add(right ? "right" : "wrong");
        feedback.textContent = `${right ? words.ui("quiz_right", "Yes, that's right.") : words.ui("quiz_wrong", "Not quite.")} ${q.explanation ?? ""}`;
        next.hidden = false;
        next.focus();
      },
    }, choice));
    modal.body.replaceChildren(h("p", { class: "mild-quiz-count" }, `${index + 1} / ${questions.length}`),
      h("p", { class: "mild-quiz-q" }, q.question), h("div", { class: "mild-choices" }, ...choices), feedback, next);
    modal.focus();
  };
  show();
  return modal;
}
