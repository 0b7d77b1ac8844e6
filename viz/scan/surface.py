"""Closed surfaces from a label map: marching cubes, smoothing, decimation.

Each structure's voxels are cropped to their bounding box (so a 512×512×300 map
costs one pass to find the boxes plus small crops), reduced to the largest
connected piece with its inner holes filled, blurred by a Gaussian of
:data:`BLUR_SIGMA_MM` to remove the voxel stair-steps, and contoured at 0.5 with
scikit-image's Lewiner marching cubes (a closed, consistently wound surface
because the crop is padded with background). The vertices are mapped to LPS+
millimetres (+x patient's left, +y posterior, +z superior) with the volume's
``lps_from_voxel``; if that transform mirrors space the winding is reversed so
normals still point outward. A light Taubin filter (no shrinkage) and quadric
decimation bring each surface to its triangle budget.

References
----------
Lewiner T et al. Efficient implementation of marching cubes' cases with topological
guarantees. J Graphics Tools 2003;8:1-15. https://doi.org/10.1080/10867651.2003.10487582
Taubin G. Curve and surface smoothing without shrinkage. ICCV 1995:852-857.
https://doi.org/10.1109/ICCV.1995.466848
Garland M, Heckbert PS. Surface simplification using quadric error metrics.
SIGGRAPH 1997:209-216. https://doi.org/10.1145/258734.258849
"""

from __future__ import annotations

from typing import Mapping

import fast_simplification
import numpy as np
import trimesh
from scipy import ndimage
from skimage.measure import marching_cubes

from viz.errors import UserError
from viz.scan.nifti import LabelVolume

BLUR_SIGMA_MM = 0.6
"""Gaussian blur before contouring, mm: removes voxel steps, keeps 3 mm laminae."""

TAUBIN_ITERATIONS = 8
"""Taubin smoothing passes after contouring (λ = 0.5, μ = −0.53)."""

DECIMATION_AGGRESSIVENESS = (5, 7)
"""fast_simplification's ``agg`` values tried in turn, keeping the first closed result.
Either can pinch an edge (non-manifold) on some surface: at 7, 1 of 63 test surfaces; at 5,
none of those but the L4 of a CT-sized scan of the template narrowed at L3–L4
(``benchmarks/bench_import.py``), which 7 decimates cleanly. Lower values (≤ 4) miss the
triangle budget."""

_PAD_VOXELS = 3


def label_centres_mm(volume: LabelVolume) -> dict[int, np.ndarray]:
    """Centre of each label's bounding box, LPS+ mm.

    Parameters
    ----------
    volume : LabelVolume

    Returns
    -------
    dict of int to (3,) ndarray
        Every non-zero label value present → its box centre.
    """
    centres = {}
    for value, box in volume.boxes.items():
        ijk = np.array([(s.start + s.stop - 1) / 2.0 for s in box] + [1.0])
        centres[value] = (volume.lps_from_voxel @ ijk)[:3]
    return centres


def _largest_piece(mask: np.ndarray) -> np.ndarray:
    pieces, count = ndimage.label(mask)
    if count > 1:
        sizes = np.bincount(pieces.ravel())
        sizes[0] = 0
        mask = pieces == int(np.argmax(sizes))
    return ndimage.binary_fill_holes(mask)


