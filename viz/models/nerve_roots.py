"""Nerve roots: their healthy course between the bones, and how stenosis crowds them.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior).

Each root of vertebra V leaves the dural sac above V's pedicle, at the level
of the disc above, runs down the lateral recess medial to the pedicle and exits through the foramen
between V and the bone below [1]_ (so the L5 root crosses L4-L5 in the
lateral recess and exits at L5-S1, and the L4 root exits the L4-L5
foramen). Its centreline passes through the points of greatest clearance
from bone, discs and ligamenta flava in small search boxes (the foramen's
box lies under the pedicle, above the mid-height of the disc below), then is
relaxed until the whole tube clears them.

In a stenotic state the neighbouring tissues move toward the root: the disc
bulges backward, the ligamentum flavum thickens forward, the articular
processes enlarge. Each tissue that closes its gap to the root pushes the
root's centreline away along the tissue's normal; where pushes come from
opposite sides the root is flattened instead (crowded in the lateral recess
or foramen, as in lateral recess stenosis [2]_); what still touches a pressing
disc or ligament is drawn toward the root's axis. After MILD the ligament is
thin again, so only the disc and facets still press. Every state keeps the
tube's vertex count and order.

The L4 root crosses the upper L4-L5 foramen under the L4 pedicle, above the
disc and in front of the superior articular process of L5, where central
stenosis mostly spares it. It moves only where a stenotic tissue reaches it:
at severity 1 the right one is nudged about 0.2 mm, while the left one keeps
about 1.6 mm to the thickened ligament, 3.4 mm to the enlarged facet and
4.5 mm to the bulging disc and does not move.
MILD decompresses the central canal and lateral recess by debulking the
ligament; it leaves the disc, facets and foramen alone (patients with severe
foraminal stenosis are not candidates) [3]_, so an L4 root is relieved only
of the ligament's share.

References
----------
.. [1] Khasawneh RR et al. Folia Morphol 2023;82(1):72-79.
   https://doi.org/10.5603/FM.a2021.0136 (root diameters).
.. [2] Bartynski WS, Lin L. Lumbar root compression in the lateral recess: MR imaging,
   conventional myelography, and CT myelography comparison with surgical confirmation.
   AJNR Am J Neuroradiol 2003;24(3):348-360.
.. [3] Deer TR et al. Pain Pract 2019;19(3):250-274. https://doi.org/10.1111/papr.12744;
   ``../shared/ANATOMY.md`` (the disc and the bone that keeps the spine stable are left in place).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import make_interp_spline
from scipy.ndimage import gaussian_filter1d

from viz.models.constants import DURAL_SAC_SEMI_AXES_MM, NERVE_ROOT_DIAMETER_MM
from viz.models.geometry import SurfaceProbe
from viz.models.landmarks import VertebraLandmarks

BONE_GAP_MM = 0.4
"""Clearance kept between a root's surface and bone, mm."""

TISSUE_GAP_MM = 0.3
"""Clearance kept between a root and a disc or ligament that presses on it, mm."""

CONTACT_RANGE_MM = 8.0
"""Tissue farther than this from a root's surface does not push it, mm."""

SLEEVE_HEIGHT_MM = 14.0
"""Height above its own vertebra's body centre (local z) where a root, just out of
the sac at the sac's anterolateral edge, passes behind the disc above: the
subarticular zone of the lateral recess (the L5 root at the L4-L5 disc)."""

MIN_FLATTENING = 0.45
"""Smallest ratio of a crowded root's short to its healthy diameter."""

PUSH_SMOOTHING = 2.0
"""Gaussian smoothing of the pushes along the root, in path samples (no kinks)."""


@dataclass(frozen=True)
class Tissue:
    """A tissue next to the roots: its healthy surface and how far each vertex moves in a state.

    Attributes
    ----------
    probe : SurfaceProbe
        Healthy surface (dense enough for nearest-vertex distances).
    displacement_mm : (n, 3) float
        Motion of each probe vertex from healthy to the state, LPS mm.
    """

    probe: SurfaceProbe
    displacement_mm: np.ndarray


