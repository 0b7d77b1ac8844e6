"""Landmarks of the anatomy that place the views, the instruments and the body.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior). Everything is measured on the healthy state of
:class:`viz.models.anatomy.Anatomy` through its public parts, at the level where
MILD is shown: the level whose ligamentum flavum carries the bites MILD removes
(:func:`focus_level`). The standard anatomy narrows L4–L5, the most common level;
a patient's anatomy (:mod:`viz.scan.patient`) narrows their own narrowest level.

References
----------
``../shared/ANATOMY.md``: most stenosis is at L4–L5, then L3–L4.
"""

from __future__ import annotations

import re

import numpy as np

_LIGAMENT = re.compile(r"^ligamentum_flavum_(L[1-5]-(?:L[1-5]|S1))_(?:left|right)$")


def focus_level(anatomy) -> str:
    """Return the level where MILD is shown: the one whose ligamentum flavum carries bites.

    Parameters
    ----------
    anatomy : viz.models.anatomy.Anatomy

    Returns
    -------
    str
        A disc level such as ``"L4-L5"``; with bites at several levels, the level of
        the first bite in removal order.

    Raises
    ------
    ValueError
        If no ligamentum flavum carries a bite (nothing to decompress).
    """
    first = min(((bite.order, match.group(1)) for name, part in anatomy.parts.items()
                 if (match := _LIGAMENT.match(name)) for bite in part.bites), default=None)
    if first is None:
        raise ValueError("the anatomy has no ligamentum flavum bites, so no level to decompress")
    return first[1]


def upper_vertebra(level: str) -> str:
    """Return the vertebra above a level (``"L4"`` for ``"L4-L5"``): its lamina is where the portal docks."""
    return level.split("-")[0]


def anatomy_landmarks(anatomy) -> dict[str, np.ndarray]:
    """Return landmarks of the healthy anatomy used to frame views and place things.

    Returns
    -------
    dict of str to (3,) float
        ``spine_min_mm``, ``spine_max_mm`` (bounds of bone, disc and soft tissue),
        ``level_mm`` (centre of the disc at :func:`focus_level`), ``canal_mm`` (centre
        of the dural sac at the height of that disc), ``ligament_left_mm`` (centre of
        the left ligamentum flavum at that level), ``disc_axis`` (unit normal of that
        level's mid-disc plane, the mean body axis of its two vertebrae),
        ``disc_centre_mm`` and ``canal_at_disc_mm`` (the disc's centre and the canal
        centreline's point in that plane: where an axial MRI slice at the level is read).
    """
    level_name = focus_level(anatomy)
    points = np.concatenate([p.positions_mm["healthy"] for p in anatomy.parts.values()])
    level = anatomy.parts[level_name].positions_mm["healthy"].mean(axis=0)
    sac = anatomy.parts["dural_sac"].positions_mm["healthy"]
    near = sac[np.abs(sac[:, 2] - level[2]) < 4.0]
    canal = (near.min(axis=0) + near.max(axis=0)) / 2
    ligament = anatomy.parts[f"ligamentum_flavum_{level_name}_left"].positions_mm["healthy"]
    frame = anatomy.levels[level_name]
    return {
        "spine_min_mm": points.min(axis=0), "spine_max_mm": points.max(axis=0),
        "level_mm": level, "canal_mm": np.array([canal[0], canal[1], level[2]]),
        "ligament_left_mm": ligament.mean(axis=0),
        "disc_axis": np.asarray(frame.frame[2], float), "disc_centre_mm": np.asarray(frame.disc_centre_mm, float),
        "canal_at_disc_mm": np.asarray(frame.origin_mm, float),
    }
