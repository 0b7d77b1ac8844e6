// One validation of the scene bundle's JSON part on load (docs/CONTRACTS.md §3 as
// sent by viz/web/wire.py): every field the player reads, with its type. It returns
// every problem found, as "path: what is wrong", so a bad bundle says what is missing
// instead of drawing a half-empty scene.

const isNumber = (v) => typeof v === "number" && Number.isFinite(v);
const vec = (n) => (v) => Array.isArray(v) && v.length === n && v.every(isNumber);

const TYPES = {
  string: (v) => typeof v === "string",
  number: isNumber,
  boolean: (v) => typeof v === "boolean",
  vec2: vec(2),
  vec3: vec(3),
  object: (v) => v !== null && typeof v === "object" && !Array.isArray(v),
};

const BUFFER = { offset: "number", bytes: "number" };
const MESH = {
  vertices: "number", triangles: "number", stride: "number", columns: "number", pinch: "boolean",
  origin_mm: "vec3", step_mm: "number", positions: "object", vertex_data: BUFFER, index_data: BUFFER,
};
const BITE = { t: "number", start: "number", stop: "number", centre_mm: "vec3" };
const ITEM = {
  name: "string", group: "string", structure: "string", color: "vec3", opacity: "number",
  "level?": "string|null", "side?": "string|null", bites: [BITE], mesh: MESH, "light?": { bites: [BITE], mesh: MESH },
};
const VIEW = { position_mm: "vec3", focal_point_mm: "vec3", view_up: "vec3" };
const KEY = { t_s: "number", position_mm: "vec3", direction: "vec3", visible: "boolean" };
const STAGE = {
  id: "string", start_s: "number", duration_s: "number", morph: ["string"], removal: "vec2",
  camera: [{ t_s: "number" }], show_groups: ["string"], hide_parts: ["string"], opacity: "object",
  instruments: [{ name: "string", keys: [KEY] }], hotspots: [{ id: "string", part: "string", position_mm: "vec3" }],
  "compare?": ["string"], "consult?": ["string"],
};
export const BUNDLE_SCHEMA = {
  states: ["string"], parts: [ITEM], instruments: [ITEM], views: "object", view_subjects: "object", stages: [STAGE],
  images: "object", metrics: [{ t_s: "number", levels: "object" }], text: "object", pinch_color: "vec3",
  playback: { fade_s: "number", bite_fade: "number", view_angle_deg: "number", frame_margin: "number" },
  wire: { version: "number" },
  "orientation?": "object", "cut_caps?": "object", "patient?": "object", "growth?": "object",
};

function check(value, spec, path, problems) {
  if (typeof spec === "string") {
    const ok = spec.split("|").some((type) => (type === "null" ? value === null : TYPES[type](value)));
    if (!ok) problems.push(`${path}: ${value === undefined ? "missing" : `not ${spec.replace("|", " or ")}`}`);
  } else if (Array.isArray(spec)) {
    if (!Array.isArray(value)) problems.push(`${path}: ${value === undefined ? "missing" : "not a list"}`);
    else value.forEach((item, i) => check(item, spec[0], `${path}[${i}]`, problems));
  } else if (!TYPES.object(value)) {
    problems.push(`${path}: ${value === undefined ? "missing" : "not an object"}`);
  } else {
    for (const [key, sub] of Object.entries(spec)) {
      const optional = key.endsWith("?");
      const name = optional ? key.slice(0, -1) : key;
      if (optional && value[name] == null) continue;
      check(value[name], sub, path ? `${path}.${name}` : name, problems);
    }
  }
}

/** Cross-references the types cannot see: views named by keys, states named by stages. */
function checkReferences(meta, problems) {
  meta.stages.forEach((stage, i) => {
    for (const state of [...stage.morph, ...(stage.compare || [])]) {
      if (!meta.states.includes(state)) problems.push(`stages[${i}]: unknown state ${state}`);
    }
    stage.camera.forEach((key, k) => {
      const ok = key.view ? key.view in meta.views : vec(3)(key.position_mm) && vec(3)(key.focal_point_mm) && vec(3)(key.view_up);
      if (!ok) problems.push(`stages[${i}].camera[${k}]: no view ${key.view || "position"}`);
    });
  });
  for (const [name, view] of Object.entries(meta.views)) check(view, VIEW, `views.${name}`, problems);
  const names = new Set([...meta.parts, ...meta.instruments].map((item) => item.name));
  for (const [name, subjects] of Object.entries(meta.view_subjects)) {
    if (!(name in meta.views)) problems.push(`view_subjects.${name}: no such view`);
    check(subjects, ["string"], `view_subjects.${name}`, problems);
    for (const subject of Array.isArray(subjects) ? subjects : []) if (!names.has(subject)) problems.push(`view_subjects.${name}: no part ${subject}`);
  }
  if (!meta.stages.some((stage) => stage.camera.length)) problems.push("stages: no camera key");
  if (!meta.stages.length) problems.push("stages: empty");
  if (!meta.metrics.length) problems.push("metrics: empty");
}

/** Every problem of a bundle's JSON part, or an empty list. */
export function bundleProblems(meta) {
  const problems = [];
  check(meta, BUNDLE_SCHEMA, "", problems);
  if (!problems.length) checkReferences(meta, problems);
  return problems;
}
