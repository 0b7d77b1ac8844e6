"""How deep soft tissue lies inside the patient's bone, measured against the input label map.

Ground truth is the scan itself: the bone voxels of the input label map, each a
box (a parallelepiped in LPS+ mm). A point inside a bone voxel lies as deep as
its distance to the nearest box of a voxel that is not bone; that distance is
computed exactly (point to box, in each voxel's own axes) for the 16 nearest
non-bone voxels that touch bone. Deliberately independent of the import's own
distance field (``viz.scan.bone_field``), so a mistake there cannot hide here.
Points are sampled evenly on each surface (seeded, so the figures repeat).
Frame: LPS+ millimetres.
"""

from __future__ import annotations

import numpy as np
import trimesh
from scipy import ndimage
from scipy.spatial import cKDTree

SAMPLES_PER_MM2 = 2.0
"""Surface points sampled per mm² (at least 4,000, at most 60,000 per surface)."""


class BoneDepth:
    """Depth of points inside the bone voxels of a label map.

    Parameters
    ----------
    labels : (I, J, K) ndarray of int
    lps_from_voxel : (4, 4) ndarray
    bone_values : iterable of int
    """

    def __init__(self, labels: np.ndarray, lps_from_voxel: np.ndarray, bone_values):
        self.bone = np.isin(labels, list(bone_values))
        self.voxel_from_lps = np.linalg.inv(lps_from_voxel)
        self.step_mm = np.linalg.norm(lps_from_voxel[:3, :3], axis=0)
        rim = ndimage.binary_dilation(self.bone) & ~self.bone
        self.rim_ijk = np.argwhere(rim).astype(float)
        self.tree = cKDTree(self.rim_ijk * self.step_mm)

    def depth_mm(self, points_mm: np.ndarray) -> np.ndarray:
        """Depth inside bone of each point (0 outside), mm."""
        ijk = trimesh.transform_points(np.asarray(points_mm, float), self.voxel_from_lps)
        index = np.round(ijk).astype(int)
        inside_grid = np.all((index >= 0) & (index < self.bone.shape), axis=1)
        inside = np.zeros(len(ijk), bool)
        inside[inside_grid] = self.bone[tuple(index[inside_grid].T)]
        depth = np.zeros(len(ijk))
        if inside.any():
            _, nearest = self.tree.query(ijk[inside] * self.step_mm, k=16)
            offset = np.abs(ijk[inside][:, None, :] - self.rim_ijk[nearest])
            excess_mm = np.clip(offset - 0.5, 0.0, None) * self.step_mm
            depth[inside] = np.linalg.norm(excess_mm, axis=2).min(axis=1)
        return depth


def surface_points(mesh: trimesh.Trimesh, seed: int = 7) -> np.ndarray:
    """Points spread evenly over a surface, :data:`SAMPLES_PER_MM2` per mm² (seeded)."""
    count = int(np.clip(mesh.area * SAMPLES_PER_MM2, 4000, 60000))
    points, _ = trimesh.sample.sample_surface(mesh, count, seed=seed)
    return points


def penetration(depth: BoneDepth, mesh: trimesh.Trimesh, limit_mm: float) -> tuple[float, float]:
    """Share of a surface's points deeper than ``limit_mm`` inside bone, and the deepest, mm."""
    values = depth.depth_mm(surface_points(mesh))
    return float(np.mean(values > limit_mm)), float(values.max())
