// The vtk.js scene: one render window on one canvas, one actor per part and level of
// detail, morphed in place. Only the classes the player draws with are imported, and of
// the OpenGL geometry profile only the view nodes it uses (actor, camera, polygon mapper,
// renderer): no WebGPU, no axes or scalar bars (STYLE.md §8). Positions are millimetres
// in the LPS+ frame; nothing is flipped.

import "@kitware/vtk.js/Rendering/OpenGL/Actor";
import "@kitware/vtk.js/Rendering/OpenGL/Camera";
import "@kitware/vtk.js/Rendering/OpenGL/PolyDataMapper";
import "@kitware/vtk.js/Rendering/OpenGL/Renderer";
import macro from "@kitware/vtk.js/macros";
import vtkDataArray from "@kitware/vtk.js/Common/Core/DataArray";
import vtkPlane from "@kitware/vtk.js/Common/DataModel/Plane";
import vtkPolyData from "@kitware/vtk.js/Common/DataModel/PolyData";
import vtkActor from "@kitware/vtk.js/Rendering/Core/Actor";
import vtkMapper from "@kitware/vtk.js/Rendering/Core/Mapper";
import vtkRenderWindow from "@kitware/vtk.js/Rendering/Core/RenderWindow";
import vtkRenderer from "@kitware/vtk.js/Rendering/Core/Renderer";
import vtkForwardPass from "@kitware/vtk.js/Rendering/OpenGL/ForwardPass";
import vtkOrderIndependentTranslucentPass from "@kitware/vtk.js/Rendering/OpenGL/OrderIndependentTranslucentPass";
import vtkOpenGLRenderWindow from "@kitware/vtk.js/Rendering/OpenGL/RenderWindow";
import vtkRenderPass from "@kitware/vtk.js/Rendering/SceneGraph/RenderPass";

import { clamp01 } from "../core/vec3.js";
import { CAP_BAND_MM, CAP_PULL_MM, cutFaceShader } from "./capdepth.js";
import { blendColours, growthWeights } from "../core/growth.js";
import { cellsFromFaces, computeNormals, facesKeptBy, morphInto, MORPH_STEPS, poseInto, quantize, shapeKey } from "../core/morph.js";

// The glow moves in GLOW_STEPS steps: each change re-uploads the part's colours, and
// finer steps are not visible while the glow grows.
const GLOW_STEPS = 24;
// A cut part shows its inside (back faces) flat in its own colour this much darker, so the
// cut reads as a solid section face instead of a lit hollow bowl.
const CAP_SHADE = 0.78;
// The nerves' cut stays nearly their own colour: the glow's orange, darkened as much as a
// bone's cut, read as brown (dead tissue), not as the pinched nerve the step points at.
const NERVE_CAP_SHADE = 0.95;
// Groups capped when a view cuts them, unless the bundle says (meta.cut_caps: its "rank"
// groups except "see_through", which keep their own look).
const DEFAULT_CAPPED = ["bone", "disc", "ligament", "fat"];

/** The anatomy groups a clip plane caps, from meta.cut_caps when the bundle has it. */
export function cappedGroups(cutCaps) {
  if (!cutCaps?.rank) return new Set(DEFAULT_CAPPED);
  const seeThrough = new Set(cutCaps.see_through ?? []);
  return new Set(Object.keys(cutCaps.rank).filter((group) => !seeThrough.has(group)));
}

/**
 * One level of detail of one part as a vtk.js actor whose points change in place. ``look``:
 * ``glowRgb`` (the pinched nerves' glow), ``capped`` (a cut shows a solid section) and
 * ``growth`` (``meta.growth`` of the part's group: where it has grown it is shaded, or null).
 */
