"""Small mesh-building and mesh-measuring helpers shared by the anatomy models.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior). Local frames are right-handed and given as a
``(3, 3)`` matrix whose rows are the local x, y, z axes expressed in LPS.

The builders return closed, outward-wound triangle meshes as ``(vertices,
faces)`` arrays so that callers control when a :class:`trimesh.Trimesh` is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import trimesh


def sagittal_frame(tilt_deg: float) -> np.ndarray:
    """Return the frame of a structure tilted in the sagittal plane.

    Parameters
    ----------
    tilt_deg : float
        Tilt of the local +z axis from LPS +z, positive when its upper end
        leans anteriorly (toward -y), as ``body_axis_tilt_deg`` in [1]_.

    Returns
    -------
    (3, 3) float
        Rows: local x (= LPS +x, left), local y (posterior), local z (axis).

    References
    ----------
    .. [1] Clouthier AL et al. J Biomech 2023;146:111421.
       https://doi.org/10.1016/j.jbiomech.2022.111421
    """
    tilt = np.radians(tilt_deg)
    return np.array([
        [1.0, 0.0, 0.0],
        [0.0, np.cos(tilt), np.sin(tilt)],
        [0.0, -np.sin(tilt), np.cos(tilt)],
    ])


def to_local(points_mm: np.ndarray, origin_mm: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """Express LPS points in a local frame (rows of ``frame``) at ``origin_mm``."""
    return (np.asarray(points_mm, float) - origin_mm) @ frame.T


def to_world(local_mm: np.ndarray, origin_mm: np.ndarray, frame: np.ndarray) -> np.ndarray:
    """Express local-frame points back in LPS (inverse of :func:`to_local`)."""
    return np.asarray(local_mm, float) @ frame + origin_mm


def oriented_section(vertices: np.ndarray, faces: np.ndarray, origin_mm: np.ndarray,
                     normal: np.ndarray) -> np.ndarray:
    """Cut a closed mesh with a plane and return oriented boundary segments.

    Segments run counter-clockwise about ``normal`` around the material, so
    the enclosed area is the shoelace sum and holes count negatively.

    Returns
    -------
    (k, 2, 3) float
        Segment end points in LPS millimetres.
    """
    normal = np.asarray(normal, float) / np.linalg.norm(normal)
    vertex_dist = (vertices - origin_mm) @ normal
    count = (vertex_dist[faces] > 0).sum(axis=1)
    crossing = faces[(count == 1) | (count == 2)]
    tri = vertices[crossing]
    dist = vertex_dist[crossing]
    above = dist > 0
    if len(tri) == 0:
        return np.zeros((0, 2, 3))
    points = []
    for a, b in ((0, 1), (1, 2), (2, 0)):
        cut = above[:, a] != above[:, b]
        t = dist[:, a] / np.where(cut, dist[:, a] - dist[:, b], 1.0)
        points.append((cut, tri[:, a] + (tri[:, b] - tri[:, a]) * t[:, None]))
    cuts = np.stack([p[0] for p in points], axis=1)
    pts = np.stack([p[1] for p in points], axis=1)
    order = np.argsort(~cuts, axis=1, kind="stable")[:, :2]
    seg = np.take_along_axis(pts, order[:, :, None], axis=1)
    face_normal = np.cross(tri[:, 1] - tri[:, 0], tri[:, 2] - tri[:, 0])
    wanted = np.cross(normal, face_normal)
    flip = np.einsum("ij,ij->i", seg[:, 1] - seg[:, 0], wanted) < 0
    seg[flip] = seg[flip][:, ::-1]
    return seg


def section_area_mm2(segments: np.ndarray, normal: np.ndarray) -> float:
    """Area enclosed by oriented section segments (see :func:`oriented_section`)."""
    if len(segments) == 0:
        return 0.0
    normal = np.asarray(normal, float) / np.linalg.norm(normal)
    return float(0.5 * np.einsum("ij,j->", np.cross(segments[:, 0], segments[:, 1]), normal))


def section_loops(segments_2d: np.ndarray) -> list[np.ndarray]:
    """Chain oriented section segments (:func:`oriented_section`, in 2D) into closed loops.

    Each segment's end is joined to the segment starting nearest to it (the two are the
    same point, computed from the shared edge by both triangles).

    Returns
    -------
    list of (k, 2) float
        The loops' points in order, one loop per closed outline.
    """
    from scipy.spatial import cKDTree

    if len(segments_2d) == 0:
        return []
    following = cKDTree(segments_2d[:, 0]).query(segments_2d[:, 1])[1]
    unvisited = np.ones(len(segments_2d), bool)
    loops = []
    for first in range(len(segments_2d)):
        if not unvisited[first]:
            continue
        chain, current = [], first
        while unvisited[current]:
            unvisited[current] = False
            chain.append(current)
            current = following[current]
        loops.append(segments_2d[chain, 0])
    return loops


def ray_hits_2d(segments_2d: np.ndarray, origin: np.ndarray, directions: np.ndarray) -> list[np.ndarray]:
    """Distances along each 2D ray to every crossing of the given segments.

    Parameters
    ----------
    segments_2d : (k, 2, 2) float
    origin : (2,) float
    directions : (r, 2) float, unit vectors

    Returns
    -------
    list of (h,) float
        Sorted positive hit distances per ray.
    """
    p, q = segments_2d[:, 0], segments_2d[:, 1]
    e = q - p
    w = p - origin
    denom = directions[:, None, 0] * e[None, :, 1] - directions[:, None, 1] * e[None, :, 0]
    safe = np.where(np.abs(denom) < 1e-12, np.nan, denom)
    t = (w[None, :, 0] * e[None, :, 1] - w[None, :, 1] * e[None, :, 0]) / safe
    u = (w[None, :, 0] * directions[:, None, 1] - w[None, :, 1] * directions[:, None, 0]) / safe
    valid = (t > 0) & (u >= 0) & (u < 1)
    return [np.sort(t[i][valid[i]]) for i in range(len(directions))]


def polar_outline(segments_2d: np.ndarray, centre: np.ndarray, count: int) -> np.ndarray:
    """Outer radius of a section around ``centre`` at ``count`` equal angles.

    Angle 0 points along local +x and grows toward local +y.

    Returns
    -------
    (count,) float
        Largest hit distance per direction; gaps are filled periodically.
    """
    angles = np.linspace(0.0, 2 * np.pi, count, endpoint=False)
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    hits = ray_hits_2d(segments_2d, centre, directions)
    radius = np.array([h[-1] if len(h) else np.nan for h in hits])
    good = ~np.isnan(radius)
    return np.interp(angles, angles[good], radius[good], period=2 * np.pi)


def grid_tube_faces(rings: int, per_ring: int, cap: bool = True) -> np.ndarray:
    """Faces of a tube of ``rings`` rings with ``per_ring`` vertices each.

    Ring ``i`` vertex ``j`` is index ``i * per_ring + j``; with ``cap`` two
    centre vertices follow (first cap centre, then last) and close the ends.
    The winding is outward when the rings run counter-clockwise about the
    direction from the first ring to the last.
    """
    i, j = np.meshgrid(np.arange(rings - 1), np.arange(per_ring), indexing="ij")
    a = i * per_ring + j
    b = i * per_ring + (j + 1) % per_ring
    c = a + per_ring
    d = b + per_ring
    faces = np.concatenate([np.stack([a, b, d], -1).reshape(-1, 3),
                            np.stack([a, d, c], -1).reshape(-1, 3)])
    if cap:
        first, last = rings * per_ring, rings * per_ring + 1
        j = np.arange(per_ring)
        bottom = np.stack([np.full(per_ring, first), (j + 1) % per_ring, j], -1)
        top_ring = (rings - 1) * per_ring
        top = np.stack([np.full(per_ring, last), top_ring + j, top_ring + (j + 1) % per_ring], -1)
        faces = np.concatenate([faces, bottom, top])
    return faces.astype(np.int32)


def sweep_tube(centreline_mm: np.ndarray, radius_mm: np.ndarray | float, per_ring: int,
               reference_up: np.ndarray = (0.0, 1.0, 0.0)) -> tuple[np.ndarray, np.ndarray]:
    """A closed tube of circular section swept along a polyline.

    Parameters
    ----------
    centreline_mm : (n, 3) float, LPS
    radius_mm : float or (n,) float
    per_ring : int
    reference_up : (3,) float, default: +y (posterior)
        Direction used to fix the ring's angular origin (parallel transport
        would add nothing for these gentle curves).

    Returns
    -------
    vertices : (n * per_ring + 2, 3) float
    faces : (m, 3) int32, outward winding
    """
    centreline_mm = np.asarray(centreline_mm, float)
    radius = np.broadcast_to(np.asarray(radius_mm, float), (len(centreline_mm),))
    tangent = np.gradient(centreline_mm, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    up = np.asarray(reference_up, float)
    side = np.cross(up, tangent)
    weak = np.linalg.norm(side, axis=1) < 1e-6
    side[weak] = np.cross([1.0, 0.0, 0.0], tangent[weak])
    side /= np.linalg.norm(side, axis=1, keepdims=True)
    normal = np.cross(tangent, side)
    angles = np.linspace(0.0, 2 * np.pi, per_ring, endpoint=False)
    ring = (np.cos(angles)[None, :, None] * side[:, None] + np.sin(angles)[None, :, None] * normal[:, None])
    vertices = centreline_mm[:, None] + radius[:, None, None] * ring
    vertices = np.concatenate([vertices.reshape(-1, 3), centreline_mm[[0, -1]]])
    return vertices, grid_tube_faces(len(centreline_mm), per_ring)


def make_mesh(vertices: np.ndarray, faces: np.ndarray) -> trimesh.Trimesh:
    """A :class:`trimesh.Trimesh` without any reordering of vertices or faces."""
    import trimesh
    return trimesh.Trimesh(np.asarray(vertices, float), np.asarray(faces, np.int64), process=False)


def decimate(vertices: np.ndarray, faces: np.ndarray, target_faces: int) -> tuple[np.ndarray, np.ndarray]:
    """Reduce a closed mesh to about ``target_faces`` triangles, keeping it closed.

    Uses quadric decimation (fast_simplification) then removes unused and
    duplicate vertices; the result is checked for watertightness.

    Raises
    ------
    ValueError
        If decimation opened the surface.
    """
    import trimesh
    import fast_simplification

    if len(faces) <= target_faces:
        return np.asarray(vertices, float), np.asarray(faces, np.int32)
    reduction = 1.0 - target_faces / len(faces)
    points, triangles = fast_simplification.simplify(
        np.asarray(vertices, np.float32), np.asarray(faces, np.int32), target_reduction=reduction)
    mesh = trimesh.Trimesh(points.astype(float), triangles, process=True)
    mesh.remove_unreferenced_vertices()
    if not mesh.is_watertight:
        raise ValueError("decimation opened the surface")
    trimesh.repair.fix_normals(mesh)
    return np.asarray(mesh.vertices), np.asarray(mesh.faces, np.int32)



def point_triangle_distance_mm(points: np.ndarray, a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Exact distance from points to triangles ``(a, b, c)``, all broadcast over leading axes.

    The foot on the plane is used when it falls inside the triangle, else the
    nearest of the three edges (Ericson, Real-Time Collision Detection, 5.1.5).
    """
    normal = np.cross(b - a, c - a)
    normal = normal / np.maximum(np.linalg.norm(normal, axis=-1, keepdims=True), 1e-12)
    height = np.einsum("...j,...j->...", points - a, normal)
    foot = points - height[..., None] * normal
    inside = np.ones(height.shape, bool)
    edges = []
    for p, q in ((a, b), (b, c), (c, a)):
        inside &= np.einsum("...j,...j->...", np.cross(q - p, foot - p), normal) >= 0
        e = q - p
        t = np.clip(np.einsum("...j,...j->...", points - p, e) / np.maximum(np.einsum("...j,...j->...", e, e), 1e-12),
                    0.0, 1.0)
        edges.append(np.linalg.norm(points - (p + t[..., None] * e), axis=-1))
    return np.where(inside, np.abs(height), np.min(edges, axis=0))


