"""Move a patient surface between the story's states the way its fitted model counterpart moves.

A surface taken from the scan (the dural sac, a disc) has its own vertices, so
it cannot take the model's states directly. Each of its vertices moves by the
inverse-distance mean of the displacement of the :data:`DISPLACEMENT_NEIGHBOURS`
nearest vertices of the counterpart built by the model on the patient's bones
(:mod:`viz.scan.soft_fit`): where that sac re-opens after the ligament is trimmed,
the patient's measured sac re-opens by the same amount. Frame: LPS+ millimetres
(+x patient's left, +y posterior, +z superior).
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

DISPLACEMENT_NEIGHBOURS = 8
"""Model vertices averaged (inverse distance) when moving a patient surface between states."""


def transfer_displacement(patient_vertices_mm: np.ndarray, fitted_from_mm: np.ndarray,
                          fitted_to_mm: np.ndarray) -> np.ndarray:
    """Move a patient surface the way the fitted template surface moves between two states.

    Parameters
    ----------
    patient_vertices_mm : (n, 3) ndarray
        The patient's surface (e.g. the measured dural sac), LPS+ mm.
    fitted_from_mm, fitted_to_mm : (m, 3) ndarray
        The fitted template counterpart in the patient's state (stenosis) and in the
        target state (healthy or decompressed); same vertex order.

    Returns
    -------
    (n, 3) ndarray of float32
        ``patient + d``, where ``d`` is the inverse-distance mean of the template
        displacement at the :data:`DISPLACEMENT_NEIGHBOURS` nearest template vertices.
    """
    source = np.asarray(fitted_from_mm, dtype=np.float64)
    displacement = np.asarray(fitted_to_mm, dtype=np.float64) - source
    distance, index = cKDTree(source).query(patient_vertices_mm, k=DISPLACEMENT_NEIGHBOURS)
    weights = 1.0 / np.maximum(distance, 1e-3)
    weights /= weights.sum(axis=1, keepdims=True)
    moved = np.asarray(patient_vertices_mm, dtype=np.float64) + np.einsum("nk,nkj->nj", weights, displacement[index])
    return moved.astype(np.float32)
