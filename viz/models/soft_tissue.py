"""Discs, dural sac and cauda equina in their healthy shape.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior).

Each builder returns the healthy geometry plus what the stenosis model needs
to deform it (ring centres and semi-axes for the sac and the rootlets), so
that every state keeps one vertex count and order.

References
----------
.. [1] Dural sac CSA, Medicine 2017 (PMC5728944): controls 151.7 mm2 at L4-L5.
.. [2] Clouthier AL et al. J Biomech 2023;146:111421.
   https://doi.org/10.1016/j.jbiomech.2022.111421 (disc heights).
.. [3] Schizas C et al. Spine 2010;35(21):1919-1924. https://doi.org/10.1097/BRS.0b013e3181d359bd
   (grade A: rootlets apart in clear fluid).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh

from viz.models.constants import DURAL_SAC_SEMI_AXES_MM, ROOTLET_COUNT, ROOTLET_DIAMETER_MM
from viz.models.geometry import grid_tube_faces, sweep_tube
from viz.models.landmarks import VertebraLandmarks

SAC_OFFSET_MM = 0.0
"""Offset of the dural sac's axis from the canal centreline toward the back (mm);
the sac is shallower than the canal, leaving epidural fat behind it."""

SAC_TAPER_MM = 22.0
"""Length over which the sac closes at its caudal end (about S2)."""


@dataclass(frozen=True)
class Tube:
    """A swept tube and the per-vertex data needed to deform it.

    Attributes
    ----------
    vertices : (n, 3) float, LPS mm
    faces : (m, 3) int32
    anchors : (n, 3) float
        Point each vertex moves with: itself on the sac, its rootlet's ring
        centre on a rootlet.
    centres : (n, 3) float
        Ring centre (on the sac's axis) of each vertex.
    semi_axes : (n, 2) float
        Sac half-width and half-depth at each vertex's ring.
    """

    vertices: np.ndarray
    faces: np.ndarray
    anchors: np.ndarray
    centres: np.ndarray
    semi_axes: np.ndarray


ENDPLATE_RINGS = 3
"""Rings of each disc face between its rim and its centre, following the endplate."""

ENDPLATE_GAP_MM = 0.05
"""Clearance left between a disc face and the endplate it meets, mm: the disc touches
the bone without entering it, so a cut through both shows each in its own colour."""


ENDPLATE_REACH_MM = 4.0
"""A disc face point moves at most this far to meet its endplate (a line passing beside
the body would meet other bone far away); the endplates are hollowed by about 1-3 mm."""


def disc(upper: VertebraLandmarks, lower: VertebraLandmarks, rings: int,
         endplates: tuple[trimesh.Trimesh, trimesh.Trimesh] | None = None) -> trimesh.Trimesh:
    """An intervertebral disc lofted between the two facing endplate rims.

    The rims lie 1 mm inside each body, so the disc meets the bone without a
    gap; the wall bulges outward by 3 % at mid-height, as healthy discs do. Given the
    two bones, each face of the disc, rim included, lies on its endplate (which is
    hollowed toward the body) ``ENDPLATE_GAP_MM`` short of it: the disc fills the space
    between the bodies without entering them.

    Parameters
    ----------
    upper, lower : VertebraLandmarks
    rings : int
        Rings of the loft from the lower rim to the upper rim.
    endplates : (trimesh.Trimesh, trimesh.Trimesh), optional
        The upper and lower bones (closed); without them the faces are flat fans.
    """
    bottom, top = lower.superior_outline_mm, upper.inferior_outline_mm
    middle = 0.5 * (bottom.mean(axis=0) + top.mean(axis=0))
    if endplates is not None:
        axis = top.mean(axis=0) - bottom.mean(axis=0)
        axis /= np.linalg.norm(axis)
        bottom = _on_endplate(bottom, middle, -axis, endplates[1])
        top = _on_endplate(top, middle, axis, endplates[0])
    t = np.linspace(0.0, 1.0, rings)[:, None, None]
    centre_line = (1 - t) * bottom.mean(axis=0) + t * top.mean(axis=0)
    loft = (1 - t) * bottom + t * top
    loft = centre_line + (loft - centre_line) * (1.0 + 0.03 * np.sin(np.pi * t))
    centres = np.stack([bottom.mean(axis=0), top.mean(axis=0)])
    if endplates is not None:
        shrink = np.linspace(1.0, 0.0, ENDPLATE_RINGS + 2)[1:-1, None, None]
        lower_face = _on_endplate(centres[0] + shrink * (bottom - centres[0]), middle, -axis, endplates[1])
        upper_face = _on_endplate(centres[1] + shrink * (top - centres[1]), middle, axis, endplates[0])
        loft = np.concatenate([lower_face[::-1], loft, upper_face])
        centres = np.stack([_on_endplate(centres[:1], middle, -axis, endplates[1])[0],
                            _on_endplate(centres[1:], middle, axis, endplates[0])[0]])
    vertices = np.concatenate([loft.reshape(-1, 3), centres])
    mesh = trimesh.Trimesh(vertices, grid_tube_faces(len(loft), loft.shape[1]), process=False)
    if mesh.volume < 0:
        mesh.invert()
    return mesh


def _on_endplate(points: np.ndarray, middle: np.ndarray, outward: np.ndarray, bone: trimesh.Trimesh) -> np.ndarray:
    """Move points of a disc face along ``outward`` to ``ENDPLATE_GAP_MM`` short of the
    bone: the first bone surface met going ``outward`` from the disc's mid-height; points
    whose line misses the bone, or meets it farther than ``ENDPLATE_REACH_MM``, stay. Only
    the bone's triangles around the face (within that reach) are searched."""
    flat = points.reshape(-1, 3)
    starts = flat - ((flat - middle) @ outward)[:, None] * outward
    low = np.minimum(starts, flat).min(axis=0) - ENDPLATE_REACH_MM
    high = np.maximum(starts, flat).max(axis=0) + ENDPLATE_REACH_MM
    near = np.flatnonzero(((bone.triangles >= low) & (bone.triangles <= high)).all(axis=(1, 2)))
    if len(near) == 0:
        return points
    endplate = trimesh.Trimesh(bone.vertices, bone.faces[near], process=False)
    hits, rays, _ = endplate.ray.intersects_location(starts, np.tile(outward, (len(flat), 1)), multiple_hits=False)
    moved = flat.copy()
    target = hits - ENDPLATE_GAP_MM * outward
    near = np.linalg.norm(target - flat[rays], axis=1) <= ENDPLATE_REACH_MM
    moved[rays[near]] = target[near]
    return moved.reshape(points.shape)


def _frames(centreline: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tangent = np.gradient(centreline, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    side = np.cross([0.0, 1.0, 0.0], tangent)
    side /= np.linalg.norm(side, axis=1, keepdims=True)
    normal = np.cross(tangent, side)
    return tangent, side, normal


def _sac_axis(centreline: np.ndarray, step: int):
    line = centreline[::step]
    _, side, normal = _frames(line)
    centre = line + SAC_OFFSET_MM * normal
    length = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(line, axis=0), axis=1))])
    remaining = length[-1] - length
    taper = np.clip(remaining / SAC_TAPER_MM, 0.0, 1.0)
    taper = 0.25 + 0.75 * np.sin(0.5 * np.pi * taper)
    semi = np.stack([DURAL_SAC_SEMI_AXES_MM[0] * taper, DURAL_SAC_SEMI_AXES_MM[1] * taper], axis=1)
    return centre, side, normal, semi