class SurfaceProbe:
    """Fast signed distance to closed meshes (positive outside), LPS mm.

    The distance is the exact one to the triangles around the nearest mesh
    vertex (where the closest surface point lies for these smooth meshes);
    its sign comes from the offset along that vertex's outward
    (angle-weighted) normal. A KD-tree query instead of ray casting.

    Parameters
    ----------
    meshes : list of trimesh.Trimesh
        Closed, outward-wound meshes.
    """

    def __init__(self, meshes: list[trimesh.Trimesh]):
        from scipy.spatial import cKDTree

        offsets = np.cumsum([0] + [len(m.vertices) for m in meshes])
        self.vertices = np.vstack([np.asarray(m.vertices, float) for m in meshes])
        self.normals = np.vstack([np.asarray(m.vertex_normals, float) for m in meshes])
        self.faces = np.vstack([np.asarray(m.faces) + o for m, o in zip(meshes, offsets)])
        face_offsets = np.cumsum([0] + [len(m.faces) for m in meshes])
        width = max(np.asarray(m.vertex_faces).shape[1] for m in meshes)
        rings = []
        for m, o in zip(meshes, face_offsets):
            ring = np.asarray(m.vertex_faces)
            ring = np.where(ring < 0, -1, ring + o)
            rings.append(np.pad(ring, ((0, 0), (0, width - ring.shape[1])), constant_values=-1))
        self.vertex_faces = np.vstack(rings)
        self.tree = cKDTree(self.vertices)

    def query(self, points_mm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Signed distance of each point (negative inside) and its nearest vertex index."""
        points = np.asarray(points_mm, float)
        _, nearest = self.tree.query(points)
        ring = self.vertex_faces[nearest]
        tri = self.vertices[self.faces[np.maximum(ring, 0)]]
        distance = point_triangle_distance_mm(points[:, None], tri[..., 0, :], tri[..., 1, :], tri[..., 2, :])
        distance = np.where(ring >= 0, distance, np.inf).min(axis=1)
        offset = np.einsum("ij,ij->i", points - self.vertices[nearest], self.normals[nearest])
        return np.where(offset < 0.0, -distance, distance), nearest

    def signed_mm(self, points_mm: np.ndarray) -> np.ndarray:
        """Signed distance of each point: negative inside any of the meshes."""
        return self.query(points_mm)[0]
