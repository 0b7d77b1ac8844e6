// Scene bundle decoding (docs/CONTRACTS.md §3 as sent by viz/web/wire.py): meshoptimizer
// streams to typed arrays, millimetres in the LPS+ frame (+x patient's left, +y posterior,
// +z superior). No vtk.js and no DOM here; the decoder (npm meshoptimizer's
// MeshoptDecoder) is passed in.

import { bundleProblems } from "./schema.js";
import { cameraTrack } from "./timeline.js";

/** A bundle the player cannot draw; `problems` lists what is missing or wrong. */
export class BundleError extends Error {
  constructor(problems) {
    super(`The scene data is incomplete: ${problems.slice(0, 5).join("; ")}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ""}.`);
    this.problems = problems;
  }
}

/** The geometry bytes as an ArrayBuffer (Panel sends a view or a buffer, the standalone file base64). */
export function toArrayBuffer(bytes) {
  if (bytes instanceof ArrayBuffer) return bytes;
  if (ArrayBuffer.isView(bytes)) return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (typeof bytes === "string") return Uint8Array.from(atob(bytes), (c) => c.charCodeAt(0)).buffer;
  throw new BundleError(["geometry: missing"]);
}

function slice(buffer, ref, path) {
  if (ref.offset + ref.bytes > buffer.byteLength) throw new BundleError([`${path}: past the end of the geometry`]);
  return new Uint8Array(buffer, ref.offset, ref.bytes);
}

/**
 * One level of detail: faces (Uint32Array, 3 per triangle), positions per state
 * (Float32Array, xyz per vertex; states with equal arrays share one), pinch (0..1) or null.
 */
export function decodeMesh(buffer, mesh, bites, decoder, path) {
  const rows = new Uint8Array(mesh.vertices * mesh.stride);
  decoder.decodeVertexBuffer(rows, mesh.vertices, mesh.stride, slice(buffer, mesh.vertex_data, path));
  const faces = new Uint32Array(mesh.triangles * 3);
  decoder.decodeIndexBuffer(new Uint8Array(faces.buffer), faces.length, 4, slice(buffer, mesh.index_data, path));
  const values = new Int16Array(rows.buffer);
  const perRow = mesh.stride / 2;
  const n = mesh.vertices;
  const columns = [];
  for (let c = 0; c < mesh.columns; c++) {
    const out = new Float32Array(n * 3);
    for (let v = 0; v < n; v++) {
      for (let k = 0; k < 3; k++) {
        const base = values[v * perRow + k];
        const q = c === 0 ? base : base + values[v * perRow + 3 * c + k];
        out[v * 3 + k] = mesh.origin_mm[k] + q * mesh.step_mm;
      }
    }
    columns.push(out);
  }
  let pinch = null;
  if (mesh.pinch) {
    pinch = new Float32Array(n);
    for (let v = 0; v < n; v++) pinch[v] = rows[v * mesh.stride + 6 * mesh.columns] / 255;
  }
  const positions = Object.fromEntries(Object.entries(mesh.positions).map(([state, c]) => [state, columns[c]]));
  return {
    faces, positions, rest: columns[0], bites, pinch, vertexCount: n,
    still: columns.length === 1 && bites.length === 0,   // never changes shape
  };
}

function decodeItem(buffer, entry, kind, decoder, path) {
  return {
    name: entry.name, group: entry.group, level: entry.level ?? null, side: entry.side ?? null,
    structure: entry.structure, color: entry.color, opacity: entry.opacity, kind,
    full: decodeMesh(buffer, entry.mesh, entry.bites, decoder, path),
    light: entry.light ? decodeMesh(buffer, entry.light.mesh, entry.light.bites, decoder, `${path}.light`) : null,
  };
}

/** The level the story treats: the one whose ligaments carry bites (docs/CONTRACTS.md §3a). */
export function treatedLevel(parts) {
  const treated = parts.find((p) => p.group === "ligament" && p.full.bites.length);
  return treated ? treated.level : null;
}

/**
 * The story: a validated, decoded bundle. Throws BundleError listing every problem.
 * @param {object} meta the bundle's JSON part
 * @param {ArrayBuffer|ArrayBufferView|string} bytes the encoded geometry
 * @param {{decodeVertexBuffer: Function, decodeIndexBuffer: Function}} decoder a ready MeshoptDecoder
 */
export function decodeStory(meta, bytes, decoder) {
  const problems = bundleProblems(meta);
  if (problems.length) throw new BundleError(problems);
  const buffer = toArrayBuffer(bytes);
  const parts = meta.parts.map((p, i) => decodeItem(buffer, p, "anatomy", decoder, `parts[${i}]`));
  const instruments = meta.instruments.map((p, i) => decodeItem(buffer, p, "instrument", decoder, `instruments[${i}]`));
  const last = meta.stages[meta.stages.length - 1];
  return {
    meta, parts, instruments, states: meta.states, stages: meta.stages, views: meta.views,
    playback: meta.playback, images: meta.images, metrics: meta.metrics, pinchColor: meta.pinch_color,
    total_s: last.start_s + last.duration_s, cameraKeys: cameraTrack(meta.stages), level: treatedLevel(parts),
  };
}
