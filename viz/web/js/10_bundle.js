// Scene bundle decoding (docs/CONTRACTS.md §3). Millimetres, LPS+ frame
// (+x patient's left, +y posterior, +z superior). No vtk.js here.

const TYPED = { f4: Float32Array, u4: Uint32Array };

function toArrayBuffer(bytes) {
  if (bytes instanceof ArrayBuffer) return bytes;
  if (ArrayBuffer.isView(bytes)) {
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  }
  if (typeof bytes === "string") {           // base64 (standalone HTML)
    const raw = atob(bytes);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out.buffer;
  }
  throw new Error("scene geometry is missing");
}

// Identical arrays share one ref in the bundle (same offset); decode each once,
// so a part whose states are equal holds one array and never re-morphs.
const decoded = new WeakMap();              // buffer -> Map(offset/dtype/count -> typed array)

function arrayRef(buffer, ref) {
  if (!ref) return null;
  if (!decoded.has(buffer)) decoded.set(buffer, new Map());
  const seen = decoded.get(buffer);
  const key = `${ref.offset}/${ref.dtype}/${ref.count}`;
  if (seen.has(key)) return seen.get(key);
  const Type = TYPED[ref.dtype];
  if (!Type) throw new Error(`unknown dtype ${ref.dtype}`);
  if (ref.offset % 4 !== 0 || ref.offset + ref.count * 4 > buffer.byteLength) {
    throw new Error("scene geometry is truncated");
  }
  const array = new Type(buffer, ref.offset, ref.count);
  seen.set(key, array);
  return array;
}

// One level of detail of one part: faces, per-state positions, bites, pinch.
function decodeLod(buffer, src, states) {
  const positions = {};
  for (const [state, ref] of Object.entries(src.positions || {})) {
    positions[state] = arrayRef(buffer, ref);
  }
  const first = positions[states.find((s) => positions[s])] || Object.values(positions)[0];
  const bites = src.bites || [];
  const arrays = new Set(Object.values(positions));
  return {
    faces: arrayRef(buffer, src.faces),
    positions,
    rest: first,
    still: arrays.size === 1 && bites.length === 0,   // never changes shape
    bites,
    pinch: arrayRef(buffer, src.pinch),
    vertexCount: first.length / 3,
  };
}

function decodeBundle(meta, bytes) {
  const buffer = toArrayBuffer(bytes);
  const states = meta.states || ["healthy", "stenosis", "decompressed"];
  const decodePart = (p, kind) => ({
    name: p.name,
    group: p.group,
    level: p.level || null,
    side: p.side || null,
    structure: p.structure || p.name,
    color: p.color || [0.8, 0.8, 0.8],
    opacity: p.opacity == null ? 1 : p.opacity,
    kind,
    full: decodeLod(buffer, p, states),
    light: p.light ? decodeLod(buffer, { ...p.light, pinch: p.light.pinch }, states) : null,
  });
  const parts = (meta.parts || []).map((p) => decodePart(p, "anatomy"));
  const instruments = (meta.instruments || []).map((p) => decodePart(p, "instrument"));
  let t = 0;
  const stages = (meta.stages || []).map((s) => {
    const start = s.start_s == null ? t : s.start_s;
    t = start + s.duration_s;
    return { ...s, start_s: start };
  });
  const story = { meta, states, parts, instruments, stages, total_s: t };
  story.cameraKeys = cameraTrack(story);
  return story;
}
