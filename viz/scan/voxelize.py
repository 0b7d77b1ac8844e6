"""The reverse of the import: closed meshes → a NIfTI label map on a chosen grid.

Used to make synthetic scans of known geometry (tests, benchmark) and to hand
a label map of the template spine to tools that expect one. A voxel takes a
mesh's label when its centre lies inside that mesh (VTK's polydata-to-stencil
scan conversion, done in voxel-index space, so any affine works: rotated,
sheared, anisotropic). Meshes are LPS+ millimetres (+x patient's left,
+y posterior, +z superior); the NIfTI header gets the RAS+ affine
``ras_from_voxel = diag(-1, -1, 1, 1) @ lps_from_voxel`` in both sform and
qform, as segmentation tools write it.
"""

from __future__ import annotations

import gzip
from typing import Mapping

import nibabel as nib
import numpy as np
import pyvista as pv
import trimesh

RAS_FROM_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])


def grid_around(meshes: list[trimesh.Trimesh], linear: np.ndarray, margin_mm: float = 6.0
                ) -> tuple[np.ndarray, tuple[int, int, int]]:
    """A grid with voxel axes ``linear`` that covers the meshes with a margin.

    Parameters
    ----------
    meshes : list of trimesh.Trimesh
        LPS+ mm.
    linear : (3, 3) ndarray
        Columns: the LPS+ mm step of one voxel along i, j and k.
    margin_mm : float, default: 6.0
        Empty border, in voxel steps.

    Returns
    -------
    lps_from_voxel : (4, 4) ndarray
    shape : tuple of 3 int
    """
    points = np.vstack([m.vertices for m in meshes])
    ijk = points @ np.linalg.inv(linear).T
    low = np.floor(ijk.min(axis=0) - margin_mm)
    high = np.ceil(ijk.max(axis=0) + margin_mm)
    lps_from_voxel = np.eye(4)
    lps_from_voxel[:3, :3] = linear
    lps_from_voxel[:3, 3] = linear @ low
    return lps_from_voxel, tuple(int(n) for n in high - low + 1)


def label_map_from_meshes(meshes: Mapping[int, trimesh.Trimesh], lps_from_voxel: np.ndarray,
                          shape: tuple[int, int, int]) -> np.ndarray:
    """Label each voxel whose centre is inside a mesh.

    Parameters
    ----------
    meshes : mapping of int to trimesh.Trimesh
        Label value (1..255) → closed mesh, LPS+ mm; later meshes win where they overlap.
    lps_from_voxel : (4, 4) ndarray
        Voxel indices → LPS+ mm.
    shape : tuple of 3 int

    Returns
    -------
    (I, J, K) ndarray of uint8
    """
    labels = np.zeros(shape, dtype=np.uint8)
    reference = pv.ImageData(dimensions=shape, spacing=(1, 1, 1), origin=(0, 0, 0))
    voxel_from_lps = np.linalg.inv(lps_from_voxel)
    for value, mesh in meshes.items():
        in_voxels = pv.PolyData.from_regular_faces(trimesh.transform_points(mesh.vertices, voxel_from_lps),
                                                   np.asarray(mesh.faces))
        stencil = in_voxels.voxelize_binary_mask(reference_volume=reference)
        inside = np.asarray(stencil.point_data.active_scalars).reshape(shape, order="F").astype(bool)
        labels[inside] = value
    return labels


def nifti_from_labels(labels: np.ndarray, lps_from_voxel: np.ndarray, compress: bool = True) -> bytes:
    """Encode a label map as NIfTI-1 bytes (``.nii.gz`` when ``compress``), units mm.

    Parameters
    ----------
    labels : (I, J, K) ndarray of int
    lps_from_voxel : (4, 4) ndarray
    compress : bool, default: True

    Returns
    -------
    bytes
    """
    image = nib.Nifti1Image(labels, RAS_FROM_LPS @ lps_from_voxel)
    image.header.set_xyzt_units("mm")
    raw = image.to_bytes()
    return gzip.compress(raw, compresslevel=1, mtime=0) if compress else raw
