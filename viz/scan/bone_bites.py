"""The lamina trims of MILD, cut from the patient's own bone.

The template vertebra carries the bone MILD trims as separate closed shells
(:class:`viz.models.anatomy.Bite`, ``tissue == "bone"``). Each shell is fitted
onto the patient (:class:`viz.scan.fit.SpineDeformation`), swept a little
outward, and intersected with the patient's bone (manifold3d booleans): the patient's part becomes
"bone minus the trims" followed by one closed shell per trim, the layout the
contract asks for (``docs/CONTRACTS.md`` §1), so the player removes the
patient's own lamina. Frame: LPS+ millimetres (+x patient's left,
+y posterior, +z superior).
"""

from __future__ import annotations

from dataclasses import replace

import manifold3d
import numpy as np
import trimesh

from viz.models.anatomy import Bite, Part
from viz.models.decompression import from_manifold, to_manifold
from viz.scan.fit import SpineDeformation

SWEEP_OUT_MM = 1.5
"""How far each fitted trim is swept outward so it breaks through the patient's bone surface, mm."""

MIN_TRIM_MM3 = 1.0
"""A fitted trim that takes less of the patient's bone than this is left out, mm³."""


def _tool_volume(part: Part, bite: Bite, deformation: SpineDeformation,
                 patient_bone: trimesh.Trimesh) -> trimesh.Trimesh:
    """The fitted bite swept :data:`SWEEP_OUT_MM` out through the patient's bone surface (convex hull).

    The template bite ends at the template's bone surface; the patient's surface may lie
    a fraction of a millimetre further out, which would leave the trim as a hidden
    cavity. Sweeping it outward (along the patient's surface normal nearest to it) makes
    the trim always open onto the surface, and adds only space outside the bone.
    """
    vertices = deformation.apply(np.asarray(part.positions_mm["stenosis"])[bite.start:bite.stop]).astype(np.float64)
    _, _, triangle = trimesh.proximity.closest_point(patient_bone, vertices.mean(axis=0, keepdims=True))
    outward = patient_bone.face_normals[int(triangle[0])]
    return trimesh.convex.convex_hull(np.vstack([vertices, vertices + SWEEP_OUT_MM * outward]))


def carve_bone_bites(template_part: Part, patient_bone: trimesh.Trimesh,
                     deformation: SpineDeformation) -> tuple[np.ndarray, np.ndarray, tuple[Bite, ...]]:
    """Cut the template's bone bites out of a patient's bone.

    Parameters
    ----------
    template_part : Part
        The template vertebra (with its bone bites).
    patient_bone : trimesh.Trimesh
        The patient's vertebra of the same name, closed, LPS+ mm.
    deformation : SpineDeformation
        Template → patient.

    Returns
    -------
    vertices_mm : (n, 3) float32
        The trimmed bone first, then each trim's shell.
    faces : (m, 3) int32
    bites : tuple of Bite
        One per trim that takes at least :data:`MIN_TRIM_MM3`; vertex ranges into ``vertices_mm``.
        Without bone bites in the template, or if the patient bone is not a valid
        solid for booleans, the bone is returned whole with no bites.
    """
    whole = (np.asarray(patient_bone.vertices, dtype=np.float32), np.asarray(patient_bone.faces, dtype=np.int32), ())
    template_bites = [bite for bite in template_part.bites if bite.tissue == "bone"]
    bone = to_manifold(patient_bone)
    if not template_bites or bone.status() != manifold3d.Error.NoError:
        return whole
    trims = []
    for bite in template_bites:
        piece = bone ^ to_manifold(_tool_volume(template_part, bite, deformation, patient_bone))
        if piece.volume() >= MIN_TRIM_MM3:
            trims.append((bite, piece))
    if not trims:
        return whole
    rest = bone - manifold3d.Manifold.batch_boolean([piece for _, piece in trims], manifold3d.OpType.Add)
    rest = manifold3d.Manifold.compose([body for body in rest.decompose() if body.volume() >= MIN_TRIM_MM3])
    meshes = [from_manifold(rest)] + [from_manifold(piece) for _, piece in trims]
    starts = np.cumsum([0] + [len(mesh.vertices) for mesh in meshes])
    bites = tuple(replace(bite, start=int(starts[k + 1]), stop=int(starts[k + 2]),
                          centre_mm=tuple(float(v) for v in meshes[k + 1].center_mass),
                          volume_mm3=float(piece.volume()))
                  for k, (bite, piece) in enumerate(trims))
    vertices = np.vstack([mesh.vertices for mesh in meshes]).astype(np.float32)
    faces = np.vstack([mesh.faces + start for mesh, start in zip(meshes, starts)]).astype(np.int32)
    return vertices, faces, bites
