"""Register each template bone onto the patient's bone of the same name, within the scan's field of view.

A similarity transform (rotation, translation, one scale; no reflection) is
found by trimmed iterative closest points: template bone points are matched
to the nearest of the patient surface's vertices and triangle centres, the
worst :data:`TRIM_FRACTION` of the pairs are dropped, and the closed-form
least-squares similarity (Umeyama) is solved again, until it settles. Real
scans cover only part of the spine: a bone cut by the edge of the scan (its
label touches the volume's border) has a flat cap there that is not bone
surface, so patient points within :data:`EDGE_VOXELS` of the border are not
matched, template points that fall outside the scanned box are not used, and
such a bone keeps the scale of the whole bones (it would otherwise shrink to
the part that was scanned). Frame: LPS+ millimetres (+x patient's left,
+y posterior, +z superior).

References
----------
Besl PJ, McKay ND. A method for registration of 3-D shapes. IEEE TPAMI 1992;14:239-256.
https://doi.org/10.1109/34.121791
Umeyama S. Least-squares estimation of transformation parameters between two point patterns.
IEEE TPAMI 1991;13:376-380. https://doi.org/10.1109/34.88573
Chetverikov D et al. The trimmed iterative closest point algorithm. ICPR 2002;3:545-548.
https://doi.org/10.1109/ICPR.2002.1047997
"""

from __future__ import annotations

import numpy as np
import trimesh
from scipy.spatial import cKDTree

from viz.scan.nifti import LabelVolume

SAMPLE_POINTS = 2500
"""Template bone vertices used (evenly strided, deterministic)."""

ITERATIONS = 60
"""Most iterations per bone."""

TRIM_FRACTION = 0.1
"""Share of the worst-matching pairs left out of each update."""

EDGE_VOXELS = 1.5
"""Patient points this close to the scan's border (in voxels) are the cut's cap, not bone surface."""

SETTLED_MM = 1e-3
"""Stop when no template point moved more than this in one iteration, mm."""


def umeyama(source: np.ndarray, target: np.ndarray, scale: float | None = None) -> np.ndarray:
    """Least-squares similarity ``target ≈ s R source + t`` (Umeyama 1991), as a (4, 4) matrix.

    Parameters
    ----------
    source, target : (n, 3) ndarray
        Paired points, LPS+ mm.
    scale : float, optional
        Fixed scale; default: estimated.
    """
    mean_s, mean_t = source.mean(axis=0), target.mean(axis=0)
    a, b = source - mean_s, target - mean_t
    u, d, vt = np.linalg.svd(b.T @ a / len(source))
    sign = np.diag([1.0, 1.0, np.sign(np.linalg.det(u @ vt)) or 1.0])
    rotation = u @ sign @ vt
    if scale is None:
        scale = float(np.trace(np.diag(d) @ sign) / (a * a).sum(axis=1).mean())
    matrix = np.eye(4)
    matrix[:3, :3] = scale * rotation
    matrix[:3, 3] = mean_t - scale * rotation @ mean_s
    return matrix


def inside_scan(volume: LabelVolume, points_mm: np.ndarray, margin_voxels: float = 0.0) -> np.ndarray:
    """Whether each point lies inside the scanned box, ``margin_voxels`` in from its border."""
    ijk = trimesh.transform_points(points_mm, np.linalg.inv(volume.lps_from_voxel))
    high = np.asarray(volume.labels.shape) - 1.0
    return np.all((ijk >= margin_voxels - 0.5) & (ijk <= high + 0.5 - margin_voxels), axis=1)


def register_bone(template_points_mm: np.ndarray, patient_bone: trimesh.Trimesh, volume: LabelVolume | None = None,
                  initial: np.ndarray | None = None, scale: float | None = None) -> np.ndarray:
    """Similarity transform taking a template bone onto the patient's bone.

    Parameters
    ----------
    template_points_mm : (n, 3) ndarray
        The template bone's vertices, LPS+ mm.
    patient_bone : trimesh.Trimesh
        The patient's bone of the same name, LPS+ mm.
    volume : LabelVolume, optional
        The scan, to leave out what lies beyond its border; default: all is scanned.
    initial : (4, 4) ndarray, optional
        Starting transform; default: the translation between the centres.
    scale : float, optional
        Fixed scale (for a bone cut by the scan's border); default: estimated.

    Returns
    -------
    (4, 4) ndarray
        ``patient_from_template``.
    """
    stride = max(1, len(template_points_mm) // SAMPLE_POINTS)
    source = np.asarray(template_points_mm, dtype=np.float64)[::stride]
    target = np.vstack([patient_bone.vertices, patient_bone.triangles_center])
    if volume is not None:
        target = target[inside_scan(volume, target, EDGE_VOXELS)]
    tree = cKDTree(target)
    if initial is None:
        initial = np.eye(4)
        initial[:3, 3] = target.mean(axis=0) - source.mean(axis=0)
    matrix = np.asarray(initial, dtype=np.float64)
    moved = trimesh.transform_points(source, matrix)
    for _ in range(ITERATIONS):
        used = inside_scan(volume, moved) if volume is not None else np.ones(len(source), bool)
        distance, nearest = tree.query(moved[used])
        kept = distance <= np.quantile(distance, 1.0 - TRIM_FRACTION)
        matrix = umeyama(source[used][kept], target[nearest[kept]], scale)
        updated = trimesh.transform_points(source, matrix)
        settled = np.abs(updated - moved).max() < SETTLED_MM
        moved = updated
        if settled:
            break
    return matrix


def uniform_scale(matrix: np.ndarray) -> float:
    """The scale of a similarity transform."""
    return float(np.cbrt(abs(np.linalg.det(matrix[:3, :3]))))
