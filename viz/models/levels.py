"""Disc levels and the canal centreline: the frames the soft tissues are built in.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior). Each level has a local frame centred on the canal
centreline at mid-disc height; its z axis is the mean body axis of the two
vertebrae (so the "axial section at mid-disc" is the local z = 0 plane), its
y axis points posterior and its x axis to the patient's left.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viz.models.constants import LEVEL_NAMES
from viz.models.geometry import to_local, to_world
from viz.models.landmarks import VertebraLandmarks

CENTRELINE_STEP_MM = 1.0
"""Sampling step of the canal centreline."""


@dataclass(frozen=True)
class Level:
    """One disc level between an upper and a lower bone.

    Attributes
    ----------
    name : str
        ``"L4-L5"`` etc.
    upper, lower : str
        Bone names (``"L4"``, ``"L5"``; ``"sacrum"`` below L5).
    disc_centre_mm : (3,) float, LPS
    origin_mm : (3,) float, LPS
        Canal centreline point in the mid-disc plane (local origin).
    frame : (3, 3) float
        Rows: local x (left), y (posterior), z (mean body axis).
    disc_back_mm : float
        Local y of the back of the disc on the midline (negative).
    canal_half_width_mm, canal_half_depth_mm : float
        Half the bony canal width, and the distance from the centreline to the
        front of the laminae on the midline, averaged over both vertebrae.
    """

    name: str
    upper: str
    lower: str
    disc_centre_mm: np.ndarray
    origin_mm: np.ndarray
    frame: np.ndarray
    disc_back_mm: float
    canal_half_width_mm: float
    canal_half_depth_mm: float

    def local(self, points_mm: np.ndarray) -> np.ndarray:
        """LPS points in this level's frame."""
        return to_local(points_mm, self.origin_mm, self.frame)

    def world(self, local_mm: np.ndarray) -> np.ndarray:
        """Level-frame points back in LPS."""
        return to_world(local_mm, self.origin_mm, self.frame)


def canal_radius_mm(level: Level, phi: np.ndarray) -> np.ndarray:
    """Radius of the bony canal wall (an ellipse in the level plane) at angle ``phi`` (rad).

    ``phi`` is measured from local +x toward local +y (posterior).
    """
    a, b = level.canal_half_width_mm, level.canal_half_depth_mm
    return 1.0 / np.sqrt((np.cos(phi) / a) ** 2 + (np.sin(phi) / b) ** 2)


def canal_centreline(marks: dict[str, VertebraLandmarks], sacral_canal_mm: np.ndarray) -> np.ndarray:
    """Canal centreline from above L1 to the sacral canal, every ~1 mm.

    Parameters
    ----------
    marks : dict
        Landmarks of L1..L5 (cranial to caudal).
    sacral_canal_mm : (k, 3) float
        Canal points inside the sacrum, cranial to caudal.

    Returns
    -------
    (n, 3) float
        Points from cranial to caudal, LPS.
    """
    from scipy.interpolate import make_interp_spline

    top = marks["L1"].canal_centre_mm + 16.0 * marks["L1"].frame[2]
    points = np.vstack([top] + [marks[n].canal_centre_mm for n in ("L1", "L2", "L3", "L4", "L5")]
                       + [sacral_canal_mm])
    chord = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
    spline = make_interp_spline(chord, points, k=3, bc_type="natural")
    samples = np.linspace(0.0, chord[-1], int(chord[-1] / CENTRELINE_STEP_MM) + 1)
    return spline(samples)


def _plane_crossing(polyline: np.ndarray, origin: np.ndarray, normal: np.ndarray) -> np.ndarray:
    dist = (polyline - origin) @ normal
    i = int(np.where(np.sign(dist[:-1]) != np.sign(dist[1:]))[0][0])
    t = dist[i] / (dist[i] - dist[i + 1])
    return polyline[i] + t * (polyline[i + 1] - polyline[i])


def build_levels(marks: dict[str, VertebraLandmarks], centreline_mm: np.ndarray) -> dict[str, Level]:
    """The five disc levels from the bones' landmarks and the canal centreline."""
    bones = ("L1", "L2", "L3", "L4", "L5", "sacrum")
    levels = {}
    for name, upper, lower in zip(LEVEL_NAMES, bones[:-1], bones[1:]):
        u, d = marks[upper], marks[lower]
        axis = u.frame[2] + d.frame[2]
        axis /= np.linalg.norm(axis)
        posterior = np.cross(axis, [1.0, 0.0, 0.0])
        frame = np.array([[1.0, 0.0, 0.0], posterior, axis])
        disc_centre = 0.5 * (u.inferior_outline_mm.mean(axis=0) + d.superior_outline_mm.mean(axis=0))
        origin = _plane_crossing(centreline_mm, disc_centre, axis)
        disc_back = 0.5 * (u.body_back_mm + d.body_back_mm) + to_local(
            0.5 * (u.body_centre_mm + d.body_centre_mm), origin, frame)[1]
        canal_depth = 0.5 * (u.lamina_front_mm + d.lamina_front_mm) - 0.5 * (u.body_back_mm + d.body_back_mm)
        levels[name] = Level(
            name=name, upper=upper, lower=lower, disc_centre_mm=disc_centre, origin_mm=origin,
            frame=frame, disc_back_mm=float(disc_back),
            canal_half_width_mm=0.25 * (u.canal_width_mm + d.canal_width_mm),
            canal_half_depth_mm=float(canal_depth + disc_back))
    return levels