def polygon_area_correction(per_ring: int) -> float:
    """Radial scale making a ring of ``per_ring`` vertices enclose its ellipse's area.

    A polygon inscribed in an ellipse encloses ``n sin(2 pi / n) / (2 pi)`` of
    its area (99.5 % for 36 vertices); scaling the radii by the inverse square
    root keeps the built section at the published area.
    """
    return float(np.sqrt(2 * np.pi / (per_ring * np.sin(2 * np.pi / per_ring))))


def dural_sac(centreline: np.ndarray, step: int, per_ring: int) -> Tube:
    """The dural sac: an elliptical tube along the canal, closed at S2 [1]_.

    Each ring is a polygon with the area of the ellipse of
    :data:`viz.models.constants.DURAL_SAC_SEMI_AXES_MM` (:func:`polygon_area_correction`).

    Parameters
    ----------
    centreline : (n, 3) float
        Canal centreline, cranial to caudal, about 1 mm apart.
    step : int
        Take every ``step``-th centreline point as a ring.
    per_ring : int
        Vertices per ring.
    """
    centre, side, normal, semi = _sac_axis(centreline, step)
    semi = semi * polygon_area_correction(per_ring)
    angles = np.linspace(0.0, 2 * np.pi, per_ring, endpoint=False)
    ring = (semi[:, 0, None, None] * np.cos(angles)[None, :, None] * side[:, None]
            + semi[:, 1, None, None] * np.sin(angles)[None, :, None] * normal[:, None])
    vertices = np.concatenate([(centre[:, None] + ring).reshape(-1, 3), centre[[0, -1]]])
    faces = grid_tube_faces(len(centre), per_ring)
    mesh = trimesh.Trimesh(vertices, faces, process=False)
    if mesh.volume < 0:
        faces = faces[:, ::-1].copy()
    centres = np.concatenate([np.repeat(centre, per_ring, axis=0), centre[[0, -1]]])
    semis = np.concatenate([np.repeat(semi, per_ring, axis=0), semi[[0, -1]]])
    return Tube(vertices, faces, vertices, centres, semis)


