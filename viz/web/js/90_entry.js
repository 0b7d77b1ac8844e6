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

function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

// Send a file to the session in base64 chunks (one websocket message each).
async function sendScan(model, file, chunkBytes, onProgress) {
  model.send_msg({ kind: "scan-start", name: file.name, size: file.size });
  for (let offset = 0; offset < file.size; offset += chunkBytes) {
    const bytes = new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer());
    model.send_msg({ kind: "scan-chunk", data: toBase64(bytes) });
    onProgress(Math.min(1, (offset + bytes.length) / file.size));
  }
  model.send_msg({ kind: "scan-end" });
}

export function render({ model, el }) {
  const root = h("div", { class: "mild-host", tabindex: "-1" });
  el.append(root);
  let player = null;
  const hooks = {
    onStage: (id) => { if (model.stage !== id) model.stage = id; },
    sendScan: (file, chunkBytes, onProgress) => sendScan(model, file, chunkBytes, onProgress),
  };
  const start = () => {
    if (player) { player.destroy(); window.mildPlayers = (window.mildPlayers || []).filter((p) => p !== player); }
    root.replaceChildren();
    try {
      const story = decodeBundle(model.meta, model.geometry);
      const options = { ...model.options, stage: model.stage || model.options.stage, problems: player ? [] : model.options.problems };
      player = new Player(window.vtk, root, story, options, hooks);
      registerPlayer(player);
    } catch (error) {
      failGently(root, error);
    }
  };
  start();
  model.on("geometry", start);
  model.on("scan_status", () => player && player.showScanStatus(model.scan_status));
  model.on("remove", () => player && player.destroy());
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
