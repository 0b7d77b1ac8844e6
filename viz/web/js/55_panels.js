// Clinician and teaching panels: live metrics, the axial cross-section inset,
// the drawing layer, the teach-back check. Millimetres, LPS+.

function fmt(x, digits = 1) { return typeof x === "number" && isFinite(x) ? x.toFixed(digits) : "–"; }

function metricRows(words, m) {
  if (!m) return [];
  const lf = m.lf_thickness_mm || {};
  const lfName = words.metric("lf_thickness_mm", "Ligamentum flavum thickness (mm)");
  const side = (s) => (words.cat.sides || {})[s] || s;
  return [
    [words.metric("dural_sac_csa_mm2", "Dural sac area (mm²)"), fmt(m.dural_sac_csa_mm2, 0), "csa"],
    [words.metric("canal_ap_mm", "Canal depth (mm)"), fmt(m.canal_ap_mm), "canal"],
    [`${lfName}, ${side("left")}`, fmt(lf.left), "lf_left"],
    [`${lfName}, ${side("right")}`, fmt(lf.right), "lf_right"],
    [words.metric("schizas_grade", "Schizas grade"), m.schizas_grade || "–", "schizas"],
  ];
}

// Intersect the current triangles of some actors with the plane z = z_mm and
// draw the segments, centred on `centre` (x, y mm), at `pxPerMm`.
function drawSection(canvas, actors, z_mm, centre, pxPerMm, words) {
  const ctx = canvas.getContext("2d");
  const w = canvas.width, hgt = canvas.height;
  ctx.fillStyle = "#0f1720"; ctx.fillRect(0, 0, w, hgt);
  const toPx = (x, y) => [w / 2 + (x - centre[0]) * pxPerMm, hgt / 2 + (y - centre[1]) * pxPerMm];
  ctx.lineWidth = 1.6;
  for (const a of actors) {
    const p = a.points, f = a.lod.faces;
    const c = a.part.color;
    ctx.strokeStyle = `rgb(${Math.round(c[0] * 255)},${Math.round(c[1] * 255)},${Math.round(c[2] * 255)})`;
    ctx.beginPath();
    for (let i = 0; i < f.length; i += 3) {
      const ids = [f[i] * 3, f[i + 1] * 3, f[i + 2] * 3];
      const hits = [];
      for (let k = 0; k < 3; k++) {
        const A = ids[k], B = ids[(k + 1) % 3];
        const za = p[A + 2] - z_mm, zb = p[B + 2] - z_mm;
        if ((za < 0) !== (zb < 0)) {
          const u = za / (za - zb);
          hits.push(toPx(p[A] + (p[B] - p[A]) * u, p[A + 1] + (p[B + 1] - p[A + 1]) * u));
        }
      }
      if (hits.length === 2) { ctx.moveTo(...hits[0]); ctx.lineTo(...hits[1]); }
    }
    ctx.stroke();
  }
  // 10 mm scale bar and orientation (anterior at the top, patient's left on the right, as in axial radiology)
  ctx.strokeStyle = "#e8eef3"; ctx.fillStyle = "#e8eef3"; ctx.lineWidth = 2;
  ctx.beginPath(); ctx.moveTo(10, hgt - 12); ctx.lineTo(10 + 10 * pxPerMm, hgt - 12); ctx.stroke();
  ctx.font = "12px sans-serif";
  ctx.fillText("10 mm", 12, hgt - 18);
  ctx.fillText(words.ui("anterior", "anterior"), w / 2 - 24, 14);
  ctx.fillText(words.ui("posterior", "posterior"), w / 2 - 26, hgt - 4);
}

// Freehand strokes in normalised canvas coordinates (0..1), kept in the link on request.
class Sketch {
  constructor(canvas, onChange) {
    this.canvas = canvas;
    this.strokes = [];
    this.onChange = onChange;
    this.active = false;
    let current = null;
    const pos = (e) => { const r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height]; };
    canvas.addEventListener("pointerdown", (e) => { if (!this.active) return; current = [pos(e)]; this.strokes.push(current); canvas.setPointerCapture?.(e.pointerId); });
    canvas.addEventListener("pointermove", (e) => { if (current) { current.push(pos(e)); this.draw(); } });
    const end = () => { if (current) { current = null; this.onChange(); } };
    canvas.addEventListener("pointerup", end);
    canvas.addEventListener("pointercancel", end);
  }

  setActive(on) { this.active = on; this.canvas.style.pointerEvents = on ? "auto" : "none"; }
  clear() { this.strokes = []; this.draw(); this.onChange(); }

  draw() {
    const r = this.canvas.getBoundingClientRect();
    this.canvas.width = Math.max(1, Math.round(r.width)); this.canvas.height = Math.max(1, Math.round(r.height));
    const ctx = this.canvas.getContext("2d");
    ctx.clearRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.strokeStyle = "#ff3b6b"; ctx.lineWidth = 4; ctx.lineCap = "round"; ctx.lineJoin = "round";
    for (const s of this.strokes) {
      ctx.beginPath();
      s.forEach(([x, y], i) => (i ? ctx.lineTo(x * this.canvas.width, y * this.canvas.height) : ctx.moveTo(x * this.canvas.width, y * this.canvas.height)));
      ctx.stroke();
    }
  }

  encode() {
    return this.strokes.map((s) => s.map(([x, y]) => `${Math.round(x * 999)}.${Math.round(y * 999)}`).join("_")).join("~");
  }

  decode(text) {
    if (!/^[0-9._~]{0,20000}$/.test(text || "")) return;
    this.strokes = text.split("~").filter(Boolean).map((s) => s.split("_").map((p) => {
      const [x, y] = p.split(".").map(Number);
      return [Math.min(1, (x || 0) / 999), Math.min(1, (y || 0) / 999)];
    }));
    this.draw();
  }
}

// Teach-back: one question at a time; every answer is explained kindly.
function buildQuiz(words, onClose) {
  const questions = words.quiz();
  const dialog = h("div", { class: "mild-quiz", role: "dialog", "aria-modal": "true", "aria-label": words.ui("quiz_title", "Check what you learned") });
  let index = 0;
  const show = () => {
    dialog.replaceChildren();
    const q = questions[index];
    const close = h("button", { type: "button", class: "mild-btn mild-close", onclick: onClose }, words.ui("close", "Close"));
    if (!q) { dialog.append(h("p", { class: "mild-quiz-q" }, words.ui("quiz_done", "Well done. You can ask your doctor about anything that is still unclear.")), close); return; }
    const feedback = h("p", { class: "mild-quiz-feedback", "aria-live": "polite" });
    const next = h("button", { type: "button", class: "mild-btn mild-next", hidden: true, onclick: () => { index += 1; show(); } }, words.ui("quiz_next", "Next question"));
    const choices = (q.choices || []).map((choice, i) => h("button", {
      type: "button", class: "mild-choice",
      onclick: (e) => {
        const right = i === q.answer;
        for (const b of dialog.querySelectorAll(".mild-choice")) b.disabled = true;
        e.currentTarget.classList.add(right ? "right" : "wrong");
        feedback.textContent = `${right ? words.ui("quiz_right", "Yes, that's right.") : words.ui("quiz_wrong", "Not quite.")} ${q.explanation || ""}`;
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