class SceneActor {
  constructor(renderer, part, lod, { glowRgb, capped, growth }) {
    this.part = part;
    this.capped = capped;
    this.lod = lod;
    this.glowRgb = glowRgb;
    this.growth = growth;
    this.weights = new Float32Array(lod.pinch || growth ? lod.vertexCount : 0);
    this.points = new Float32Array(lod.rest);
    this.normals = new Float32Array(lod.rest.length);
    this.polydata = vtkPolyData.newInstance();
    this.polydata.getPoints().setData(this.points, 3);
    this.drawnFaces = lod.faces;
    this.polydata.getPolys().setData(cellsFromFaces(lod.faces));
    this.normalArray = vtkDataArray.newInstance({ numberOfComponents: 3, values: this.normals, name: "Normals" });
    this.polydata.getPointData().setNormals(this.normalArray);
    if (this.weights.length) {
      this.colors = new Uint8Array(lod.vertexCount * 3);
      this.colorArray = vtkDataArray.newInstance({ numberOfComponents: 3, values: this.colors, name: "Colors" });
      this.polydata.getPointData().setScalars(this.colorArray);
    }
    this.mapper = vtkMapper.newInstance({ scalarVisibility: !!this.colors });
    if (this.colors) this.mapper.setColorModeToDirectScalars();
    this.mapper.setInputData(this.polydata);
    const shade = part.group === "nerve" ? NERVE_CAP_SHADE : CAP_SHADE;
    this.cutShader = capped
      ? cutFaceShader(this.mapper, { pullMM: CAP_PULL_MM[part.group] ?? 0, bandMM: CAP_BAND_MM[part.group] ?? CAP_BAND_MM.default,
                                     shade, perVertex: !!lod.pinch,
                                     colourOf: () => this.actor.getProperty().getColor() })
      : null;
    this.actor = vtkActor.newInstance();
    this.actor.setMapper(this.mapper);
    const prop = this.actor.getProperty();
    prop.setAmbient(0.18); prop.setDiffuse(0.78); prop.setSpecular(0.18); prop.setSpecularPower(18);
    renderer.addActor(this.actor);
    this.key = null;          // the shape is set (and its normals computed) when first shown
  }

  refreshNormals() {
    computeNormals(this.points, this.lod.faces, this.normals);
    this.polydata.getPoints().modified();
    this.normalArray.modified();
    this.refreshCells();
  }

  /** The triangles drawn: all of them, or those a clip plane does not cut away whole. */
  refreshCells() {
    const faces = this.clip ? facesKeptBy(this.points, this.lod.faces, this.clip) : this.lod.faces;
    if (faces !== this.drawnFaces) {
      this.drawnFaces = faces;
      this.polydata.getPolys().setData(cellsFromFaces(faces));
    }
    this.polydata.modified();
  }

  setAnatomy(anatomy, biteFade) {
    const stepped = { ...anatomy, u: quantize(anatomy.u, MORPH_STEPS) };
    const key = shapeKey(this.lod, stepped, biteFade);
    if (key === this.key) return;
    this.key = key;
    morphInto(this.points, this.lod, stepped, biteFade);
    if (this.growth) growthWeights(this.points, this.lod.positions.healthy, this.growth.full_mm, this.weights);
    this.refreshNormals();
  }

  setPose(pose) {
    const key = `${pose.position_mm}|${pose.direction}`;
    if (key === this.key) return;
    this.key = key;
    poseInto(this.points, this.lod.rest, pose);
    this.refreshNormals();
  }

  /** Colour, opacity and glow (0..1 weight of the stenosis state on pinched vertices). */
  setLook(rgb, opacity, glow) {
    const prop = this.actor.getProperty();
    prop.setColor(rgb[0], rgb[1], rgb[2]);
    prop.setOpacity(opacity);
    if (!this.colors) return;
    const stepped = quantize(glow, GLOW_STEPS);
    const key = `${rgb.join()}|${this.growth ? this.key : stepped}`;
    if (key === this.glowKey) return;
    this.glowKey = key;
    if (this.growth) {
      blendColours(rgb, this.growth.color, this.weights, this.colors);
    } else {
      for (let v = 0; v < this.weights.length; v++) this.weights[v] = clamp01(this.lod.pinch[v] * stepped);
      blendColours(rgb, this.glowRgb, this.weights, this.colors);
    }
    this.colorArray.modified();
    this.polydata.modified();
  }

  setVisible(on) { this.actor.setVisibility(on); }
  isVisible() { return this.actor.getVisibility(); }
  opacity() { return this.actor.getProperty().getOpacity(); }

  // Skip triangles facing away (closed meshes only, uncut): on software WebGL fragments
  // are most of a frame's cost, so the player culls while moving.
  setCulling(on) { this.actor.getProperty().setBackfaceCulling(on); }

  /**
   * clip = [origin_mm, normal] cuts away the side the normal points to; null removes the
   * cut. A capped part shows its cut as a solid section face (its inside drawn flat).
   */
  setClip(clip) {
    const key = clip ? JSON.stringify(clip) : "";
    if (key === this.clipKey) return;
    this.clipKey = key;
    this.clip = clip;
    this.mapper.removeAllClippingPlanes();
    if (clip) this.mapper.addClippingPlane(vtkPlane.newInstance({ origin: clip[0], normal: clip[1].map((v) => -v) }));
    this.cutShader?.setCut(!!clip);
    this.refreshCells();
  }
}

/**
 * A part's two levels of detail. The full one is made when first asked for: the first
 * picture is the light one, so its many buffers are not in the way of the first draw.
 */
class ActorPair {
  constructor(renderer, part, look) {
    this.part = part;
    this.make = () => new SceneActor(renderer, part, part.full, look);
    this.light = part.light ? new SceneActor(renderer, part, part.light, look) : null;
    this.fullActor = null;
  }

