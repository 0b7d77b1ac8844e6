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


def mesh_field(field, lower_mm: np.ndarray, upper_mm: np.ndarray, spacing_mm: float) -> trimesh.Trimesh:
    """Mesh the zero level of ``field(points (..., 3)) -> distances``.

    The grid spans ``lower_mm``..``upper_mm`` with one extra layer all round,
    so the surface is closed if the shape lies inside the box.

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
    values[[0, -1], :, :] = values[:, [0, -1], :] = values[:, :, [0, -1]] = spacing_mm
    vertices, faces, _, _ = marching_cubes(values, level=0.0, spacing=(spacing_mm,) * 3)
    mesh = trimesh.Trimesh(vertices + lower, faces[:, ::-1], process=True)
    mesh.remove_unreferenced_vertices()
    if mesh.volume < 0:
        mesh.invert()
    return mesh
