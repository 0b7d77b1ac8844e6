"""The lamina trims of MILD, cut from the patient's own bone at the patient's own level.

The model trims a little of the upper lamina where the portal docks
(:func:`viz.models.decompression.portal_axis`: on the lamina's lower edge,
placed in the ligament's parameters of the level): the bone inside a cylinder of
the portal's diameter along the portal axis. The same cut is made here on the
patient's bone with the patient's level (manifold3d booleans), so the trim sits
on the patient's lamina. The patient's part becomes "bone minus the trims"
followed by one closed shell per trim, the layout the contract asks for
(``docs/CONTRACTS.md`` §1), with the template's removal order and times.
Frame: LPS+ millimetres (+x patient's left, +y posterior, +z superior).

References
----------
Deer TR et al. Pain Pract 2019;19(3):250-274. https://doi.org/10.1111/papr.12744 (6-gauge portal on the lamina).
"""

from __future__ import annotations

from dataclasses import replace

import manifold3d
import numpy as np
import trimesh

from viz.models.anatomy import Bite
from viz.models.decompression import _lamina_bite, from_manifold, to_manifold
from viz.models.levels import Level

MIN_TRIM_MM3 = 1.0
"""A trim that takes less of the patient's bone than this is left out, mm³."""


def carve_bone_bites(template_bites: tuple[Bite, ...], patient_bone: trimesh.Trimesh,
                     level: Level) -> tuple[np.ndarray, np.ndarray, tuple[Bite, ...]]:
    """Cut the lamina trims out of the patient's upper vertebra at ``level``.

    Parameters
    ----------
    template_bites : tuple of Bite
        The template vertebra's bone bites (their side, order and time are kept).
    patient_bone : trimesh.Trimesh
        The patient's vertebra above the level, closed, LPS+ mm.
    level : Level
        The patient's level (:mod:`viz.scan.spine_levels`).

    Returns
    -------
    vertices_mm : (n, 3) float32
        The trimmed bone first, then each trim's shell.
    faces : (m, 3) int32
    bites : tuple of Bite
        One per trim that takes at least :data:`MIN_TRIM_MM3`. Without bone bites in the
        template, or if the patient bone is not a valid solid for booleans, the bone
        is returned whole with no bites.
    """
    whole = (np.asarray(patient_bone.vertices, dtype=np.float32), np.asarray(patient_bone.faces, dtype=np.int32), ())
    bone = to_manifold(patient_bone)
    if bone.status() != manifold3d.Error.NoError:
        return whole
    trims = []
    for bite in (b for b in template_bites if b.tissue == "bone"):
        piece = _lamina_bite(patient_bone, level, bite.side)
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
