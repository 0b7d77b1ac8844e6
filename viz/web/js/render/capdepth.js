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

/**
 * Surfaces of a cut part this near the cut (mm, on the kept side) take the section's colour,
 * by anatomy group (others: ``default``). A disc's faces follow the hollowed endplates only
 * ring by ring, so in a cut its upper and lower faces, lit at a grazing angle, showed as dark
 * wedges between its section and the bone's: a cut disc is drawn in its section's colour
 * all over (1 m), so the narrow space it really fills reads as disc.
 */
export const CAP_BAND_MM = { disc: 1000.0, default: 1.0 };

const DECLARATIONS = "//VTK::Clip::Dec\nuniform float capPullMM;\nuniform vec3 capDepthAB;\nuniform vec3 capRGB;\nuniform float capShade;";

const DEPTH_CODE = [
  "if (!gl_FrontFacing && capPullMM > 0.0) {",
  "  float w = -vertexVC.z * (1.0 - capPullMM / length(vertexVC.xyz));",
  "  gl_FragDepth = 0.5 * (capDepthAB.x - capDepthAB.y / max(w, capDepthAB.z)) + 0.5;",
  "} else {",
  "  gl_FragDepth = gl_FragCoord.z;",
  "}",
].join("\n");

/** The section's colour: the part's colour, or its colour per vertex (the nerves' glow), × the shade. */
function bandCode(perVertex, bandMM) {
  const colour = perVertex ? "vertexColorVSOutput.rgb * capShade" : "capRGB";
  return [
    "//VTK::Light::Impl",
    `if (!gl_FrontFacing || clipDistancesVSOutput[0] < ${bandMM.toFixed(3)}) {`,
    `  gl_FragData[0] = vec4(${colour}, gl_FragData[0].a);`,
    "}",
  ].join("\n");
}

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
 * Its inside and its surfaces near the cut are drawn flat in its colour × ``shade`` (its
 * colour per vertex when ``perVertex``: vtk.js's back-face property does not apply to those);
 * ``pullMM`` is how much nearer the eye its inside is drawn, ``bandMM`` how near the cut its
 * outside takes the section's colour. Perspective cameras only, as
 * the player's are.
 */
export function cutFaceShader(mapper, { pullMM, bandMM, shade, perVertex, colourOf }) {
  const spec = mapper.getViewSpecificProperties();
  const replacements = [
    { shaderType: "Fragment", originalValue: "//VTK::Clip::Dec", replaceFirst: true, replaceAll: false, replacementValue: DECLARATIONS },
    { shaderType: "Fragment", originalValue: "//VTK::Light::Impl", replaceFirst: true, replaceAll: false, replacementValue: bandCode(perVertex, bandMM) },
  ];
  if (pullMM > 0) {
    replacements.push({ shaderType: "Fragment", originalValue: "//VTK::Depth::Impl", replaceFirst: true, replaceAll: false, replacementValue: DEPTH_CODE });
  }
  spec.ShadersCallbacks = [{
    callback: (_, cellBO, renderer) => {
      const program = cellBO.getProgram();
      if (program.isUniformUsed("capRGB")) program.setUniform3f("capRGB", ...colourOf().map((c) => c * shade));
      if (program.isUniformUsed("capShade")) program.setUniformf("capShade", shade);
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
