"""Geometry for browser tests, computed here from the scene bundle and the page's camera
(never from the player's own code): pinhole projection to CSS pixels, a view's subjects,
and points inside a mesh's cut by a plane. Millimetres, LPS+ (+x patient's left,
+y posterior, +z superior).
"""

from __future__ import annotations

import math

import numpy as np

from viz.scenes.bundle import load_bundle
from viz.scenes.timeline import read_array


def camera_axes(camera: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """forward, right and up unit vectors of a camera {position_mm, focal_point_mm, view_up}."""
    eye, focal, up = (np.array(camera[k], float) for k in ("position_mm", "focal_point_mm", "view_up"))
    forward = (focal - eye) / np.linalg.norm(focal - eye)
    right = np.cross(forward, up)
    right /= np.linalg.norm(right)
    return forward, right, np.cross(right, forward)


def project(camera, point, width, height, angle_deg):
    """LPS mm -> CSS pixels (x, y) of a canvas, as a pinhole camera with a vertical view angle.
    ``point`` may be one point (3,) or many (n, 3)."""
    forward, right, up = camera_axes(camera)
    d = np.asarray(point, float) - np.asarray(camera["position_mm"], float)
    t = math.tan(math.radians(angle_deg) / 2)
    z = d @ forward
    return ((d @ right) / (z * t * width / height) + 1) / 2 * width, (1 - (d @ up) / (z * t)) / 2 * height


def subject_points(view: str, clip) -> np.ndarray:
    """Every point (n, 3) of a view's subjects (meta.view_subjects) in every state, the clipped side left out."""
    bundle = load_bundle()
    names = set(bundle.meta["view_subjects"][view])
    points = []
    for entry in bundle.meta["parts"] + bundle.meta["instruments"]:
        if entry["name"] in names:
            points += [read_array(bundle.data, ref).reshape(-1, 3) for ref in entry["positions"].values()]
    points = np.concatenate(points)
    if clip is not None:
        points = points[(points - clip[0]) @ np.asarray(clip[1]) <= 0]
    return points


def part_mesh(name: str, state: str) -> tuple[np.ndarray, np.ndarray]:
    """A part's vertices (n, 3) in ``state`` and its triangles (m, 3), from the bundle."""
    bundle = load_bundle()
    part = next(p for p in bundle.meta["parts"] if p["name"] == name)
    return (read_array(bundle.data, part["positions"][state]).reshape(-1, 3),
            read_array(bundle.data, part["faces"]).reshape(-1, 3).astype(np.int64))


def _plane_segments(points, faces, origin, normal, u, v) -> np.ndarray:
    """(s, 2, 2) segments, in plane coordinates (mm along u, v), where the triangles cross the plane."""
    side = (points - origin) @ normal
    s = side[faces]                                              # (m, 3)
    segments = []
    for tri, d in zip(faces[(s.min(axis=1) < 0) & (s.max(axis=1) >= 0)], s[(s.min(axis=1) < 0) & (s.max(axis=1) >= 0)]):
        crossings = [points[tri[a]] + d[a] / (d[a] - d[b]) * (points[tri[b]] - points[tri[a]])
                     for a, b in ((0, 1), (1, 2), (2, 0)) if (d[a] < 0) != (d[b] < 0)]
        if len(crossings) == 2:
            segments.append([[(c - origin) @ u, (c - origin) @ v] for c in crossings])
    return np.asarray(segments).reshape(-1, 2, 2)


def section_interior(points: np.ndarray, faces: np.ndarray, origin, normal, step_mm: float = 0.75,
                     inset_mm: float = 1.5) -> np.ndarray:
    """Points (k, 3) on a plane inside a closed mesh's cut by it, at least ``inset_mm`` from the cut's edge."""
    origin = np.asarray(origin, float)
    normal = np.asarray(normal, float) / np.linalg.norm(normal)
    u = np.cross(normal, [0.0, 0.0, 1.0] if abs(normal[2]) < 0.9 else [1.0, 0.0, 0.0])
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    seg = _plane_segments(points, faces, origin, normal, u, v)
    if not len(seg):
        return np.empty((0, 3))
    lo, hi = seg.reshape(-1, 2).min(axis=0), seg.reshape(-1, 2).max(axis=0)
    gu, gv = np.meshgrid(np.arange(lo[0], hi[0], step_mm), np.arange(lo[1], hi[1], step_mm))
    grid = np.column_stack([gu.ravel(), gv.ravel()])
    a, b = seg[None, :, 0], seg[None, :, 1]
    p = grid[:, None, :]
    # inside: an odd number of the cut's segments cross the ray from the point toward +u
    spans = (a[..., 1] > p[..., 1]) != (b[..., 1] > p[..., 1])
    dv = np.where(b[..., 1] == a[..., 1], 1e-12, b[..., 1] - a[..., 1])
    crossing_u = a[..., 0] + (p[..., 1] - a[..., 1]) * (b[..., 0] - a[..., 0]) / dv
    inside = (spans & (crossing_u > p[..., 0])).sum(axis=1) % 2 == 1
    ab = b - a
    w = np.clip(((p - a) * ab).sum(axis=2) / np.maximum((ab * ab).sum(axis=2), 1e-12), 0, 1)
    edge = np.linalg.norm(p - (a + w[..., None] * ab), axis=2).min(axis=1)
    keep = grid[inside & (edge > inset_mm)]
    return origin + keep[:, :1] * u + keep[:, 1:] * v
