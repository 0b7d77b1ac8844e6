// A cut part's section face drawn nearer the eye. The player draws a cut as the part's
// inside (its back faces, flat). The web meshes are decimated, so a disc's faces dip into
// the endplates they touch (up to 0.88 mm, measured on the L4–L5 disc against L4 and L5 at
// the web level of detail), and the bone under a cut disc showed through its section
// face in patches. The inside of a cut disc is therefore drawn a little nearer the eye
// than it lies: nothing is in front of it there (the cut removed it), and an uncut disc
// (≥ 8 mm thick) still hides its own inside behind its outside.

/** How much nearer the eye a cut part's inside is drawn, mm, by anatomy group. */
export const CAP_PULL_MM = { disc: 1.5 };

const DEPTH_CODE = [
  "if (!gl_FrontFacing && capPullMM > 0.0) {",
  "  float w = -vertexVC.z * (1.0 - capPullMM / length(vertexVC.xyz));",
  "  gl_FragDepth = 0.5 * (capDepthAB.x - capDepthAB.y / max(w, capDepthAB.z)) + 0.5;",
  "} else {",
  "  gl_FragDepth = gl_FragCoord.z;",
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
 * Make ``mapper`` draw the inside of its part ``pullOf()`` mm nearer the eye (0: where it
 * lies). Perspective cameras only, as the player's are.
 */
export function pullInsideNearer(mapper, pullOf) {
  const spec = mapper.getViewSpecificProperties();
  spec.OpenGL = {
    ShaderReplacements: [
      { shaderType: "Fragment", originalValue: "//VTK::Clip::Dec", replaceFirst: true, replaceAll: false,
        replacementValue: "//VTK::Clip::Dec\nuniform float capPullMM;\nuniform vec3 capDepthAB;" },
      { shaderType: "Fragment", originalValue: "//VTK::Depth::Impl", replaceFirst: true, replaceAll: false,
        replacementValue: DEPTH_CODE },
    ],
  };
  spec.ShadersCallbacks = [{
    callback: (_, cellBO, renderer) => {
      const program = cellBO.getProgram();
      if (!program.isUniformUsed("capPullMM")) return;
      const [near, far] = renderer.getActiveCamera().getClippingRange();
      const [a, b] = depthConstants(near, far);
      program.setUniformf("capPullMM", pullOf());
      program.setUniform3f("capDepthAB", a, b, near);
    },
  }];
}