def _clearest(bone: SurfaceProbe, candidates: np.ndarray) -> np.ndarray:
    """The candidate point farthest from bone among those outside it."""
    return candidates[int(np.argmax(bone.signed_mm(candidates)))]


def _box(vertebra: VertebraLandmarks, xs, ys, hs) -> np.ndarray:
    grid = np.stack(np.meshgrid(xs, ys, hs, indexing="ij"), axis=-1).reshape(-1, 3)
    return vertebra.world(grid)


def _relax(path: np.ndarray, bone: SurfaceProbe, clearance_mm: float, iterations: int = 40) -> np.ndarray:
    """Move centreline points out along the bone's normal until ``clearance_mm`` from it."""
    out = np.array(path, float)
    for _ in range(iterations):
        signed, nearest = bone.query(out)
        need = clearance_mm - signed
        if need.max() <= 0.05:
            break
        out += np.clip(need, 0.0, None)[:, None] * bone.normals[nearest]
        out[1:-1] = 0.5 * out[1:-1] + 0.25 * (out[:-2] + out[2:])
    return out


def root_radius_mm(name: str) -> float:
    """Half the root diameter of vertebra ``name`` [1]_."""
    return 0.5 * NERVE_ROOT_DIAMETER_MM[name]


def root_path(name: str, side: str, vertebra: VertebraLandmarks, bone: SurfaceProbe, samples: int) -> np.ndarray:
    """Healthy centreline of the root of vertebra ``name`` on ``side``, ``(samples, 3)`` LPS mm.

    Parameters
    ----------
    name, side : str
        ``"L4"``, ``"left"``.
    vertebra : VertebraLandmarks
    bone : SurfaceProbe
        What the root runs around: vertebra V, the bones next to it (full
        detail) and the healthy discs and ligamenta flava of its levels.
    samples : int
    """
    sign = 1.0 if side == "left" else -1.0
    half = 0.5 * vertebra.canal_width_mm
    back = vertebra.body_back_mm
    canal = vertebra.local(vertebra.canal_centre_mm)
    radius = root_radius_mm(name)
    takeoff = vertebra.world([sign * (DURAL_SAC_SEMI_AXES_MM[0] - 3.0), canal[1], SLEEVE_HEIGHT_MM + 8.0])
    subarticular = vertebra.world([sign * (DURAL_SAC_SEMI_AXES_MM[0] + 0.5), back + radius + 1.0, SLEEVE_HEIGHT_MM])
    recess = _clearest(bone, _box(vertebra, sign * np.arange(half - 6.0, half - 0.5, 1.0),
                                  back + np.arange(1.0, 7.0, 1.0), canal[2] + np.arange(-2.0, 5.0, 2.0)))
    floor = -0.5 * vertebra.body_height_mm - 2.0
    foramen = _clearest(bone, _box(vertebra, sign * np.arange(half, half + 9.0, 2.0),
                                   back + np.arange(-4.0, 9.0, 2.0), np.arange(floor, -5.0, 2.0)))
    exit_h = vertebra.local(foramen)[2] - 8.0
    outside = _clearest(bone, _box(vertebra, sign * np.array([half + 14.0]),
                                   back + np.arange(-10.0, 3.0, 2.0), exit_h + np.arange(-6.0, 7.0, 2.0)))
    nominal = vertebra.local(outside) + [sign * 10.0, -8.0, -12.0]
    far = _clearest(bone, _box(vertebra, nominal[0] + np.arange(-4.0, 5.0, 2.0),
                               nominal[1] + np.arange(-6.0, 5.0, 2.0), nominal[2] + np.arange(-4.0, 5.0, 2.0)))
    points = np.vstack([takeoff, subarticular, recess, foramen, outside, far])
    chord = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
    path = make_interp_spline(chord, points, k=3)(np.linspace(0.0, chord[-1], samples))
    return _relax(path, bone, radius + BONE_GAP_MM + 0.3)