def _contour(mask: np.ndarray, voxel_mm: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    padded = np.pad(mask, _PAD_VOXELS).astype(np.float32)
    blurred = ndimage.gaussian_filter(padded, sigma=BLUR_SIGMA_MM / voxel_mm, mode="constant")
    vertices, faces, _, _ = marching_cubes(blurred, level=0.5, method="lewiner", allow_degenerate=False)
    return vertices - _PAD_VOXELS, faces


def decimated(mesh: trimesh.Trimesh, target_triangles: int) -> trimesh.Trimesh:
    """Quadric decimation to at most ``target_triangles`` (Garland & Heckbert); small meshes unchanged.

    Each :data:`DECIMATION_AGGRESSIVENESS` is tried in turn; the first watertight,
    consistently wound result is returned. If none is (a thin or fragmented label),
    the mesh is kept as it is, over budget but closed, if it was closed.
    """
    if len(mesh.faces) <= target_triangles:
        return mesh
    for aggressiveness in DECIMATION_AGGRESSIVENESS:
        points, faces = fast_simplification.simplify(
            mesh.vertices.astype(np.float32), mesh.faces.astype(np.int64),
            target_reduction=1.0 - target_triangles / len(mesh.faces), agg=aggressiveness)
        result = trimesh.Trimesh(points.astype(np.float64), faces, process=True)
        if result.is_watertight and result.is_winding_consistent:
            return result
    return mesh if mesh.is_watertight and mesh.is_winding_consistent else result


def surface_from_mask(mask: np.ndarray, lps_from_voxel: np.ndarray, target_triangles: int,
                      name: str = "structure") -> trimesh.Trimesh:
    """One closed, outward-wound surface around the voxels of a mask.

    Parameters
    ----------
    mask : (I, J, K) ndarray of bool
        The structure's voxels (typically a crop of the label map).
    lps_from_voxel : (4, 4) ndarray
        Voxel indices of ``mask`` → LPS+ mm (include the crop's offset).
    target_triangles : int
        Triangle budget after decimation.
    name : str, default: "structure"
        Used in the error message only.

    Returns
    -------
    trimesh.Trimesh
        Watertight single shell, positive volume, LPS+ mm.

    Raises
    ------
    UserError
        If the mask is too small to enclose a surface.
    """
    if int(mask.sum()) < 8:
        raise UserError(f"The label for {name} marks too few voxels to make a surface.")
    voxel_mm = np.linalg.norm(lps_from_voxel[:3, :3], axis=0)
    ijk, faces = _contour(_largest_piece(mask), voxel_mm)
    vertices = ijk @ lps_from_voxel[:3, :3].T + lps_from_voxel[:3, 3]
    mesh = trimesh.Trimesh(vertices, faces, process=True)
    if mesh.volume < 0:
        mesh.invert()
    trimesh.smoothing.filter_taubin(mesh, lamb=0.5, nu=-0.53, iterations=TAUBIN_ITERATIONS)
    mesh = decimated(mesh, target_triangles)
    if not (mesh.is_watertight and mesh.is_winding_consistent):
        raise UserError(f"The label for {name} could not be turned into a closed surface.")
    return mesh


def union_box(volume: LabelVolume, values: tuple[int, ...]) -> tuple[slice, slice, slice]:
    """Bounding box (index slices) of the voxels holding any of ``values`` (all present)."""
    boxes = [volume.boxes[value] for value in values]
    return tuple(slice(min(b[axis].start for b in boxes), max(b[axis].stop for b in boxes)) for axis in range(3))


def touches_edge(volume: LabelVolume, values: tuple[int, ...]) -> bool:
    """Whether a structure reaches the edge of the scan (its field of view cuts it off)."""
    box = union_box(volume, values)
    return any(s.start == 0 or s.stop == n for s, n in zip(box, volume.labels.shape))


def surfaces_from_labels(volume: LabelVolume, label_of: Mapping[str, tuple[int, ...]],
                         target_triangles: Mapping[str, int]) -> dict[str, trimesh.Trimesh]:
    """Contour every named structure of a label map.

    Parameters
    ----------
    volume : LabelVolume
    label_of : mapping of str to tuple of int
        Structure name (``"L4"``, ``"dural_sac"``, ``"L4-L5"``) → its label values (their union).
    target_triangles : mapping of str to int
        Triangle budget per structure name.

    Returns
    -------
    dict of str to trimesh.Trimesh
        Name → closed surface in LPS+ mm, in the order of ``label_of``.
    """
    surfaces = {}
    for name, values in label_of.items():
        box = union_box(volume, values)
        offset = np.eye(4)
        offset[:3, 3] = [s.start for s in box]
        mask = np.isin(volume.labels[box], values)
        surfaces[name] = surface_from_mask(mask, volume.lps_from_voxel @ offset,
                                           target_triangles[name], name=name)
    return surfaces
