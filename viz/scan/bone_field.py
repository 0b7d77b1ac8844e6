"""The patient's bone as a signed distance field, straight from the label map.

The soft tissues fitted to a patient keep out of the patient's bone as the scan
labels it (issue 16), not out of a surface made from it. The bone voxels
(every vertebra and the sacrum, lumbar or not) are cut out with a margin,
subdivided along their coarse axes to about :data:`FINE_MM` (each fine
voxel takes the label of the scan voxel it lies in, so the bone's boundary stays
the scan's voxel boundary), and Euclidean distance transforms on both sides give
the signed distance to that boundary, positive outside bone, negative inside, in
millimetres. Sampling is trilinear; beyond the cut-out the bone is far away.
Frame: LPS+ millimetres (+x patient's left, +y posterior, +z superior).

References
----------
Maurer CR, Qi R, Raghavan V. A linear time algorithm for computing exact Euclidean distance
transforms of binary images in arbitrary dimensions. IEEE TPAMI 2003;25:265-270.
https://doi.org/10.1109/TPAMI.2003.1177156 (``scipy.ndimage.distance_transform_edt``).
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from viz.scan.nifti import LabelVolume
from viz.scan.surface import union_box

MARGIN_MM = 12.0
"""Cut-out around the bones, mm: soft tissue never lies farther out than this."""

FINE_MM = 1.0
"""Coarse voxel axes are subdivided to about this step (or to the finest axis if coarser), mm."""

FAR_MM = 50.0
"""Distance reported outside the cut-out, mm."""

RAY_STEPS = 14
"""Bisection steps when pulling points toward a centre until clear of bone (≈0.01 mm on a 20 mm ray)."""


class BoneField:
    """Signed distance to the patient's bone (positive outside), mm.

    Parameters
    ----------
    volume : LabelVolume
    bone_values : tuple of int
        Label values that are bone.
    """

    def __init__(self, volume: LabelVolume, bone_values: tuple[int, ...]):
        voxel_mm = volume.voxel_mm
        box = union_box(volume, bone_values)
        pad = np.ceil(MARGIN_MM / voxel_mm).astype(int)
        start = np.maximum([s.start for s in box] - pad, 0)
        stop = np.minimum([s.stop for s in box] + pad, volume.labels.shape)
        bone = np.isin(volume.labels[tuple(slice(a, b) for a, b in zip(start, stop))], bone_values)
        factor = np.maximum(np.round(voxel_mm / max(FINE_MM, voxel_mm.min())).astype(int), 1)
        for axis, count in enumerate(factor):
            bone = np.repeat(bone, count, axis=axis)
        step_mm = voxel_mm / factor
        half_mm = 0.5 * float(step_mm.mean())
        outside = ndimage.distance_transform_edt(~bone, sampling=step_mm)
        inside = ndimage.distance_transform_edt(bone, sampling=step_mm)
        self.signed = np.where(bone, half_mm - inside, outside - half_mm).astype(np.float32)
        fine_from_voxel = np.diag(list(factor.astype(float)) + [1.0])
        fine_from_voxel[:3, 3] = -start * factor + 0.5 * (factor - 1)
        self.fine_from_lps = fine_from_voxel @ np.linalg.inv(volume.lps_from_voxel)

    def signed_mm(self, points_mm: np.ndarray) -> np.ndarray:
        """Signed distance of each point to the bone (negative inside), mm, trilinear.

        Parameters
        ----------
        points_mm : (n, 3) ndarray, LPS+ mm

        Returns
        -------
        (n,) ndarray of float
        """
        points = np.asarray(points_mm, dtype=np.float64).reshape(-1, 3)
        index = points @ self.fine_from_lps[:3, :3].T + self.fine_from_lps[:3, 3]
        return ndimage.map_coordinates(self.signed, index.T, order=1, mode="constant", cval=FAR_MM)

    def pull_clear(self, points_mm: np.ndarray, centres_mm: np.ndarray, clearance_mm) -> np.ndarray:
        """Each point moved toward its centre just far enough to lie ``clearance_mm`` (one value, or one
        per point) outside bone (:func:`pull_toward`)."""
        clearance = np.broadcast_to(np.asarray(clearance_mm, dtype=np.float64), (len(points_mm),))
        return pull_toward(points_mm, centres_mm, lambda p, index: self.signed_mm(p) >= clearance[index])


def pull_toward(points_mm: np.ndarray, centres_mm: np.ndarray, is_clear) -> np.ndarray:
    """Move points that are not clear toward their centres, just far enough to be clear.

    Points already clear stay; each other one goes to the farthest clear point of
    the segment centre → point (bisection, :data:`RAY_STEPS`), or to the centre if
    no point of it tested is clear.

    Parameters
    ----------
    points_mm, centres_mm : (n, 3) ndarray, LPS+ mm
    is_clear : callable
        ``(m, 3) points, (m,) their indices -> (m,) bool``.

    Returns
    -------
    (n, 3) ndarray of float64
    """
    points = np.asarray(points_mm, dtype=np.float64)
    centres = np.asarray(centres_mm, dtype=np.float64)
    out = points.copy()
    todo = np.flatnonzero(~is_clear(points, np.arange(len(points))))
    if len(todo) == 0:
        return out
    low, high = np.zeros(len(todo)), np.ones(len(todo))
    offset = points[todo] - centres[todo]
    for _ in range(RAY_STEPS):
        middle = 0.5 * (low + high)
        clear = is_clear(centres[todo] + middle[:, None] * offset, todo)
        low = np.where(clear, middle, low)
        high = np.where(clear, high, middle)
    out[todo] = centres[todo] + low[:, None] * offset
    return out
