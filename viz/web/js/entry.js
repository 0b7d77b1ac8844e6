// Entry points: the Panel component (render, loaded by viz/web/player.py's _bundle) and the
// standalone HTML (mountStandalone, viz/export/html.py). Both decode the bundle the same way
// and make the same Player; window.mildPlayers lists them for tests and benchmarks.

import { MeshoptDecoder } from "meshoptimizer/decoder";

import { BundleError, decodeStory } from "./core/bundle.js";
import { h } from "./ui/dom.js";
import { Player } from "./player.js";

function register(player) {
  window.mildPlayers = [...(window.mildPlayers ?? []), player];
}

function unregister(player) {
  window.mildPlayers = (window.mildPlayers ?? []).filter((p) => p !== player);
}

/** One plain sentence instead of the 3D view; a bad bundle also says what is missing. */
export function failGently(el, error) {
  console.warn("MILD player could not start:", error);
  const details = error instanceof BundleError ? h("p", { class: "mild-fallback-detail" }, error.message) : null;
  el.replaceChildren(h("div", { class: "mild-fallback" },
    h("p", {}, "The 3D view could not start on this device. Please try another browser, or ask for the printed handout."), details));
}

function toBase64(bytes) {
  let text = "";
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** Send a file to the session in base64 chunks (one websocket message each). */
async function sendScan(model, file, chunkBytes, onProgress) {
  model.send_msg({ kind: "scan-start", name: file.name, size: file.size });
  for (let offset = 0; offset < file.size; offset += chunkBytes) {
    const bytes = new Uint8Array(await file.slice(offset, offset + chunkBytes).arrayBuffer());
    model.send_msg({ kind: "scan-chunk", data: toBase64(bytes) });
    onProgress(Math.min(1, (offset + bytes.length) / file.size));
  }
  model.send_msg({ kind: "scan-end" });
}

/** Panel's JSComponent entry: one player per component, rebuilt when a patient's scan arrives. */
export async function render({ model, el }) {
  const root = h("div", { class: "mild-host", tabindex: "-1" });
  el.append(root);
  await MeshoptDecoder.ready;
  let player = null;
  const hooks = {
    onStage: (id) => { if (model.stage !== id) model.stage = id; },
    sendScan: (file, chunkBytes, onProgress) => sendScan(model, file, chunkBytes, onProgress),
  };
  const start = () => {
    const first = player === null;
    if (player) { player.destroy(); unregister(player); player = null; }
    root.replaceChildren();
    try {
      const story = decodeStory(model.meta, model.geometry, MeshoptDecoder);
      const options = { ...model.options, stage: model.stage || model.options.stage, problems: first ? model.options.problems : [] };
      player = new Player(root, story, options, hooks);
      player.side?.showScanStatus(model.scan_status);
      register(player);
    } catch (error) {
      failGently(root, error);
    }
  };
  start();
  model.on("geometry", start);
  model.on("scan_status", () => player?.side?.showScanStatus(model.scan_status));
  model.on("remove", () => player?.destroy());
}

/** The standalone HTML's entry: the stage may come from the address's #stage=…. */
export async function mountStandalone(el, meta, geometry, options) {
  try {
    await MeshoptDecoder.ready;
    const story = decodeStory(meta, geometry, MeshoptDecoder);
    const wanted = new URLSearchParams(location.hash.slice(1)).get("stage");
    const stage = story.stages.some((s) => s.id === wanted) ? wanted : options.stage;
    const player = new Player(el, story, { ...options, stage }, { standalone: true });
    register(player);
    return player;
  } catch (error) {
    failGently(el, error);
    return null;
  }
}

export default { StoryPlayer: { render } };
