"""Harder synthetic scans built from real vertebral shapes (test helper).

Bones: the mean CT-derived L2–L5 of Clouthier et al. 2023 (MIT, shipped in
``assets/meshes/reference/``), L1 derived from L2 as the model does, and,
when asked, the template's sacrum. Each vertebra gets a shape of its own
(unequal scales and a smooth warp that no similarity transform undoes), then
its own small rotation, shift and scale (a different lordosis, disc heights and
vertebra sizes from the template's), the whole spine is tilted, and everything is voxelized
on a tilted grid with anisotropic voxels, written as NIfTI with a RAS+ affine as
the tools write it. Optional labels: a canal (the dural sac: an elliptic tube
along the canal centres, minus one voxel of bone dilation, so it lies inside the
bony canal) and discs (the region between neighbouring endplates). None of it
comes from the template's soft tissue (discs are the model's loft between the moved bones' own
endplate rims). Frame: LPS+ millimetres.
"""

from __future__ import annotations

import numpy as np
import trimesh
from scipy import ndimage
from scipy.interpolate import make_interp_spline
from scipy.spatial.transform import Rotation

from viz.models.vertebrae import l1_from_l2, reference_tilts_deg, reference_vertebra
from viz.models.geometry import grid_tube_faces
from viz.models.decompression import from_manifold, to_manifold
from viz.models.soft_tissue import disc
from viz.scan.spine_levels import carried_landmarks, template_landmarks
from viz.scan.voxelize import grid_around, label_map_from_meshes

WARP_MM = 1.5
"""Amplitude of each vertebra's own smooth warp, mm."""

WARP_LENGTH_MM = 9.0
"""Length over which the warp turns by one radian, mm (a vertebra is ≈45 mm wide)."""

SAC_SEMI_AXES_MM = (7.5, 5.5)
"""Half-width and half-depth of the synthetic canal label, mm."""


def _similarity(angles_deg, shift_mm, scale, centre) -> np.ndarray:
    matrix = np.eye(4)
    matrix[:3, :3] = scale * Rotation.from_euler("xyz", angles_deg, degrees=True).as_matrix()
    matrix[:3, 3] = centre + np.asarray(shift_mm) - matrix[:3, :3] @ centre
    return matrix


def real_bones(seed: int, names=("L1", "L2", "L3", "L4", "L5"), sacrum=None
               ) -> tuple[dict[str, trimesh.Trimesh], dict[str, np.ndarray]]:
    """The reference vertebrae, each moved by its own seeded similarity, then all tilted together.

    Returns the moved meshes and each one's transform from the template's pose.
    """
    rng = np.random.default_rng(seed)
    tilts = reference_tilts_deg()
    meshes = {name: reference_vertebra(name) for name in ("L2", "L3", "L4", "L5")}
    marks = template_landmarks()
    meshes["L1"] = l1_from_l2(meshes["L2"], marks["L2"], marks["L3"], tilts["L2"], tilts["L3"])
    if sacrum is not None:
        meshes["sacrum"] = sacrum
    whole = _similarity(rng.uniform(-8, 8, 3), (0, 0, 0), 1.0, marks["L3"].body_centre_mm)
    out, moves, drift = {}, {}, np.zeros(3)
    for name in list(names) + (["sacrum"] if sacrum is not None else []):
        drift = drift + np.array([0.0, 0.0, rng.uniform(-1.5, 1.5)])
        own = _similarity(rng.uniform(-4, 4, 3), drift + rng.uniform(-1, 1, 3), rng.uniform(0.93, 1.07),
                          marks[name].body_centre_mm)
        moves[name] = whole @ own
        shape = _individual(meshes[name], marks[name].body_centre_mm, rng) if name != "sacrum" else meshes[name]
        out[name] = shape.apply_transform(moves[name])
    return out, moves


def _individual(mesh: trimesh.Trimesh, centre: np.ndarray, rng: np.random.Generator) -> trimesh.Trimesh:
    """A vertebra of its own shape: unequal scales across, front to back and along the spine
    (±12 %), and a smooth warp of up to ≈1.5 mm that no similarity transform undoes."""
    local = np.asarray(mesh.vertices, dtype=np.float64) - centre
    local = local * rng.uniform(0.88, 1.12, 3)
    phase = rng.uniform(0.0, 2 * np.pi, 3)
    local += WARP_MM * np.stack([np.sin(local[:, (axis + 1) % 3] / WARP_LENGTH_MM + phase[axis])
                                 for axis in range(3)], axis=1)
    return trimesh.Trimesh(local + centre, np.asarray(mesh.faces), process=False)


