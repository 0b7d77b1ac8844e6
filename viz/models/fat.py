"""Posterior epidural fat: the cushion between the dural sac and the ligamentum flavum.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior).

The fat pad of a level fills the midline gap between the back of the dural
sac and the front of the ligamentum flavum, so it is squeezed out when the
ligament thickens and the sac is pushed back: its presence separates
Schizas grade C from D [1]_. It never grows thicker than it is in the healthy
spine: where the sac, narrowed from the sides by enlarged facets, leaves more
room behind it after MILD, the fat pad keeps its healthy thickness.

References
----------
.. [1] Schizas C et al. Spine 2010;35(21):1919-1924. https://doi.org/10.1097/BRS.0b013e3181d359bd
"""

from __future__ import annotations

import numpy as np

from viz.models import ligament
from viz.models.constants import DURAL_SAC_SEMI_AXES_MM, DURAL_SAC_WALL_GAP_MM
from viz.models.levels import Level
from viz.models.ligament import box_grid
from viz.models.soft_tissue import SAC_OFFSET_MM
from viz.models.stenosis import LevelState, level_state, sac_map

HALF_WIDTH_MM = 4.5
"""Half-width of the fat pad (left-right)."""

HALF_HEIGHT_MM = 8.0
"""Half-height of the fat pad along the canal."""

MIN_THICKNESS_MM = 0.15
"""Thickness left where the fat is squeezed out completely."""


def epidural_fat(level: Level, levels: dict[str, Level], states: dict[str, LevelState],
                 counts: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """The fat pad of ``level`` in the state described by ``states``.

    Returns
    -------
    vertices : (n, 3) float, LPS
        Same count and order for every state (given ``counts``).
    faces : (m, 3) int32
    """
    params, faces = box_grid(counts)
    u, v, w = params[:, 0] * 2 - 1, params[:, 1], params[:, 2] * 2 - 1
    x = HALF_WIDTH_MM * u * np.sqrt(np.clip(1 - 0.7 * w * w, 0, 1))
    h = HALF_HEIGHT_MM * w
    back, front = _gap_mm(level, levels, states, x, h)
    healthy_back, healthy_front = _gap_mm(level, levels, {name: level_state(0.0, "healthy") for name in levels}, x, h)
    front = np.minimum(front, back + (healthy_front - healthy_back))
    front = np.maximum(front, back + MIN_THICKNESS_MM)
    y = back + v * (front - back)
    return level.world(np.stack([x, y, h], 1)), faces


def _gap_mm(level: Level, levels: dict[str, Level], states: dict[str, LevelState], x: np.ndarray,
            h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Level-frame y of the back of the dural sac and of the front of the ligament above
    level-frame ``(x, h)``, each less the wall clearance, in the state described by ``states``."""
    a, b = DURAL_SAC_SEMI_AXES_MM
    sac_back = np.stack([x, SAC_OFFSET_MM + b * np.sqrt(np.clip(1 - (x / a) ** 2, 0, 1)), h], 1)
    centre = np.stack([np.zeros_like(x), np.full_like(x, SAC_OFFSET_MM), h], 1)
    moved = level.local(sac_map(level.world(sac_back), level.world(centre),
                                np.tile([a, b], (len(x), 1)), levels, states))
    back = moved[:, 1] + DURAL_SAC_WALL_GAP_MM
    front = ligament.front_y_mm(level, x, h, states[level.name].ligament_amount) - DURAL_SAC_WALL_GAP_MM
    return back, front
