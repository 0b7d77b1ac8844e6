"""Each disc fills the patient's own disc space, between the patient's own endplates.

The model lofts a disc between the two facing endplate rims, measured 1 mm
inside each body (:func:`viz.models.soft_tissue.disc`), so it meets the bone
without a gap. On a patient the loft is built on the patient's landmarks
(:mod:`viz.scan.spine_levels`) and then cut to the disc space the scan leaves:
on a :data:`GRID_MM` grid in the level's frame, the points inside the loft and at
least :data:`CLEARANCE_MM` outside the patient's bone (:class:`viz.scan.bone_field.BoneField`)
are contoured into one closed surface (:func:`viz.scan.surface.surface_from_mask`),
so the disc follows the patient's concave, tilted or uneven endplates instead
of cutting through them. Its states bulge as the model's do
(:func:`viz.models.stenosis.disc_bulge`, backward at mid-height, at the story's level
only), never into bone. A disc the scan labels is used as it is. If the
bones leave no room at all, the loft is kept, moved off the endplates toward the
mid-disc plane. Frame: LPS+ millimetres (+x patient's left, +y posterior, +z superior).

References
----------
Clouthier AL et al. J Biomech 2023;146:111421 (disc height 3.1–11.4 mm;
``../shared/ANATOMY.md`` "Lumbar vertebrae").
"""

from __future__ import annotations

import numpy as np
import trimesh

from viz.errors import UserError
from viz.models.anatomy import STATES, Part
from viz.models.levels import Level
from viz.models.soft_tissue import disc
from viz.models.stenosis import disc_bulge
from viz.scan.bone_field import BoneField
from viz.scan.soft_fit import WEB, PatientSpine, make_part, measured_part
from viz.scan.surface import surface_from_mask
from viz.scan.voxelize import label_map_from_meshes

GRID_MM = 0.5
"""Grid step on which the disc space is cut out, mm."""

CLEARANCE_MM = 0.2
"""How far the disc stays off the endplates, mm: it meets the bone, never enters it."""

TRIANGLES = 2400
"""Triangles of one fitted disc (its surface follows the endplates' shape)."""


def _disc_space(loft: trimesh.Trimesh, level: Level, field: BoneField) -> trimesh.Trimesh:
    """The part of the loft that is clear of the patient's bone, as one closed surface."""
    local = (np.asarray(loft.vertices) - level.disc_centre_mm) @ level.frame.T
    low, high = local.min(axis=0) - 2 * GRID_MM, local.max(axis=0) + 2 * GRID_MM
    shape = tuple(int(n) for n in np.ceil((high - low) / GRID_MM) + 1)
    lps_from_voxel = np.eye(4)
    lps_from_voxel[:3, :3] = level.frame.T * GRID_MM
    lps_from_voxel[:3, 3] = level.disc_centre_mm + low @ level.frame
    in_loft = label_map_from_meshes({1: loft}, lps_from_voxel, shape) == 1
    points = np.argwhere(in_loft) @ lps_from_voxel[:3, :3].T + lps_from_voxel[:3, 3]
    inside = np.zeros(shape, bool)
    inside[in_loft] = field.signed_mm(points) >= CLEARANCE_MM
    return surface_from_mask(inside, lps_from_voxel, TRIANGLES, name=level.name)


def _off_endplates(vertices: np.ndarray, level: Level, field: BoneField) -> np.ndarray:
    """Points moved toward the mid-disc plane until :data:`CLEARANCE_MM` clear of bone."""
    along = (vertices - level.disc_centre_mm) @ level.frame[2]
    return field.pull_clear(vertices, vertices - along[:, None] * level.frame[2], CLEARANCE_MM)


def disc_part(level: Level, spine: PatientSpine, marks: dict, measured: trimesh.Trimesh | None) -> Part:
    """The disc of a patient level in every state: the scan's own, or one filling the patient's disc space.

    Where a state's bulge would push the disc into bone, it stops at the bone (each
    point pulled back toward where it was before bulging).
    """
    loft = disc(marks[level.upper], marks[level.lower], WEB["disc_rings"])
    try:
        surface = _disc_space(loft, level, spine.field)
        base = np.asarray(surface.vertices, dtype=np.float64)
    except UserError:
        surface = loft
        base = _off_endplates(np.asarray(loft.vertices, dtype=np.float64), level, spine.field)
    model = {state: spine.field.pull_clear(disc_bulge(base, level, spine.states(state)[level.name]), base,
                                           CLEARANCE_MM) for state in STATES}
    if measured is not None:
        return measured_part(level.name, "disc", measured, model)
    return make_part(level.name, "disc", surface.faces, model)