def contact_push(path: np.ndarray, radius_mm: float, tissues: list[Tissue]) -> tuple[np.ndarray, np.ndarray]:
    """How the moving tissues push a root's centreline, and how much they flatten it.

    Each tissue vertex nearest to a ring centre advances along its healthy
    normal; what exceeds the gap to the root's surface (less ``TISSUE_GAP_MM``)
    pushes the centre along that normal. Pushes that cancel (tissues pressing
    from opposite sides) flatten the ring instead.

    Returns
    -------
    push : (n, 3) float
        Displacement of each centreline point, LPS mm.
    squeeze : (n, 3) float
        Direction of flattening (perpendicular to the root) times the share of
        the diameter lost along it (0 when free, at most ``1 - MIN_FLATTENING``).
    """
    pushes = []
    for tissue in tissues:
        distance, nearest = tissue.probe.tree.query(path)
        normal = tissue.probe.normals[nearest]
        gap = np.einsum("ij,ij->i", path - tissue.probe.vertices[nearest], normal) - radius_mm
        advance = np.einsum("ij,ij->i", tissue.displacement_mm[nearest], normal)
        need = advance - np.clip(gap - TISSUE_GAP_MM, 0.0, None)
        need = np.where((advance > 0) & (distance < radius_mm + CONTACT_RANGE_MM), np.clip(need, 0.0, None), 0.0)
        pushes.append(gaussian_filter1d(need[:, None] * normal, PUSH_SMOOTHING, axis=0, mode="nearest"))
    pushes = np.stack(pushes) if pushes else np.zeros((1,) + path.shape)
    push = pushes.sum(axis=0)
    cancelled = np.linalg.norm(pushes, axis=2).sum(axis=0) - np.linalg.norm(push, axis=1)
    loss = np.clip(cancelled / (2.0 * radius_mm), 0.0, 1.0 - MIN_FLATTENING)
    strongest = pushes[np.argmax(np.linalg.norm(pushes, axis=2), axis=0), np.arange(len(path))]
    tangent = np.gradient(path, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    across = strongest - np.einsum("ij,ij->i", strongest, tangent)[:, None] * tangent
    length = np.linalg.norm(across, axis=1, keepdims=True)
    direction = np.where(length > 1e-9, across / np.maximum(length, 1e-9), 0.0)
    return push, direction * loss[:, None]


def deform_root(vertices: np.ndarray, path: np.ndarray, per_ring: int, push: np.ndarray,
                squeeze: np.ndarray) -> np.ndarray:
    """Move a swept root tube (from :func:`viz.models.geometry.sweep_tube`) by per-ring push and squeeze.

    Ring offsets ``o`` become ``o - loss (o . d) d`` for squeeze ``loss * d``.
    """
    rings = len(path)
    offsets = vertices[:-2].reshape(rings, per_ring, 3) - path[:, None]
    loss = np.linalg.norm(squeeze, axis=1, keepdims=True)
    direction = np.where(loss > 1e-12, squeeze / np.maximum(loss, 1e-12), 0.0)
    along = loss * np.einsum("rkj,rj->rk", offsets, direction)
    moved = path[:, None] + push[:, None] + offsets - along[..., None] * direction[:, None]
    ends = path[[0, -1]] + push[[0, -1]]
    return np.concatenate([moved.reshape(-1, 3), ends])



def inflate_root(vertices: np.ndarray, per_ring: int, margin_mm: float) -> np.ndarray:
    """A swept root tube (any state) grown by ``margin_mm``: ring points move away from
    their ring's centre, the two cap centres along the tube's axis."""
    rings = vertices[:-2].reshape(-1, per_ring, 3)
    centres = rings.mean(axis=1, keepdims=True)
    offsets = rings - centres
    length = np.linalg.norm(offsets, axis=2, keepdims=True)
    grown = centres + offsets * (1.0 + margin_mm / np.maximum(length, 1e-9))
    axis = centres[[0, -1], 0] - centres[[1, -2], 0]
    axis /= np.linalg.norm(axis, axis=1, keepdims=True)
    return np.concatenate([grown.reshape(-1, 3), vertices[-2:] + margin_mm * axis])
