"""The patient's bony canal, measured per level on the scan's own bone.

For each disc level the measured quantity is the bony passage the canal leaves
between the two vertebrae: seen along the level's axis (its mid-disc frame,
:mod:`viz.scan.spine_levels`), the points of the level's plane whose whole
column, from the upper vertebra's canal centre down to the lower one's, is free
of bone. That column crosses the closed bony ring of each vertebra, so the
free region around the canal centre is enclosed; what narrows it (laminae,
facets, the backs of the bodies, osteophytes) is what the scan shows as bone.
The disc and the ligaments are not bone and are not counted, so this is the
bony canal, not the dural sac. Reported: its area (mm²), its depth from front
to back on two paramedian lines :data:`viz.models.metrics.PARAMEDIAN_MM` either
side of the midline (mean, mm, as the model's ``canal_ap_mm``), and its width
(mm). A level whose passage is not enclosed (the scan's edge cuts it, a coarse
grid leaves gaps in the ring) or whose centre lies in bone is reported as not
measurable, never guessed. Frame: LPS+ millimetres (+x patient's left,
+y posterior, +z superior).

References
----------
Verbiest H. J Bone Joint Surg Br 1954;36-B:230-237 (bony canal depth: < 10 mm absolute,
10–12 mm relative stenosis; ``../shared/ANATOMY.md`` "Lumbar vertebrae").
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from viz.models.landmarks import VertebraLandmarks
from viz.models.levels import Level
from viz.models.metrics import PARAMEDIAN_MM
from viz.scan.bone_field import BoneField

GRID_MM = 0.5
"""Spacing of the sampling grid in the level plane and along the column, mm."""

HALF_SPAN_MM = 30.0
"""Half-width of the sampled square around the canal centre, mm."""


def bony_canal(level: Level, marks: dict[str, VertebraLandmarks], field: BoneField) -> dict | None:
    """The bony passage of one level.

    Parameters
    ----------
    level : Level
        The patient's level.
    marks : dict of str to VertebraLandmarks
        The patient's bones (the two of the level are used).
    field : BoneField
        The patient's bone.

    Returns
    -------
    dict or None
        ``{"area_mm2", "ap_mm", "width_mm"}``, or None when not measurable.
    """
    tops = [float(level.local(marks[name].canal_centre_mm[None])[0, 2]) for name in (level.upper, level.lower)]
    heights = np.arange(min(tops), max(tops) + GRID_MM, GRID_MM)
    axis = np.arange(-HALF_SPAN_MM, HALF_SPAN_MM + GRID_MM / 2, GRID_MM)
    x, y = np.meshgrid(axis, axis, indexing="ij")
    blocked = np.zeros(x.shape, bool)
    for height in heights:
        local = np.stack([x.ravel(), y.ravel(), np.full(x.size, height)], axis=1)
        blocked |= (field.signed_mm(level.world(local)) < 0.0).reshape(x.shape)
    centre = len(axis) // 2
    if blocked[centre, centre]:
        return None
    pieces, _ = ndimage.label(~blocked)
    canal = pieces == pieces[centre, centre]
    if canal[0].any() or canal[-1].any() or canal[:, 0].any() or canal[:, -1].any():
        return None
    depths = []
    for offset in (-PARAMEDIAN_MM, PARAMEDIAN_MM):
        column = canal[int(round(centre + offset / GRID_MM))]
        depths.append(float(column.sum()) * GRID_MM)
    return {"area_mm2": round(float(canal.sum()) * GRID_MM ** 2, 1), "ap_mm": round(float(np.mean(depths)), 2),
            "width_mm": round(float(canal[:, centre].sum()) * GRID_MM, 2)}
