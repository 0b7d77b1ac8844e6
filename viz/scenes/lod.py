"""A lighter level of detail for playback, and per-vertex pinch values.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior). The light level of detail decimates each shell of a part's healthy
mesh separately (quadric decimation, ``fast_simplification``) and transfers every
state's positions to the new vertices through the barycentric coordinates of the
closest point on the full healthy shell, so the light mesh morphs exactly like the
full one. Bite shells stay shells with their own vertex ranges.

References
----------
Garland M, Heckbert PS. Surface simplification using quadric error metrics.
SIGGRAPH 1997:209-16. doi:10.1145/258734.258849
"""

from __future__ import annotations

from dataclasses import dataclass

import fast_simplification
import numpy as np
import scipy.sparse
import trimesh

MIN_SHELL_FACES = 48
"""Shells with fewer triangles than this are kept as they are."""
PINCH_FULL_MM = 2.0
"""Inward displacement at which a vertex counts as fully pinched (pinch = 1), mm."""


@dataclass(frozen=True)
class LightMesh:
    """The light level of detail of one part.

    Attributes
    ----------
    faces : (m, 3) int
    positions_mm : dict of str to (n, 3) float32
        Same states as the full part.
    bites : list of (start, stop)
        Vertex range of each bite shell, in the part's bite order.
    pinch : (n,) float32 or None
    """

    faces: np.ndarray
    positions_mm: dict[str, np.ndarray]
    bites: list[tuple[int, int]]
    pinch: np.ndarray | None


def shells(faces: np.ndarray, vertex_count: int, bite_ranges: list[tuple[int, int]]) -> list[np.ndarray]:
    """Split a part's faces into shells: one per bite range, then connected components of the rest.

    Returns
    -------
    list of (k,) int
        Face indices of each shell; bite shells first, in ``bite_ranges`` order.
    """
    owner = np.full(vertex_count, -1)
    for index, (start, stop) in enumerate(bite_ranges):
        owner[start:stop] = index
    face_owner = owner[faces[:, 0]]
    result = [np.flatnonzero(face_owner == index) for index in range(len(bite_ranges))]
    rest = np.flatnonzero(face_owner < 0)
    if len(rest):
        edges = np.concatenate([faces[rest][:, [0, 1]], faces[rest][:, [1, 2]]])
        graph = scipy.sparse.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])),
                                        shape=(vertex_count, vertex_count))
        _, label = scipy.sparse.csgraph.connected_components(graph, directed=False)
        face_label = label[faces[rest][:, 0]]
        for value in np.unique(face_label):
            result.append(rest[face_label == value])
    return result


def _decimate(points: np.ndarray, faces: np.ndarray, ratio: float) -> tuple[np.ndarray, np.ndarray]:
    if len(faces) < MIN_SHELL_FACES:
        return points, faces
    target = max(MIN_SHELL_FACES // 2, int(round(len(faces) * ratio)))
    new_points, new_faces = fast_simplification.simplify(points.astype(np.float32), faces.astype(np.int32),
                                                         target_count=target)
    if len(new_faces) == 0:
        return points, faces
    return np.asarray(new_points, dtype=np.float64), np.asarray(new_faces, dtype=np.int64)


def _barycentric(triangles: np.ndarray, points: np.ndarray) -> np.ndarray:
    """Barycentric weights (k, 3) of ``points`` in ``triangles`` (k, 3, 3); a triangle with no
    area (a patient's rootlets squeezed into a line, say) gives its nearest corner all the weight."""
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = trimesh.triangles.points_to_barycentric(triangles, points)
    flat = ~np.isfinite(weights).all(axis=1)
    if flat.any():
        nearest = np.linalg.norm(triangles[flat] - points[flat, None, :], axis=2).argmin(axis=1)
        weights[flat] = np.eye(3)[nearest]
    return weights


def light_mesh(faces: np.ndarray, positions_mm: dict[str, np.ndarray], bite_ranges: list[tuple[int, int]],
               ratio: float, pinch: np.ndarray | None = None) -> LightMesh:
    """Return the light level of detail of one part.

    Parameters
    ----------
    faces : (m, 3) int
        Full-detail triangles.
    positions_mm : dict of str to (n, 3) float
        Full-detail positions per state; ``"healthy"`` is decimated.
    bite_ranges : list of (start, stop)
        Vertex ranges of the bite shells.
    ratio : float
        Target fraction of triangles kept in each shell.
    pinch : (n,) float, optional
        Per-vertex values transferred like positions.
    """
    healthy = np.asarray(positions_mm["healthy"], dtype=np.float64)
    out_faces, out_positions, out_pinch, ranges = [], {s: [] for s in positions_mm}, [], []
    offset = 0
    for index, shell in enumerate(shells(faces, len(healthy), bite_ranges)):
        used = np.unique(faces[shell])
        remap = np.full(len(healthy), -1)
        remap[used] = np.arange(len(used))
        local_faces = remap[faces[shell]]
        points, new_faces = _decimate(healthy[used], local_faces, ratio)
        mesh = trimesh.Trimesh(healthy[used], local_faces, process=False)
        _, _, triangle = trimesh.proximity.closest_point(mesh, points)
        corners = local_faces[triangle]
        weights = _barycentric(mesh.triangles[triangle], points)
        for state, state_positions in positions_mm.items():
            source = np.asarray(state_positions, dtype=np.float64)[used]
            out_positions[state].append(np.einsum("ij,ijk->ik", weights, source[corners]))
        if pinch is not None:
            out_pinch.append(np.einsum("ij,ij->i", weights, pinch[used][corners]))
        out_faces.append(new_faces + offset)
        if index < len(bite_ranges):
            ranges.append((offset, offset + len(points)))
        offset += len(points)
    return LightMesh(np.concatenate(out_faces).astype(np.int64),
                     {s: np.concatenate(p).astype(np.float32) for s, p in out_positions.items()},
                     ranges, None if pinch is None else np.clip(np.concatenate(out_pinch), 0, 1).astype(np.float32))


def pinch_values(faces: np.ndarray, healthy_mm: np.ndarray, stenosis_mm: np.ndarray,
                 inward_only: bool = True) -> np.ndarray:
    """Per-vertex compression 0..1: displacement from healthy to stenosis over :data:`PINCH_FULL_MM`.

    Parameters
    ----------
    faces : (m, 3) int
    healthy_mm, stenosis_mm : (n, 3) float
        Positions of the same vertices in the two states.
    inward_only : bool, default: True
        Count only displacement against the outward normal (a wall pushed in, as the
        dural sac); otherwise the whole displacement (thin rootlets pushed aside).
    """
    mesh = trimesh.Trimesh(np.asarray(healthy_mm, dtype=np.float64), faces, process=False)
    displacement = np.asarray(stenosis_mm, dtype=np.float64) - mesh.vertices
    if inward_only:
        moved_mm = -np.einsum("ij,ij->i", displacement, mesh.vertex_normals)
    else:
        moved_mm = np.linalg.norm(displacement, axis=1)
    return np.clip(moved_mm / PINCH_FULL_MM, 0.0, 1.0).astype(np.float32)
