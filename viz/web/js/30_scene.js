// The vtk.js scene: one actor per part and level of detail, morphed in place.
// Positions are millimetres in the LPS+ frame; nothing is flipped at render time.

const GLOW_RGB = [1.0, 0.55, 0.2];       // warm amber where nerves are pinched (unless the bundle says)
const HIGHLIGHT_RGB = [0.15, 0.75, 0.95]; // picked structure
const GLOW_STEPS = 24;                    // distinct glow strengths between none and full

function cellsFromFaces(faces) {
  const cells = new Uint32Array((faces.length / 3) * 4);
  for (let f = 0, c = 0; f < faces.length; f += 3, c += 4) {
    cells[c] = 3; cells[c + 1] = faces[f]; cells[c + 2] = faces[f + 1]; cells[c + 3] = faces[f + 2];
  }
  return cells;
}

function computeNormals(points, faces, out) {
  out.fill(0);
  for (let f = 0; f < faces.length; f += 3) {
    const a = faces[f] * 3, b = faces[f + 1] * 3, c = faces[f + 2] * 3;
    const ux = points[b] - points[a], uy = points[b + 1] - points[a + 1], uz = points[b + 2] - points[a + 2];
    const vx = points[c] - points[a], vy = points[c + 1] - points[a + 1], vz = points[c + 2] - points[a + 2];
    const nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    out[a] += nx; out[a + 1] += ny; out[a + 2] += nz;
    out[b] += nx; out[b + 1] += ny; out[b + 2] += nz;
    out[c] += nx; out[c + 1] += ny; out[c + 2] += nz;
  }
  for (let i = 0; i < out.length; i += 3) {
    const n = Math.hypot(out[i], out[i + 1], out[i + 2]) || 1;
    out[i] /= n; out[i + 1] /= n; out[i + 2] /= n;
  }
}

const BITE_FADE = 0.04;                    // share of the removal a bite takes to vanish
// Shapes move in MORPH_STEPS steps per transition (a bite in BITE_STEPS): each
// step re-uploads the part's vertex buffer, and a step (2 % of the ligament's
// growth, ≈0.1 mm) is far below what the eye follows in motion.
const MORPH_STEPS = 50;
const BITE_STEPS = 12;
const quantize = (x, steps) => Math.round(x * steps) / steps;
const arrayIds = new WeakMap();
let arrayCount = 0;
function arrayId(array) {
  if (!arrayIds.has(array)) arrayIds.set(array, ++arrayCount);
  return arrayIds.get(array);
}

// What the morphed shape depends on, as a string: equal keys give equal positions,
// so a part whose two states are the same array (bones while the ligament
// thickens) or whose bites are not fading is not recomputed or re-uploaded.
function shapeKey(lod, from, to, u, removal) {
  if (lod.still) return "still";
  const a = lod.positions[from] || lod.rest;
  const b = lod.positions[to] || a;
  let key = a === b || u <= 0 ? `${arrayId(a)}` : u >= 1 ? `${arrayId(b)}` : `${arrayId(a)}>${arrayId(b)}@${u.toFixed(4)}`;
  for (const bite of lod.bites) key += `|${biteScale(bite, removal).toFixed(4)}`;
  return key;
}

function biteScale(bite, removal) { return quantize(clamp01((bite.t - removal) / BITE_FADE), BITE_STEPS); }  // 1 present, 0 gone

// Current positions of one LOD: blend two states, collapse removed bites.
function morphInto(out, lod, from, to, u, removal) {
  const a = lod.positions[from] || lod.rest;
  const b = lod.positions[to] || a;
  if (a === b || u <= 0) out.set(a);
  else if (u >= 1) out.set(b);
  else for (let i = 0; i < out.length; i++) out[i] = a[i] + (b[i] - a[i]) * u;
  for (const bite of lod.bites) {
    const s = biteScale(bite, removal);
    if (s >= 1) continue;
    const [cx, cy, cz] = bite.centre_mm;
    for (let v = bite.start * 3; v < bite.stop * 3; v += 3) {
      out[v] = cx + (out[v] - cx) * s; out[v + 1] = cy + (out[v + 1] - cy) * s; out[v + 2] = cz + (out[v + 2] - cz) * s;
    }
  }
}

function poseInto(out, rest, pose) {
  // Rotate +z onto pose.direction (tip stays at the origin), then translate to the tip.
  const d = pose.direction;
  const z = [0, 0, 1];
  let axis = [z[1] * d[2] - z[2] * d[1], z[2] * d[0] - z[0] * d[2], z[0] * d[1] - z[1] * d[0]];
  const s = Math.hypot(axis[0], axis[1], axis[2]);
  const c = d[2];
  let R;
  if (s < 1e-9) R = c > 0 ? [1, 0, 0, 0, 1, 0, 0, 0, 1] : [1, 0, 0, 0, -1, 0, 0, 0, -1];
  else {
    axis = [axis[0] / s, axis[1] / s, axis[2] / s];
    const [x, y, w] = axis, t = 1 - c;
    R = [t * x * x + c, t * x * y - s * w, t * x * w + s * y,
         t * x * y + s * w, t * y * y + c, t * y * w - s * x,
         t * x * w - s * y, t * y * w + s * x, t * w * w + c];
  }
  const [px, py, pz] = pose.position_mm;
  for (let i = 0; i < rest.length; i += 3) {
    const x = rest[i], y = rest[i + 1], w = rest[i + 2];
    out[i] = R[0] * x + R[1] * y + R[2] * w + px;
    out[i + 1] = R[3] * x + R[4] * y + R[5] * w + py;
    out[i + 2] = R[6] * x + R[7] * y + R[8] * w + pz;
  }
}

