"""The ligamentum flavum as a parametric slab, healthy or thickened.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior). Each ligament half is described in its level frame
(:class:`viz.models.levels.Level`). Seen in the axial plane the two halves
form a "V" opening forward (a parabola with a rounded apex), from the midline
behind the canal to the facet joint capsules at the lateral recesses, as on
axial MRI; the slab is offset from that curve along its normals. Parameters ``s``
(0 at the midline, 1 lateral, in front of the facet joint), ``w`` (0 at the
upper border of the lower lamina, 1 on the front of the upper lamina) and
depth ``d`` (0 on the posterior surface, 1 on the anterior surface facing the
dural sac) map to a point for any thickening ``amount`` (0 healthy, 1 fully
stenotic). Because the
map is explicit, any point cut out of the stenotic slab (a bite) can be
carried back to the healthy shape through the same ``(s, w, d)``.

The healthy thickness follows MRI norms per level [1]_; at stenosis the
anterior surface bulges into the canal (hypertrophy and buckling), up to about
8.5 mm maximal thickness at L4-L5 [2]_. The posterior surface stays fixed.

References
----------
.. [1] Khasawneh RR et al. Folia Morphol 2023;82(1):72-79. https://doi.org/10.5603/FM.a2021.0136
.. [2] Abbas J et al. Spine 2010;35(12):1225-1230. https://doi.org/10.1097/BRS.0b013e3181be1c5e
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from viz.models.constants import LIGAMENTUM_FLAVUM_STENOTIC_THICKNESS_MM, LIGAMENTUM_FLAVUM_THICKNESS_MM
from viz.models.levels import Level

if TYPE_CHECKING:
    import trimesh

MIDLINE_GAP_MM = 0.4
"""Half-gap between the two halves at the midline (they meet in a thin cleft)."""

LATERAL_Y_MM = 0.0
"""Level-frame y of the lateral edge, in front of the facet joint capsule at the
lateral recess (about level with the canal centre)."""

LATERAL_HALF_SPAN_MM = 11.7
"""Distance of the lateral edge from the midline, at the facet capsule. A model
choice: about half the mean canal width at the discs, inside the published
half-width range 10.8-15.9 mm (Clouthier et al. 2023, doi 10.1016/j.jbiomech.2022.111421)."""

HEIGHT_TOP_MM = 10.0
"""Upper attachment: on the front of the upper lamina, above mid-disc."""

HEIGHT_BOTTOM_MM = -13.0
"""Lower attachment: upper border of the lower lamina, below mid-disc."""


def axial_curve(level: Level) -> tuple[float, float, float, float]:
    """The healthy front of the left half in the level plane: ``y = apex - x**2 / (2 r)``.

    Returns
    -------
    x_medial, x_lateral, apex_y, radius : float
        Its x range, the midline depth (front of the laminae) and the
        radius of curvature at the midline.
    """
    x_lateral = LATERAL_HALF_SPAN_MM
    apex = level.canal_half_depth_mm
    radius = x_lateral ** 2 / (2.0 * (apex - LATERAL_Y_MM))
    return MIDLINE_GAP_MM, x_lateral, apex, radius


def curve_frame(level: Level, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Healthy front point and outward (posterior-lateral) unit normal at parameter ``s``."""
    x0, x1, apex, radius = axial_curve(level)
    x = x0 + np.asarray(s, float) * (x1 - x0)
    point = np.stack([x, apex - x * x / (2.0 * radius)], axis=-1)
    normal = np.stack([x / radius, np.ones_like(x)], axis=-1)
    return point, normal / np.linalg.norm(normal, axis=-1, keepdims=True)