  get full() { return (this.fullActor ??= this.make()); }

  /** The levels of detail made so far. */
  made() { return [this.fullActor, this.light].filter(Boolean); }
}

/**
 * How translucent parts are drawn: order-independent (vtk.js's weighted blending: the
 * opaque scene drawn twice more into half-float targets, then composited) for stills, or
 * plainly blended in drawing order while the picture moves, which keeps bone translucent
 * in motion at a fraction of the cost on software WebGL (TRAPS.md, "Browser and frame rate").
 */
function extendTranslucentPass(publicAPI, model, initialValues = {}) {
  Object.assign(model, { fast: false, exact: vtkOrderIndependentTranslucentPass.newInstance() }, initialValues);
  vtkRenderPass.extend(publicAPI, model, initialValues);
  macro.setGet(publicAPI, model, ["fast"]);
  publicAPI.traverse = (viewNode, renNode, forwardPass) => {
    if (!model.fast) {
      model.exact.traverse(viewNode, renNode, forwardPass);
      return;
    }
    publicAPI.setCurrentOperation("translucentPass");
    renNode.traverse(publicAPI);
  };
  publicAPI.getShaderReplacement = () => null;
  publicAPI.releaseGraphicsResources = (viewNode) => model.exact.releaseGraphicsResources(viewNode);
}
const newTranslucentPass = macro.newInstance(extendTranslucentPass, "mildSwitchableTranslucentPass");

/**
 * A render window in `container` with every part of the story (full and light detail).
 * `onContextLost()` / `onContextRestored()` are called when the browser drops or gives
 * back the WebGL context (tablets do when the app goes to the background).
 */
export class Scene {
  constructor(container, story, background, { onContextLost, onContextRestored }) {
    this.renderWindow = vtkRenderWindow.newInstance();
    this.renderer = vtkRenderer.newInstance({ background });
    this.renderer.setTwoSidedLighting(true);
    this.renderWindow.addRenderer(this.renderer);
    this.glWindow = vtkOpenGLRenderWindow.newInstance();
    this.translucency = newTranslucentPass();
    this.glWindow.setRenderPasses([vtkForwardPass.newInstance({ translucentPass: this.translucency })]);
    this.glWindow.setContainer(container);
    this.renderWindow.addView(this.glWindow);
    this.canvas = this.glWindow.getCanvas();
    // Claim the context before vtk.js does, without multisampling: on software WebGL
    // 4x MSAA costs most of each frame; the player supersamples stills instead.
    this.canvas.getContext("webgl2", { antialias: false, alpha: true, depth: true, preserveDrawingBuffer: false, powerPreference: "high-performance" });
    Object.assign(this.canvas.style, { width: "100%", height: "100%", display: "block" });
    this.lost = false;
    this.listeners = {
      webglcontextlost: (e) => { e.preventDefault(); this.lost = true; onContextLost(); },
      webglcontextrestored: () => onContextRestored(),
    };
    for (const [name, fn] of Object.entries(this.listeners)) this.canvas.addEventListener(name, fn);
    const capped = cappedGroups(story.meta.cut_caps);
    this.actors = [...story.parts, ...story.instruments].map((part) => {
      const anatomy = part.kind === "anatomy";
      return new ActorPair(this.renderer, part, {
        glowRgb: story.pinchColor, capped: anatomy && capped.has(part.group),
        growth: (anatomy && story.meta.growth?.[part.group]) || null,
      });
    });
    this.camera = this.renderer.getActiveCamera();
  }

  setCamera(camera, angleDeg) {
    this.camera.setViewAngle(angleDeg);
    this.camera.setPosition(...camera.position_mm);
    this.camera.setFocalPoint(...camera.focal_point_mm);
    this.camera.setViewUp(...camera.view_up);
    this.camera.orthogonalizeViewUp();
    this.renderer.resetCameraClippingRange();
  }

  setSize(width, height) { this.glWindow.setSize(width, height); }
  /** Blend translucent parts in drawing order (fast, while moving) or order-independently (stills). */
  setFastTranslucency(on) { this.translucency.setFast(on); }
  render() { if (!this.lost) this.renderWindow.render(); }

  /** Free the WebGL resources and remove the canvas (vtk.js removes it from its container). */
  destroy() {
    for (const [name, fn] of Object.entries(this.listeners)) this.canvas.removeEventListener(name, fn);
    this.renderWindow.delete();
    this.glWindow.delete();
    this.canvas.remove();
  }

  /** Remove the canvas of a lost context; its GPU objects went with the context. */
  discard() {
    for (const [name, fn] of Object.entries(this.listeners)) this.canvas.removeEventListener(name, fn);
    this.canvas.remove();
  }
}