class SceneActor {
  constructor(vtk, renderer, part, lod, glowRgb = GLOW_RGB) {
    this.vtk = vtk;
    this.glowRgb = glowRgb;
    this.part = part;
    this.lod = lod;
    this.points = new Float32Array(lod.rest.length);
    this.points.set(lod.rest);
    this.normals = new Float32Array(lod.rest.length);
    const pd = vtk.Common.DataModel.vtkPolyData.newInstance();
    pd.getPoints().setData(this.points, 3);
    pd.getPolys().setData(cellsFromFaces(lod.faces));
    this.normalArray = vtk.Common.Core.vtkDataArray.newInstance({ numberOfComponents: 3, values: this.normals, name: "Normals" });
    pd.getPointData().setNormals(this.normalArray);
    if (lod.pinch) {
      this.colors = new Uint8Array(lod.vertexCount * 3);
      this.colorArray = vtk.Common.Core.vtkDataArray.newInstance({ numberOfComponents: 3, values: this.colors, name: "Colors" });
      pd.getPointData().setScalars(this.colorArray);
    }
    this.polydata = pd;
    this.mapper = vtk.Rendering.Core.vtkMapper.newInstance({ scalarVisibility: !!lod.pinch });
    if (lod.pinch) this.mapper.setColorModeToDirectScalars();
    this.mapper.setInputData(pd);
    this.actor = vtk.Rendering.Core.vtkActor.newInstance();
    this.actor.setMapper(this.mapper);
    const prop = this.actor.getProperty();
    prop.setAmbient(0.18); prop.setDiffuse(0.78); prop.setSpecular(0.18); prop.setSpecularPower(18);
    renderer.addActor(this.actor);
    this.key = null;
    this.glowKey = null;
    this.refreshNormals();
  }

  refreshNormals() {
    computeNormals(this.points, this.lod.faces, this.normals);
    this.polydata.getPoints().modified();
    this.normalArray.modified();
    this.polydata.modified();
  }

  setAnatomy(a) {
    const u = quantize(a.u, MORPH_STEPS);
    const key = shapeKey(this.lod, a.from, a.to, u, a.removal);
    if (key === this.key) return;
    this.key = key;
    morphInto(this.points, this.lod, a.from, a.to, u, a.removal);
    this.refreshNormals();
  }

  setPose(pose) {
    const key = JSON.stringify(pose);
    if (key === this.key) return;
    this.key = key;
    poseInto(this.points, this.lod.rest, pose);
    this.refreshNormals();
  }

  // glow: 0..1 weight of the stenosis state; colours the pinched vertices.
  // The glow moves in GLOW_STEPS steps: each change re-uploads the part's whole
  // vertex buffer, and finer steps are not visible while the glow grows.
  setLook(rgb, opacity, glow) {
    const prop = this.actor.getProperty();
    prop.setColor(rgb[0], rgb[1], rgb[2]);
    prop.setOpacity(opacity);
    if (!this.colors) return;
    glow = quantize(glow, GLOW_STEPS);
    const key = `${rgb.join()}|${glow}`;
    if (key === this.glowKey) return;
    this.glowKey = key;
    const pinch = this.lod.pinch;
    for (let v = 0; v < pinch.length; v++) {
      const w = clamp01(pinch[v] * glow);
      for (let k = 0; k < 3; k++) this.colors[v * 3 + k] = Math.round(255 * (rgb[k] + (this.glowRgb[k] - rgb[k]) * w));
    }
    this.colorArray.modified();
    this.polydata.modified();
  }

  setVisible(on) { this.actor.setVisibility(on); }

  // Skip triangles facing away (closed meshes only, uncut): on software WebGL
  // fragments are most of a frame's cost, so the player culls while moving.
  setCulling(on) { this.actor.getProperty().setBackfaceCulling(on); }

  // clip: [origin_mm, normal] cuts away the side the normal points to (the
  // bundle's convention, as pyvista's clip); null removes the cut.
  setClip(clip) {
    const key = clip ? JSON.stringify(clip) : "";
    if (key === this.clipKey) return;
    this.clipKey = key;
    this.clip = clip;
    this.mapper.removeAllClippingPlanes();
    if (clip) {
      const normal = clip[1].map((v) => -v);          // vtk.js keeps the side its normal points to
      this.mapper.addClippingPlane(this.vtk.Common.DataModel.vtkPlane.newInstance({ origin: clip[0], normal }));
    }
  }
}

function createRenderer(vtk, container, background) {
  const renderWindow = vtk.Rendering.Core.vtkRenderWindow.newInstance();
  const renderer = vtk.Rendering.Core.vtkRenderer.newInstance({ background });
  renderer.setTwoSidedLighting(true);
  renderWindow.addRenderer(renderer);
  const glWindow = vtk.Rendering.OpenGL.vtkRenderWindow.newInstance();
  glWindow.setContainer(container);
  renderWindow.addView(glWindow);
  const canvas = container.querySelector("canvas");
  // Claim the context before vtk.js does, without multisampling: on software
  // WebGL 4x MSAA costs most of each frame; the player supersamples at rest instead.
  canvas.getContext("webgl2", { antialias: false, alpha: true, depth: true, preserveDrawingBuffer: false,
                                powerPreference: "high-performance" });
  canvas.setAttribute("role", "img");
  canvas.style.width = "100%";
  canvas.style.height = "100%";
  canvas.style.display = "block";
  return { renderWindow, renderer, glWindow, canvas };
}
