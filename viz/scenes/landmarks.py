"""Landmarks of the anatomy that place the views, the instruments and the body.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior). Everything is measured on the healthy state of
:class:`viz.models.anatomy.Anatomy` through its public parts, at the level where
MILD is shown.

References
----------
``../shared/ANATOMY.md``: most stenosis is at L4–L5, then L3–L4.
"""

from __future__ import annotations

import numpy as np

FOCUS_LEVEL = "L4-L5"
"""The level where MILD is shown (the most common level of stenosis, ANATOMY.md)."""


def anatomy_landmarks(anatomy) -> dict[str, np.ndarray]:
    """Return landmarks of the healthy anatomy used to frame views and place things.

    Returns
    -------
    dict of str to (3,) float
        ``spine_min_mm``, ``spine_max_mm`` (bounds of bone, disc and soft tissue),
        ``level_mm`` (centre of the L4–L5 disc), ``canal_mm`` (centre of the dural sac
        at the height of the L4–L5 disc), ``ligament_left_mm`` (centre of the left
        L4–L5 ligamentum flavum).
    """
    points = np.concatenate([p.positions_mm["healthy"] for p in anatomy.parts.values()])
    level = anatomy.parts[FOCUS_LEVEL].positions_mm["healthy"].mean(axis=0)
    sac = anatomy.parts["dural_sac"].positions_mm["healthy"]
    near = sac[np.abs(sac[:, 2] - level[2]) < 4.0]
    canal = (near.min(axis=0) + near.max(axis=0)) / 2
    ligament = anatomy.parts[f"ligamentum_flavum_{FOCUS_LEVEL}_left"].positions_mm["healthy"]
    return {
        "spine_min_mm": points.min(axis=0), "spine_max_mm": points.max(axis=0),
        "level_mm": level, "canal_mm": np.array([canal[0], canal[1], level[2]]),
        "ligament_left_mm": ligament.mean(axis=0),
    }
