"""Signed-distance primitives and meshing for the procedural bone shapes.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior). Distances are negative inside. Primitives follow
Inigo Quilez's formulas (https://iquilezles.org/articles/distfunctions/);
the smooth union is his polynomial smooth minimum.
"""

from __future__ import annotations

import numpy as np
import trimesh
from skimage.measure import marching_cubes

NODE_CLEARANCE_MM = 1e-6
"""Smallest field value kept at a grid node (keeps surface vertices off the nodes)."""


def ellipsoid(points: np.ndarray, centre: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """Approximate signed distance to an axis-aligned ellipsoid (exact on axes)."""
    radii = np.asarray(radii, float)
    q = (points - centre) / radii
    k0 = np.linalg.norm(q, axis=-1)
    k1 = np.linalg.norm(q / radii, axis=-1)
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-9)


def capsule(points: np.ndarray, start: np.ndarray, end: np.ndarray, radius: float) -> np.ndarray:
    """Signed distance to a capsule of ``radius`` between ``start`` and ``end``."""
    ab = np.asarray(end, float) - start
    t = np.clip(((points - start) @ ab) / (ab @ ab), 0.0, 1.0)
    return np.linalg.norm(points - (start + t[..., None] * ab), axis=-1) - radius


def smooth_union(a: np.ndarray, b: np.ndarray, blend_mm: float) -> np.ndarray:
    """Polynomial smooth minimum of two distance fields over ``blend_mm``."""
    h = np.clip(0.5 + 0.5 * (b - a) / blend_mm, 0.0, 1.0)
    return b + (a - b) * h - blend_mm * h * (1.0 - h)


def smooth_intersection(a: np.ndarray, b: np.ndarray, blend_mm: float) -> np.ndarray:
    """Polynomial smooth maximum of two distance fields over ``blend_mm`` (rounded edge)."""
    return -smooth_union(-a, -b, blend_mm)


def smooth_subtraction(a: np.ndarray, b: np.ndarray, blend_mm: float) -> np.ndarray:
    """Field ``a`` with the inside of ``b`` removed, the rim rounded over ``blend_mm``."""
    return smooth_intersection(a, -b, blend_mm)


def superellipse(dx: np.ndarray, dy: np.ndarray, half_x: np.ndarray, half_y: np.ndarray,
                 exponent: float) -> np.ndarray:
    """Approximate signed distance to the superellipse ``|dx/hx|**n + |dy/hy|**n = 1``.

    The implicit value is divided by its gradient's length (first-order
    distance), which is close to the true distance near the curve; extruded
    along the third axis when the half-axes vary slowly.
    """
    u = np.abs(dx) / half_x
    v = np.abs(dy) / half_y
    r = np.maximum((u ** exponent + v ** exponent) ** (1.0 / exponent), 1e-6)
    scale = r ** (1.0 - exponent)
    grad = scale * np.hypot(u ** (exponent - 1.0) / half_x, v ** (exponent - 1.0) / half_y)
    return (r - 1.0) / np.maximum(grad, 1e-3)


def segment_distance_2d(p: np.ndarray, q: np.ndarray, a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
    """Distance from planar points ``(p, q)`` to the segment from ``a`` to ``b``."""
    ex, ey = b[0] - a[0], b[1] - a[1]
    t = np.clip(((p - a[0]) * ex + (q - a[1]) * ey) / (ex * ex + ey * ey), 0.0, 1.0)
    return np.hypot(p - a[0] - t * ex, q - a[1] - t * ey)


def mesh_field(field, lower_mm: np.ndarray, upper_mm: np.ndarray, spacing_mm: float) -> trimesh.Trimesh:
    """Mesh the zero level of ``field(points (..., 3)) -> distances``.

    The grid spans ``lower_mm``..``upper_mm`` with one extra layer all round,
    so the surface is closed if the shape lies inside the box. Values within
    :data:`NODE_CLEARANCE_MM` of zero count as outside, so a flat face through
    a row of grid nodes gives no coincident (degenerate) vertices.

    Returns
    -------
    trimesh.Trimesh
        Watertight, outward normals, LPS millimetres.
    """
    lower = np.asarray(lower_mm, float) - spacing_mm
    upper = np.asarray(upper_mm, float) + spacing_mm
    counts = np.ceil((upper - lower) / spacing_mm).astype(int) + 1
    axes = [lower[i] + spacing_mm * np.arange(counts[i]) for i in range(3)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)
    values = field(grid)
    values[np.abs(values) < NODE_CLEARANCE_MM] = NODE_CLEARANCE_MM
    values[[0, -1], :, :] = values[:, [0, -1], :] = values[:, :, [0, -1]] = spacing_mm
    vertices, faces, _, _ = marching_cubes(values, level=0.0, spacing=(spacing_mm,) * 3)
    mesh = trimesh.Trimesh(vertices + lower, faces[:, ::-1], process=True)
    mesh.remove_unreferenced_vertices()
    if mesh.volume < 0:
        mesh.invert()
    return mesh
