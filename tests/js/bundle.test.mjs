import assert from "node:assert/strict";
import { test } from "node:test";

import { MeshoptDecoder } from "meshoptimizer/decoder";
import { MeshoptEncoder } from "meshoptimizer/encoder";

import { BundleError, decodeStory } from "../../viz/web/js/core/bundle.js";
import { bundleProblems } from "../../viz/web/js/core/schema.js";

const STEP_MM = 1 / 64;
const ORIGIN_MM = [10, -20, 30];

/** A tetrahedron in two states, encoded as viz/web/wire.py does (int16 rows, state 2 as a difference, pinch byte). */
function wireMesh(buffers) {
  const healthy = [[0, 0, 0], [64, 0, 0], [0, 64, 0], [0, 0, 64]];
  const stenosis = healthy.map(([x, y, z]) => [x, y + 32, z]);
  const stride = 16;                                     // 2 × 3 int16 + pinch + padding
  const rows = new Uint8Array(4 * stride);
  const view = new DataView(rows.buffer);
  healthy.forEach((q, v) => {
    q.forEach((value, k) => view.setInt16(v * stride + 2 * k, value, true));
    stenosis[v].forEach((value, k) => view.setInt16(v * stride + 6 + 2 * k, value - q[k], true));
    rows[v * stride + 12] = v * 85;
  });
  const faces = new Uint32Array([0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3]);
  const add = (bytes) => {
    const ref = { offset: buffers.length, bytes: bytes.length };
    buffers.push(...bytes, ...new Array((4 - (bytes.length % 4)) % 4).fill(0));
    return ref;
  };
  return {
    vertices: 4, triangles: 4, stride, columns: 2, pinch: true, origin_mm: ORIGIN_MM, step_mm: STEP_MM,
    positions: { healthy: 0, stenosis: 1, decompressed: 0 },
    vertex_data: add(MeshoptEncoder.encodeVertexBuffer(rows, 4, stride)),
    index_data: add(MeshoptEncoder.encodeIndexBuffer(new Uint8Array(faces.buffer), 12, 4)),
  };
}

/** Triangles rotated to start at their smallest index (the index codec may rotate them, keeping the winding), sorted. */
function canonical(faces) {
  const out = [];
  for (let f = 0; f < faces.length; f += 3) {
    const t = [faces[f], faces[f + 1], faces[f + 2]];
    const k = t.indexOf(Math.min(...t));
    out.push([t[k], t[(k + 1) % 3], t[(k + 2) % 3]].join(","));
  }
  return out.sort();
}

function wireBundle() {
  const buffers = [];
  const mesh = wireMesh(buffers);
  const part = { name: "dural_sac", group: "dural_sac", structure: "dural_sac", color: [0.5, 0.7, 0.9], opacity: 0.55, level: null, side: null, bites: [], mesh, light: null };
  const meta = {
    states: ["healthy", "stenosis", "decompressed"], parts: [part], instruments: [], views: { back: { position_mm: [0, 300, 0], focal_point_mm: [0, 0, 0], view_up: [0, 0, 1] } },
    view_subjects: { back: ["dural_sac"] },
    stages: [{ id: "healthy", start_s: 0, duration_s: 5, morph: ["healthy", "stenosis"], removal: [0, 0], camera: [{ t_s: 0, view: "back" }],
      show_groups: ["dural_sac"], hide_parts: [], opacity: {}, instruments: [], hotspots: [], overlay: null, compare: null }],
    images: {}, metrics: [{ t_s: 0, levels: {} }], text: { en: {} }, pinch_color: [1, 0.45, 0.2],
    playback: { fade_s: 1, bite_fade: 0.04, view_angle_deg: 30, frame_margin: 0.08 }, wire: { version: 1 },
  };
  return { meta, bytes: new Uint8Array(buffers) };
}

test("geometry decodes to millimetres, states sharing one array where they are equal", async () => {
  await MeshoptDecoder.ready;
  await MeshoptEncoder.ready;
  const { meta, bytes } = wireBundle();
  const story = decodeStory(meta, bytes, MeshoptDecoder);
  const lod = story.parts[0].full;
  assert.deepEqual(canonical(lod.faces), canonical([0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3]));
  assert.deepEqual([...lod.positions.healthy.slice(3, 6)], [ORIGIN_MM[0] + 1, ORIGIN_MM[1], ORIGIN_MM[2]]);
  assert.equal(lod.positions.stenosis[4] - lod.positions.healthy[4], 0.5);
  assert.equal(lod.positions.decompressed, lod.positions.healthy);
  assert.deepEqual([...lod.pinch].map((p) => Math.round(p * 255)), [0, 85, 170, 255]);
  assert.equal(story.total_s, 5);
});

test("a bundle that lacks fields says which, all at once", () => {
  const { meta } = wireBundle();
  delete meta.playback;
  delete meta.parts[0].mesh.step_mm;
  meta.stages[0].camera.push({ t_s: 1, view: "sideways" });
  meta.view_subjects.back.push("spleen");
  const problems = bundleProblems(meta);
  assert.ok(problems.includes("playback: missing"), problems.join("\n"));
  assert.ok(problems.includes("parts[0].mesh.step_mm: missing"), problems.join("\n"));
  assert.throws(() => decodeStory(meta, new Uint8Array(0), MeshoptDecoder), (error) => error instanceof BundleError && /playback: missing/.test(error.message));
});

test("references to unknown views, states and parts are reported", () => {
  const { meta } = wireBundle();
  meta.stages[0].camera.push({ t_s: 1, view: "sideways" });
  meta.stages[0].morph = ["healthy", "swollen"];
  meta.view_subjects.back.push("spleen");
  assert.deepEqual(bundleProblems(meta), [
    "stages[0]: unknown state swollen", "stages[0].camera[1]: no view sideways", "view_subjects.back: no part spleen",
  ]);
});

test("the real schema accepts a well-formed bundle", () => {
  assert.deepEqual(bundleProblems(wireBundle().meta), []);
});
