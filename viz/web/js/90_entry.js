// Entry points: the Panel component (render) and the standalone HTML (mountStandalone).
// Both make the same Player; window.mildPlayers lists them for tests and benchmarks.

function registerPlayer(player) {
  window.mildPlayers = window.mildPlayers || [];
  window.mildPlayers.push(player);
}

function failGently(el, error) {
  console.warn("MILD player could not start:", error);
  el.replaceChildren(h("p", { class: "mild-fallback" },
    "The 3D view could not start on this device. Please try another browser, or ask for the printed handout."));
}

export function render({ model, el }) {
  const root = h("div", { class: "mild-host", tabindex: "-1" });
  el.append(root);
  try {
    const story = decodeBundle(model.meta, model.geometry);
    const options = { ...model.options, stage: model.stage || model.options.stage };
    const player = new Player(window.vtk, root, story, options, {
      onStage: (id) => { if (model.stage !== id) model.stage = id; },
    });
    registerPlayer(player);
    model.on("remove", () => player.destroy());
  } catch (error) {
    failGently(root, error);
  }
}

export function mountStandalone(el, meta, geometryBase64, options) {
  const fromHash = new URLSearchParams((location.hash || "").slice(1));
  const stage = fromHash.get("stage") || options.stage;
  try {
    const story = decodeBundle(meta, geometryBase64);
    const ids = story.stages.map((s) => s.id);
    const player = new Player(window.vtk, el, story, { ...options, stage: ids.includes(stage) ? stage : ids[0] }, { standalone: true });
    registerPlayer(player);
    return player;
  } catch (error) {
    failGently(el, error);
    return null;
  }
}
