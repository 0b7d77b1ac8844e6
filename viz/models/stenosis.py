"""Stenosis as geometry: how each state deforms the healthy soft tissues and facets.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior).

At a stenotic level (severity 0..1) the ligamentum flavum thickens and
buckles into the canal (:mod:`viz.models.ligament`), the disc bulges all
round and most backward, the articular processes enlarge, and the dural sac is squeezed into
the space that is left: each point of the sac moves along the ray from its
ring centre so the sac never crosses the canal wall (disc behind, ligament,
facets) and keeps a thin clearance. Rootlets follow the same map at their
ring centres, so they crowd together without shrinking. After MILD the
ligament core is gone and what remains relaxes back (``LIGAMENT_RELAXED``);
the disc bulge and facet enlargement stay, since MILD leaves them alone.

References
----------
.. [1] Schizas C et al. Spine 2010;35(21):1919-1924. https://doi.org/10.1097/BRS.0b013e3181d359bd
.. [2] Deer TR et al. Pain Pract 2019;19(3):250-274. https://doi.org/10.1111/papr.12744
.. [3] Fardon DF et al. Lumbar disc nomenclature: version 2.0. Spine J 2014;14(11):2525-2545.
   https://doi.org/10.1016/j.spinee.2014.04.022 (bulging: disc tissue extending beyond the
   ring apophyses over more than 25 % of the circumference, usually less than 3 mm).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viz.models import ligament
from viz.models.constants import DISC_BULGE_MM, DURAL_SAC_WALL_GAP_MM, FACET_GROWTH_MM
from viz.models.geometry import SurfaceProbe
from viz.models.landmarks import VertebraLandmarks
from viz.models.levels import Level, canal_radius_mm

LIGAMENT_RELAXED = 0.0
"""Thickening of the ligament's front surface after MILD: the thin layer left in front
falls back to the healthy front surface once the bulk behind it is gone [2]_ (the
layer keeps its thickness: :func:`viz.models.decompression.remnant_positions`)."""

FACET_SQUEEZE = 0.3
"""Share of the facet growth that narrows the dural sac sideways (most of it
narrows the lateral recesses and foramina instead)."""

DISC_BULGE_ALL_ROUND = 0.5
"""Share of the disc's backward bulge with which it bulges in front and at the sides
(1.5 mm at severity 1: a bulge extends all round beyond the ring apophyses, typically
under 3 mm [3]_)."""

FACET_GROWTH_REACH_MM = (5.0, 11.0)
"""Distance from a facet joint's centre within which the articular processes grow by the
full ``facet_growth_mm``, and at which the growth has faded out: the processes enlarge
as a whole (facet hypertrophy), not only at the joint line."""

LEVEL_REACH_MM = 9.0
"""Axial half-width (Gaussian sigma) of the disc bulge and facet squeeze around mid-disc."""

CROWDED_AREA_SHARE = (0.75, 0.5)
"""Dural sac section area (share of its healthy area at the same height) below which the
rootlets begin to be pressed together, and at which they form one mass (no fluid left
between them: Schizas grade C or D [1]_)."""

PRESSED_ROOTLET_SCALE = 2.5
"""Radius of a rootlet pressed into the mass, before the squeeze, relative to its own:
the pressed rootlets are drawn as overlapping, flattened tubes filling the squeezed sac."""

PRESSED_INSIDE_SHARE = 0.95
"""Pressed rootlets stay within this share of the healthy sac's radius before the squeeze,
so after it they stay inside the squeezed sac."""


@dataclass(frozen=True)
class LevelState:
    """How much one level is deformed in one state.

    Attributes
    ----------
    ligament_amount : float
        Ligament thickening, 0 healthy .. 1 fully stenotic.
    disc_bulge_mm : float
        Backward bulge of the disc at mid-height.
    facet_growth_mm : float
        Outward growth of the articular processes.
    """

    ligament_amount: float
    disc_bulge_mm: float
    facet_growth_mm: float


def level_state(severity: float, state: str) -> LevelState:
    """Deformation amounts of a level with ``severity`` (0..1) in ``state``."""
    if state == "healthy" or severity <= 0:
        return LevelState(0.0, 0.0, 0.0)
    relaxed = LIGAMENT_RELAXED if state == "decompressed" else 1.0
    return LevelState(severity * relaxed, severity * DISC_BULGE_MM, severity * FACET_GROWTH_MM)


def _nearest_level(points: np.ndarray, levels: list[Level]) -> np.ndarray:
    heights = np.stack([np.abs(lv.local(points)[:, 2]) for lv in levels], axis=1)
    return np.argmin(heights, axis=1)


def _wall_distance(level: Level, state: LevelState, centre: np.ndarray, direction: np.ndarray,
                   height: np.ndarray, clearance_mm: np.ndarray) -> np.ndarray:
    """Distance from ``centre`` along ``direction`` (level-frame xy) to ``clearance_mm`` short of the canal wall.

    The clearance is kept perpendicular to each wall (disc, bone, ligament), so
    a ray that grazes the ligament still stops the full clearance away from it.
    """
    weight = np.exp(-0.5 * (height / LEVEL_REACH_MM) ** 2)
    disc_line = level.disc_back_mm + state.disc_bulge_mm * weight + clearance_mm
    with np.errstate(divide="ignore", invalid="ignore"):
        to_disc = np.where(direction[:, 1] < -1e-9, (centre[:, 1] - disc_line) / -direction[:, 1], np.inf)
    lo = np.zeros(len(centre))
    hi = np.full(len(centre), 30.0)
    for _ in range(16):
        mid = 0.5 * (lo + hi)
        q = centre + mid[:, None] * direction
        phi = np.arctan2(q[:, 1], np.abs(q[:, 0]))
        bone = canal_radius_mm(level, phi) - state.facet_growth_mm * weight - clearance_mm
        span, clearance = ligament.front_offset_mm(level, q, height, state.ligament_amount)
        outside = (np.hypot(q[:, 0], q[:, 1]) > bone) | (span & (clearance < clearance_mm))
        hi = np.where(outside, mid, hi)
        lo = np.where(outside, lo, mid)
    return np.minimum(lo, to_disc)


def sac_map(points: np.ndarray, centres: np.ndarray, semi_axes: np.ndarray, levels: dict[str, Level],
            states: dict[str, LevelState], margin_mm: np.ndarray | float = 0.0) -> np.ndarray:
    """Squeeze dural-sac points (or rootlet ring centres) into the free canal.

    Parameters
    ----------
    points : (n, 3) float, LPS
        Healthy positions.
    centres : (n, 3) float
        Ring centre on the sac axis for each point.
    semi_axes : (n, 2) float
        Healthy sac half-width and half-depth at each point's ring.
    levels : dict
    states : dict
        Level name -> :class:`LevelState`.
    margin_mm : float or (n,) float, default: 0
        Extra clearance (e.g. a rootlet's radius) kept from the wall.

    Returns
    -------
    (n, 3) float
        Deformed positions (unchanged where the healthy sac fits).
    """
    order = list(levels)
    nearest = _nearest_level(points, [levels[n] for n in order])
    out = np.array(points, float)
    margin = np.broadcast_to(np.asarray(margin_mm, float), (len(points),))
    for index, name in enumerate(order):
        sel = np.where(nearest == index)[0]
        level, state = levels[name], states[name]
        p = level.local(points[sel])
        c = level.local(centres[sel])
        offset = p[:, :2] - c[:, :2]
        radius = np.linalg.norm(offset, axis=1)
        direction = np.where(radius[:, None] > 1e-9, offset / np.maximum(radius, 1e-9)[:, None], [1.0, 0.0])
        a, b = semi_axes[sel, 0], semi_axes[sel, 1]
        ellipse = 1.0 / np.sqrt((direction[:, 0] / a) ** 2 + (direction[:, 1] / b) ** 2)
        weight = np.exp(-0.5 * (p[:, 2] / LEVEL_REACH_MM) ** 2)
        squeezed_a = a - FACET_SQUEEZE * state.facet_growth_mm * weight
        target = 1.0 / np.sqrt((direction[:, 0] / squeezed_a) ** 2 + (direction[:, 1] / b) ** 2)
        wall = _wall_distance(level, state, c[:, :2], direction, p[:, 2], DURAL_SAC_WALL_GAP_MM + margin[sel])
        target = np.minimum(target, wall)
        scale = np.clip(target / ellipse, 0.05, 1.0)
        moved = c.copy()
        moved[:, :2] += offset * scale[:, None]
        moved[:, 2] = p[:, 2]
        out[sel] = level.world(moved)
    return out


def rootlet_positions(tube, levels: dict[str, Level], states: dict[str, LevelState], area_share: np.ndarray,
                      centre_shift_mm: np.ndarray) -> np.ndarray:
    """The cauda equina's rootlets in one state.

    Each rootlet ring keeps its size and its place in the layout, which follows the sac's
    section: it moves with the section's centre and shrinks about it with the square root
    of the section's area, so the rootlets draw together without shrinking. Where the
    section has shrunk below ``CROWDED_AREA_SHARE`` of its healthy area, the rootlets are
    pressed into one mass: widened ``PRESSED_ROOTLET_SCALE`` times (within
    ``PRESSED_INSIDE_SHARE`` of the healthy sac) and squeezed with the sac point by point
    (:func:`sac_map`), so they overlap and fill what is left of it.

    Parameters
    ----------
    tube : viz.models.soft_tissue.Tube
        The healthy rootlets (anchors: ring centres; centres, semi-axes: the sac's).
    levels, states : dict
        Level frames and this state's :class:`LevelState` per level.
    area_share : (n,) float
        Per vertex: the sac's section area in this state over its healthy area, at the
        height of the vertex's ring.
    centre_shift_mm : (n, 3) float
        Per vertex: how far the centre of that section has moved from its healthy place.

    Returns
    -------
    (n, 3) float
        Rootlet vertices in this state, LPS mm.
    """
    share = np.clip(np.asarray(area_share, float), 0.0, 1.0)
    anchors = tube.centres + centre_shift_mm + np.sqrt(share)[:, None] * (tube.anchors - tube.centres)
    rigid = tube.vertices + (anchors - tube.anchors)
    start, full = CROWDED_AREA_SHARE
    weight = np.clip((start - share) / (start - full), 0.0, 1.0)
    if not weight.any():
        return rigid
    pressed = _inside_sac(tube.anchors + PRESSED_ROOTLET_SCALE * (tube.vertices - tube.anchors), tube.centres,
                          tube.semi_axes, PRESSED_INSIDE_SHARE)
    pressed = sac_map(pressed, tube.centres, tube.semi_axes, levels, states)
    return rigid + weight[:, None] * (pressed - rigid)


def _inside_sac(points: np.ndarray, centres: np.ndarray, semi_axes: np.ndarray, share: float) -> np.ndarray:
    """Pull points lying beyond ``share`` of the healthy sac ellipse's radius back onto it.

    The ellipse of each point lies in the plane through its ring centre across the sac's
    axis; its half-width is along LPS x and its half-depth across both.
    """
    offset = points - centres
    across = offset[:, 0]
    depth = np.linalg.norm(offset[:, 1:], axis=1)
    reach = np.sqrt((across / semi_axes[:, 0]) ** 2 + (depth / semi_axes[:, 1]) ** 2)
    scale = np.minimum(1.0, share / np.maximum(reach, 1e-9))
    return centres + offset * scale[:, None]


def disc_bulge(vertices: np.ndarray, level: Level, state: LevelState) -> np.ndarray:
    """Bulge a disc's wall outward at mid-height: by ``state.disc_bulge_mm`` at its back, into
    the canal, and by ``DISC_BULGE_ALL_ROUND`` of that in front and at the sides (a
    degenerated disc bulges all round beyond the vertebral margins, most at the back)."""
    if state.disc_bulge_mm == 0:
        return np.array(vertices, float)
    local = level.local(vertices)
    centre = level.local(level.disc_centre_mm)
    rel = local - centre
    angle = np.arctan2(rel[:, 1], rel[:, 0])
    behind = np.clip(np.sin(angle), 0.0, 1.0) ** 2
    height = np.exp(-0.5 * (rel[:, 2] / 3.0) ** 2)
    outward = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    reach = state.disc_bulge_mm * (DISC_BULGE_ALL_ROUND + (1.0 - DISC_BULGE_ALL_ROUND) * behind) * height
    local[:, :2] += outward * reach[:, None]
    return level.world(local)


def facet_growth(vertices: np.ndarray, normals: np.ndarray, joints_mm: np.ndarray,
                 growth_mm: float) -> np.ndarray:
    """Enlarge bone around facet joints: move vertices outward along their normals.

    Parameters
    ----------
    vertices, normals : (n, 3) float
    joints_mm : (k, 3) float
        Facet joint centres.
    growth_mm : float
        Displacement within the inner ``FACET_GROWTH_REACH_MM`` of a joint centre, fading
        smoothly to zero at the outer one.
    """
    if growth_mm == 0:
        return np.array(vertices, float)
    distance = np.min(np.linalg.norm(vertices[:, None] - joints_mm[None], axis=2), axis=1)
    inner, outer = FACET_GROWTH_REACH_MM
    u = np.clip((distance - inner) / (outer - inner), 0.0, 1.0)
    fade = 1.0 - u * u * (3.0 - 2.0 * u)
    return vertices + normals * (growth_mm * fade)[:, None]


def facet_joints(upper: VertebraLandmarks, lower: VertebraLandmarks) -> np.ndarray:
    """Centres of the two facet joints between ``upper`` and ``lower``, ``(2, 3)`` LPS mm:
    midway between the lower bone's superior and the upper bone's inferior articular tips."""
    return 0.5 * (upper.inferior_facets_mm + lower.superior_facets_mm)


def keep_within(points: np.ndarray, centres: np.ndarray, container, clearance_mm: float,
                steps: int = 20) -> np.ndarray:
    """Pull points lying outside (or within ``clearance_mm`` of the wall of) a closed
    ``container`` mesh 5 % closer to their centres, up to ``steps`` times: the rootlets
    stay inside the dural sac where bone has pushed its wall in (:func:`keep_clear`).
    Points farther from every container vertex than twice its median edge (plus the
    clearance) lie well inside it (or far outside, which the callers' points, at most about
    1 mm out, never are) and are left alone."""
    from scipy.spatial import cKDTree

    probe = SurfaceProbe([container])
    out = np.array(points, float)
    edges = container.vertices[container.edges_unique]
    reach = 2.0 * np.median(np.linalg.norm(edges[:, 0] - edges[:, 1], axis=1)) + clearance_mm
    todo = np.flatnonzero(cKDTree(container.vertices).query(out)[0] < reach)
    for _ in range(steps):
        touching = probe.signed_mm(out[todo]) > -clearance_mm
        if not touching.any():
            break
        todo = todo[touching]
        out[todo] = centres[todo] + (out[todo] - centres[todo]) * 0.95
    return out


def keep_clear(points: np.ndarray, centres: np.ndarray, meshes: list, clearance_mm: float,
               steps: int = 20) -> np.ndarray:
    """Pull points that lie in (or within ``clearance_mm`` of) closed meshes toward their ring centres.

    The canal is not an exact ellipse (the lateral recesses and the front of
    the laminae vary per vertebra), so after the analytic squeeze each point of
    a tube still touching bone is moved 5 % closer to its ring centre, up to
    ``steps`` times. A point counts as touching when its signed distance
    (:class:`viz.models.geometry.SurfaceProbe`) is below the clearance.

    Parameters
    ----------
    points, centres : (n, 3) float, LPS
    meshes : list of trimesh.Trimesh
        Closed meshes (bones) in the same state.
    clearance_mm : float
    """
    probe = SurfaceProbe(meshes)
    out = np.array(points, float)
    todo = np.arange(len(out))
    for _ in range(steps):
        touching = probe.signed_mm(out[todo]) < clearance_mm
        if not touching.any():
            break
        todo = todo[touching]
        out[todo] = centres[todo] + (out[todo] - centres[todo]) * 0.95
    return out