def profiles(level: Level, s: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Healthy thickness and stenotic anterior bulge (mm) at parameters ``(s, w)``."""
    s = np.clip(s, 0.0, 1.0)
    w = np.clip(w, 0.0, 1.0)
    healthy = LIGAMENTUM_FLAVUM_THICKNESS_MM[level.name]
    thickness = healthy * (0.4 + 0.6 * np.sin(np.pi * w) ** 0.5) * (1.0 - 0.2 * s * s)
    extra = LIGAMENTUM_FLAVUM_STENOTIC_THICKNESS_MM - healthy
    bulge = extra * np.sin(np.pi * w) ** 1.3 * (0.8 + 0.2 * np.sin(np.pi * s))
    return thickness, bulge


def _height(w):
    return HEIGHT_BOTTOM_MM + w * (HEIGHT_TOP_MM - HEIGHT_BOTTOM_MM)


def _w(h):
    return (h - HEIGHT_BOTTOM_MM) / (HEIGHT_TOP_MM - HEIGHT_BOTTOM_MM)


def param_to_local(level: Level, side: str, s, w, d, amount: float) -> np.ndarray:
    """Level-frame points of the slab at parameters ``(s, w, d)`` for ``amount``.

    ``d = 0`` lies on the posterior surface (the healthy front plus the healthy
    thickness), ``d = 1`` on the front surface pushed ``amount * bulge`` into the canal.
    """
    s, w, d = np.broadcast_arrays(np.asarray(s, float), np.asarray(w, float), np.asarray(d, float))
    point, normal = curve_frame(level, s)
    thickness, bulge = profiles(level, s, w)
    offset = thickness - d * (thickness + amount * bulge)
    xy = point + offset[..., None] * normal
    x = xy[..., 0] if side == "left" else -xy[..., 0]
    return np.stack([x, xy[..., 1], _height(w)], axis=-1)


def project(level: Level, xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Parameter ``s`` of the foot of the normal through each left-side point, and the offset along it.

    Newton's method on the foot-point condition of the parabola (exact for
    points within its radius of curvature, which holds for the slab).
    """
    x0, x1, apex, radius = axial_curve(level)
    px, py = xy[:, 0], xy[:, 1]
    x = px.copy()
    for _ in range(8):
        lift = py - apex + x * x / (2.0 * radius)
        value = (px - x) - lift * x / radius
        slope = -1.0 - (x / radius) ** 2 - lift / radius
        x = x - value / slope
    s = (x - x0) / (x1 - x0)
    point, normal = curve_frame(level, s)
    return s, np.einsum("ij,ij->i", xy - point, normal)


def local_to_param(level: Level, side: str, local_mm: np.ndarray, amount: float) -> np.ndarray:
    """Inverse of :func:`param_to_local`: ``(n, 3)`` level-frame points to ``(s, w, d)``."""
    xy = np.stack([local_mm[:, 0] if side == "left" else -local_mm[:, 0], local_mm[:, 1]], axis=1)
    s, offset = project(level, xy)
    w = _w(local_mm[:, 2])
    thickness, bulge = profiles(level, s, w)
    return np.stack([s, w, (thickness - offset) / (thickness + amount * bulge)], axis=-1)


def front_offset_mm(level: Level, points_xy: np.ndarray, heights: np.ndarray, amount: float):
    """Clearance of level-frame points in front of the ligament (either side).

    Returns
    -------
    inside_span : (n,) bool
        The point lies within the ligament's lateral and vertical extent.
    clearance : (n,) float
        Distance from the point to the ligament's front surface along its
        normal (negative once the point is inside the ligament or behind it).
    """
    xy = np.stack([np.abs(points_xy[:, 0]), points_xy[:, 1]], axis=1)
    s, offset = project(level, xy)
    w = _w(heights)
    _, bulge = profiles(level, s, w)
    inside_span = (s >= -0.05) & (s <= 1.0) & (w > 0) & (w < 1)
    return inside_span, -amount * bulge - offset


def front_y_mm(level: Level, x: np.ndarray, h: np.ndarray, amount: float) -> np.ndarray:
    """Level-frame y of the front surface above level-frame ``(x, h)`` (either side)."""
    lo = np.full(len(x), -0.05)
    hi = np.full(len(x), 1.0)
    w = _w(h)
    for _ in range(30):
        mid = 0.5 * (lo + hi)
        beyond = param_to_local(level, "left", mid, w, 1.0, amount)[:, 0] > np.abs(x)
        hi = np.where(beyond, mid, hi)
        lo = np.where(beyond, lo, mid)
    return param_to_local(level, "left", lo, w, 1.0, amount)[:, 1]


def remap(level: Level, side: str, points_mm: np.ndarray, amount_from: float, amount_to: float) -> np.ndarray:
    """Carry LPS points of the slab from one thickening amount to another."""
    params = local_to_param(level, side, level.local(points_mm), amount_from)
    return level.world(param_to_local(level, side, params[:, 0], params[:, 1], params[:, 2], amount_to))


def box_grid(counts: tuple[int, int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Surface of the unit cube as a closed grid: parameters ``(n, 3)`` and faces.

    ``counts`` are the numbers of cells along s, w and d. Faces wind outward
    in parameter space.
    """
    import trimesh
    steps = np.asarray(counts)
    vertices, faces = [], []
    for axis in range(3):
        for high in (0.0, 1.0):
            u_axis, v_axis = [a for a in range(3) if a != axis]
            u = np.linspace(0.0, 1.0, steps[u_axis] + 1)
            v = np.linspace(0.0, 1.0, steps[v_axis] + 1)
            uu, vv = np.meshgrid(u, v, indexing="ij")
            grid = np.zeros(uu.shape + (3,))
            grid[..., axis], grid[..., u_axis], grid[..., v_axis] = high, uu, vv
            nu, nv = uu.shape
            i, j = np.meshgrid(np.arange(nu - 1), np.arange(nv - 1), indexing="ij")
            a = i * nv + j
            quads = np.stack([a, a + nv, a + nv + 1, a + 1], -1).reshape(-1, 4)
            tris = np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]])
            corners = grid.reshape(-1, 3)[tris]
            normal = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])[:, axis]
            flip = normal * (1.0 if high > 0.5 else -1.0) < 0
            tris[flip] = tris[flip][:, ::-1]
            faces.append(tris + sum(len(x) for x in vertices))
            vertices.append(grid.reshape(-1, 3))
    mesh = trimesh.Trimesh(np.concatenate(vertices), np.concatenate(faces), process=True)
    return np.asarray(mesh.vertices), np.asarray(mesh.faces, np.int32)


def slab_mesh(level: Level, side: str, amount: float, counts: tuple[int, int, int],
              s_range=(0.0, 1.0), w_range=(0.0, 1.0), d_range=(0.0, 1.0)) -> trimesh.Trimesh:
    """Closed mesh of the slab (or a sub-box of its parameters), LPS mm.

    Parameters
    ----------
    level : Level
    side : {"left", "right"}
    amount : float
        Thickening, 0 healthy .. 1 fully stenotic (already scaled by severity).
    counts : (3,) int
        Cells along s, w, d.
    s_range, w_range, d_range : (2,) float
        Sub-range of each parameter (for the portal's bites).
    """
    import trimesh
    params, faces = box_grid(counts)
    lo = np.array([s_range[0], w_range[0], d_range[0]])
    hi = np.array([s_range[1], w_range[1], d_range[1]])
    params = lo + params * (hi - lo)
    local = param_to_local(level, side, params[:, 0], params[:, 1], params[:, 2], amount)
    mesh = trimesh.Trimesh(level.world(local), faces, process=False)
    if mesh.volume < 0:
        mesh.invert()
    return mesh
