// How a cut part's section face is drawn beyond what vtk.js's back-face property gives.
//
// The player draws a cut as the part's inside (its back faces, flat). The web meshes are
// decimated, each part on its own, so where parts touch they no longer fit exactly:
// - a disc's faces dip into the endplates they touch (up to 0.88 mm, measured on the L4–L5
//   disc against L4 and L5 at the web level of detail), and the bone under a cut disc
//   showed through its section face in patches. The inside of a cut disc is therefore drawn
//   a little nearer the eye than it lies (``CAP_PULL_MM``): nothing is in front of it there
//   (the cut removed it), and an uncut disc (≥ 8 mm thick) still hides its own inside;
// - the ligament at the treated level is its posterior skin, what the tools remove and
//   what they leave, as separate closed pieces; decimated, their shared faces part, and
//   their lit side walls showed as thin dark lines across the ligament's section. Every
//   surface of a cut part within ``CAP_BAND_MM`` of the cut is drawn in the section's flat
//   colour, so the section reads as one face up to its edge, as a real cut does.

/** How much nearer the eye a cut part's inside is drawn, mm, by anatomy group. */
export const CAP_PULL_MM = { disc: 1.5 };

/** Surfaces of a cut part this near the cut (mm, on the kept side) take the section's colour. */
export const CAP_BAND_MM = 1.0;

const DECLARATIONS = "//VTK::Clip::Dec\nuniform float capPullMM;\nuniform vec3 capDepthAB;\nuniform vec3 capRGB;";

const DEPTH_CODE = [
  "if (!gl_FrontFacing && capPullMM > 0.0) {",
  "  float w = -vertexVC.z * (1.0 - capPullMM / length(vertexVC.xyz));",
  "  gl_FragDepth = 0.5 * (capDepthAB.x - capDepthAB.y / max(w, capDepthAB.z)) + 0.5;",
  "} else {",
  "  gl_FragDepth = gl_FragCoord.z;",
  "}",
].join("\n");

const BAND_CODE = [
  "//VTK::Light::Impl",
  `if (clipDistancesVSOutput[0] < ${CAP_BAND_MM.toFixed(3)}) {`,
  "  gl_FragData[0] = vec4(capRGB, gl_FragData[0].a);",
  "}",
].join("\n");

/**
 * The two constants of a perspective depth: NDC z = a − b / w for a point w mm in front of
 * the eye, with near and far clipping distances n and f (OpenGL's frustum, as vtk.js builds
 * it): a = (f + n) / (f − n), b = 2fn / (f − n).
 */
export function depthConstants(near, far) {
  return [(far + near) / (far - near), (2 * far * near) / (far - near)];
}

/**
 * The cut-face shader of one part: call ``setCut(true)`` while a clip plane cuts the part.
 * ``pullMM`` is how much nearer the eye its inside is drawn; ``capRgbOf()`` gives the
 * section's colour (0..1). Perspective cameras only, as the player's are.
 */
export function cutFaceShader(mapper, pullMM, capRgbOf) {
  const spec = mapper.getViewSpecificProperties();
  const replacements = [
    { shaderType: "Fragment", originalValue: "//VTK::Clip::Dec", replaceFirst: true, replaceAll: false, replacementValue: DECLARATIONS },
    { shaderType: "Fragment", originalValue: "//VTK::Light::Impl", replaceFirst: true, replaceAll: false, replacementValue: BAND_CODE },
  ];
  if (pullMM > 0) {
    replacements.push({ shaderType: "Fragment", originalValue: "//VTK::Depth::Impl", replaceFirst: true, replaceAll: false, replacementValue: DEPTH_CODE });
  }
  spec.ShadersCallbacks = [{
    callback: (_, cellBO, renderer) => {
      const program = cellBO.getProgram();
      if (program.isUniformUsed("capRGB")) program.setUniform3f("capRGB", ...capRgbOf());
      if (!program.isUniformUsed("capPullMM")) return;
      const [near, far] = renderer.getActiveCamera().getClippingRange();
      const [a, b] = depthConstants(near, far);
      program.setUniformf("capPullMM", pullMM);
      program.setUniform3f("capDepthAB", a, b, near);
    },
  }];
  return {
    setCut(on) {
      spec.OpenGL = on ? { ShaderReplacements: replacements } : {};
      mapper.modified();
    },
  };
}