def canal_mesh(moves: dict[str, np.ndarray]) -> trimesh.Trimesh:
    """An elliptic tube along the moved canal centres of the lumbar bones (bone is cut from it later)."""
    marks = template_landmarks()
    centres = np.asarray([trimesh.transform_points(marks[name].canal_centre_mm[None], moves[name])[0]
                          for name in ("L1", "L2", "L3", "L4", "L5") if name in moves])
    chord = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(centres, axis=0), axis=1))])
    path = make_interp_spline(chord, centres, k=min(3, len(centres) - 1))(np.linspace(0, chord[-1], 60))
    step = path[1] - path[0], path[-1] - path[-2]
    path = np.vstack([path[0] - step[0] * np.arange(10, 0, -1)[:, None], path,
                      path[-1] + step[1] * np.arange(1, 11)[:, None]])
    tangent = np.gradient(path, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    side = np.cross([0.0, 1.0, 0.0], tangent)
    side /= np.linalg.norm(side, axis=1, keepdims=True)
    back = np.cross(tangent, side)
    angles = np.linspace(0.0, 2 * np.pi, 32, endpoint=False)
    rings = (path[:, None] + SAC_SEMI_AXES_MM[0] * np.cos(angles)[None, :, None] * side[:, None]
             + SAC_SEMI_AXES_MM[1] * np.sin(angles)[None, :, None] * back[:, None])
    vertices = np.vstack([rings.reshape(-1, 3), path[[0, -1]]])
    mesh = trimesh.Trimesh(vertices, grid_tube_faces(len(path), 32), process=False)
    if mesh.volume < 0:
        mesh.invert()
    return mesh


def disc_meshes(moves: dict[str, np.ndarray]) -> dict[str, trimesh.Trimesh]:
    """Discs lofted between the moved bones' endplate rims (the model's loft on the moved landmarks)."""
    marks = template_landmarks()
    lumbar = [name for name in ("L1", "L2", "L3", "L4", "L5") if name in moves]
    return {f"{upper}-{lower}": disc(carried_landmarks(marks[upper], moves[upper]),
                                     carried_landmarks(marks[lower], moves[lower]), 9)
            for upper, lower in zip(lumbar, lumbar[1:])}


def top_of_sacrum(sacrum: trimesh.Trimesh, height_mm: float = 30.0) -> trimesh.Trimesh:
    """The upper ``height_mm`` of a sacrum (its S1 segment), closed: what TotalSegmentator v2 labels vertebrae_S1."""
    low, high = sacrum.bounds
    box = trimesh.creation.box(bounds=[low - 1.0, [high[0] + 1.0, high[1] + 1.0, high[2] + 1.0]])
    box.vertices[box.vertices[:, 2] < high[2], 2] = high[2] - height_mm
    return from_manifold(to_manifold(sacrum) ^ to_manifold(box))


def label_map(bones: dict[str, trimesh.Trimesh], values: dict[str, int], linear: np.ndarray,
              moves: dict[str, np.ndarray] | None = None, canal_value: int | None = None,
              disc_values: dict[str, int] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Voxelize bones (and a canal label kept one voxel clear of bone, and disc labels) on the grid ``linear``."""
    lps_from_voxel, shape = grid_around(list(bones.values()), linear)
    labels = label_map_from_meshes({values[name]: mesh for name, mesh in bones.items()}, lps_from_voxel, shape)
    if disc_values:
        discs = label_map_from_meshes({disc_values[name]: mesh for name, mesh in disc_meshes(moves).items()},
                                      lps_from_voxel, shape)
        labels = np.where(labels == 0, discs, labels)
    if canal_value is not None:
        canal = label_map_from_meshes({1: canal_mesh(moves)}, lps_from_voxel, shape) == 1
        canal &= ~ndimage.binary_dilation(labels > 0)
        pieces, _ = ndimage.label(canal)
        sizes = np.bincount(pieces.ravel())
        sizes[0] = 0
        labels[pieces == int(np.argmax(sizes))] = canal_value
    return labels, lps_from_voxel


def grid(angles_deg, voxel_mm) -> np.ndarray:
    """Voxel axes (columns, LPS+ mm per step): a rotation times the voxel sizes."""
    return Rotation.from_euler("xyz", angles_deg, degrees=True).as_matrix() @ np.diag(voxel_mm)
