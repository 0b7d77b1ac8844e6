"""Helpers of the scan-import tests: archives in memory, template meshes, rotations."""

from __future__ import annotations

import io
import tarfile
import zipfile

import numpy as np
import trimesh
from scipy.spatial.transform import Rotation

TOTALSEGMENTATOR = {"L1": 31, "L2": 30, "L3": 29, "L4": 28, "L5": 27, "sacrum": 25, "dural_sac": 79}
"""Label values of TotalSegmentator v2 (viz/scan/labels.json)."""


def rotation(angles_deg: tuple[float, float, float]) -> np.ndarray:
    """Rotation matrix from x-y-z Euler angles in degrees."""
    return Rotation.from_euler("xyz", angles_deg, degrees=True).as_matrix()


def stenosis_mesh(anatomy, name: str) -> trimesh.Trimesh:
    """A template part in the stenosis state as a mesh (LPS+ mm)."""
    part = anatomy.parts[name]
    return trimesh.Trimesh(np.asarray(part.positions_mm["stenosis"], dtype=np.float64),
                           np.asarray(part.faces), process=False)


def upload_from(anatomy, labels: dict[str, int]):
    """``anatomy_from_upload`` of a NIfTI label map voxelized at 1 mm from ``anatomy``'s stenosis meshes."""
    from viz.scan.upload import anatomy_from_upload
    from viz.scan.voxelize import grid_around, label_map_from_meshes, nifti_from_labels

    meshes = {value: stenosis_mesh(anatomy, name) for name, value in labels.items()}
    lps_from_voxel, shape = grid_around(list(meshes.values()), np.eye(3))
    payload = nifti_from_labels(label_map_from_meshes(meshes, lps_from_voxel, shape), lps_from_voxel)
    return anatomy_from_upload("scan.nii.gz", payload)


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip archive of named files, in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, payload in files.items():
            archive.writestr(name, payload)
    return buffer.getvalue()


def tar_bytes(files: dict[str, bytes]) -> bytes:
    """A tar.gz archive of named files, in memory."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, payload in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))
    return buffer.getvalue()