ROOTLET_LAYOUT = ((0.152, -0.691), (0.450, -0.587), (0.712, -0.341), (0.241, -0.228), (0.504, 0.017),
                  (0.801, 0.123), (0.152, 0.236), (0.595, 0.480), (0.310, 0.651))
"""Positions of the left half's rootlets as fractions of the healthy sac's half-width and
half-depth (+ posterior); the right half mirrors them. Found by maximising the smallest
distance between rootlet centres (2.3 mm, a 0.4 mm gap between 1.9 mm rootlets in a healthy
L4-L5 sac) with every rootlet inside the sac and no centre more than 1.5 mm in front of
its axis: the rootlets lie apart in fluid, toward the back of the sac, and clear fluid
shows in front of them (Schizas grade A [3]_)."""


def rootlet_layout(count: int) -> np.ndarray:
    """Normalised positions (fraction of the sac's half-width, half-depth) of ``count`` rootlets.

    Two mirrored halves of :data:`ROOTLET_LAYOUT`, left then right, like the cauda equina
    seen on axial MRI (rootlets float apart in fluid when healthy).
    """
    left = np.asarray(ROOTLET_LAYOUT[: count // 2], float)
    return np.concatenate([left, left * [-1.0, 1.0]])


def cauda_equina(centreline: np.ndarray, start_index: int, step: int, per_ring: int) -> Tube:
    """Rootlets of the cauda equina inside the sac, from the conus (L1-L2) down.

    Parameters
    ----------
    centreline : (n, 3) float
    start_index : int
        Centreline index where the rootlets begin (conus medullaris, about L1-L2).
    step, per_ring : int
        Ring spacing (in centreline points) and vertices per ring.
    """
    centre, side, normal, semi = _sac_axis(centreline, step)
    first = start_index // step
    last = len(centre) - int(SAC_TAPER_MM * 0.8 / step)
    vertices, faces, anchors, centres, semis = [], [], [], [], []
    for nu, nv in rootlet_layout(ROOTLET_COUNT):
        path = (centre + nu * semi[:, :1] * side + nv * semi[:, 1:] * normal)[first:last]
        v, f = sweep_tube(path, 0.5 * ROOTLET_DIAMETER_MM, per_ring)
        faces.append(f + sum(len(x) for x in vertices))
        vertices.append(v)
        anchors.append(np.concatenate([np.repeat(path, per_ring, axis=0), path[[0, -1]]]))
        ring_centres = np.concatenate([np.repeat(centre[first:last], per_ring, axis=0),
                                       centre[[first, last - 1]]])
        ring_semis = np.concatenate([np.repeat(semi[first:last], per_ring, axis=0), semi[[first, last - 1]]])
        centres.append(ring_centres)
        semis.append(ring_semis)
    return Tube(np.concatenate(vertices), np.concatenate(faces), np.concatenate(anchors),
                np.concatenate(centres), np.concatenate(semis))

