"""Bad scans: one plain sentence (UserError), nothing written to disk, nothing half-read."""

from __future__ import annotations

import gzip
import io
import tarfile

import nibabel as nib
import numpy as np
import pytest
import trimesh

from tests.scan.scan_fixtures import tar_bytes, zip_bytes
from viz.errors import UserError
from viz.scan.sources import DEFAULT_MAX_UPLOAD_BYTES, check_upload_size, read_scan_bytes
from viz.scan.voxelize import nifti_from_labels


def _box_ply(centre_z_mm: float, open_top: bool = False) -> bytes:
    box = trimesh.creation.box(extents=(45.0, 35.0, 25.0))
    box.apply_translation((0.0, 0.0, centre_z_mm))
    if open_top:
        box.update_faces(box.face_normals[:, 2] < 0.9)
    return box.export(file_type="ply")


def _rejects(filename: str, payload: bytes, match: str, **kwargs) -> str:
    with pytest.raises(UserError, match=match) as caught:
        read_scan_bytes(filename, payload, **kwargs)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_text_file_is_not_a_nifti(no_temp_files):
    _rejects("scan.nii.gz", b"patient notes, not an image", "not a NIfTI label map")
    _rejects("scan.nii.gz", b"\x1f\x8b" + b"not really gzip" * 20, "not a readable NIfTI")
    _rejects("scan.nii", b"patient notes, not an image" * 20, "not a NIfTI")
    assert list(no_temp_files.iterdir()) == []


def test_unknown_file_type_is_refused(no_temp_files):
    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    _rejects("photo.png", png, "not a NIfTI label map .* or an archive")
    assert list(no_temp_files.iterdir()) == []


@pytest.mark.parametrize("shape", [(64, 64), (16, 16, 16, 3)], ids=["2D slice", "4D series"])
def test_wrong_dimensions(shape, no_temp_files):
    payload = nifti_from_labels(np.ones(shape, dtype=np.uint8), np.eye(4))
    _rejects("scan.nii.gz", payload, r"one 3D label map, but its dimensions are")
    assert list(no_temp_files.iterdir()) == []


def test_too_many_voxels_refused_from_header_alone():
    header = nib.Nifti1Header()
    header.set_data_shape((4096, 4096, 4096))
    header.set_data_dtype(np.uint8)
    payload = header.binaryblock + b"\x00" * 4  # header only: the data were never sent
    _rejects("huge.nii", payload, "voxels; the limit is")


def test_gzip_bomb_refused_from_header_alone():
    header = nib.Nifti1Header()
    header.set_data_shape((640, 640, 400))  # 164 M voxels, 1.3 GB of float64 once unpacked
    header.set_data_dtype(np.float64)
    payload = gzip.compress(header.binaryblock + b"\x00" * 4 + bytes(2**20))
    _rejects("bomb.nii.gz", payload, "would unpack to more than 1024 MB")


def test_grey_values_are_not_labels():
    image = np.linspace(0.0, 1.0, 8 * 8 * 8, dtype=np.float32).reshape(8, 8, 8)
    _rejects("ct.nii.gz", nifti_from_labels(image, np.eye(4)), "non-whole numbers")


def test_truncated_file_is_reported():
    payload = nifti_from_labels(np.ones((32, 32, 32), dtype=np.uint8), np.eye(4), compress=False)
    _rejects("scan.nii", payload[: len(payload) // 2], "shorter than its header")


def test_no_spine_labels(no_temp_files):
    labels = np.zeros((40, 40, 60), dtype=np.uint8)
    labels[5:30, 5:30, 5:20] = 5   # liver in TotalSegmentator
    labels[5:30, 5:30, 30:50] = 6  # stomach
    _rejects("organs.nii.gz", nifti_from_labels(labels, np.eye(4)), "no spine labels we recognise")
    assert list(no_temp_files.iterdir()) == []


def test_lumbar_labels_in_the_wrong_order_are_not_a_spine():
    labels = np.zeros((20, 20, 80), dtype=np.uint8)
    labels[5:15, 5:15, 5:20] = 28   # "L4" below ...
    labels[5:15, 5:15, 40:60] = 27  # ... "L5": upside down, so not TotalSegmentator's lumbar spine
    _rejects("scan.nii.gz", nifti_from_labels(labels, np.eye(4)), "no spine labels")


def test_declared_size_refused_before_reading():
    with pytest.raises(UserError, match=r"2,048 MB; the upload limit is 300 MB"):
        check_upload_size(2 * 2**30)
    check_upload_size(DEFAULT_MAX_UPLOAD_BYTES)


def test_configurable_upload_limit(no_temp_files):
    payload = nifti_from_labels(np.zeros((64, 64, 64), dtype=np.uint8), np.eye(4), compress=False)
    _rejects("scan.nii", payload, "the upload limit is 0 MB", max_bytes=100_000)
    assert list(no_temp_files.iterdir()) == []


def test_mesh_with_a_hole(no_temp_files):
    payload = zip_bytes({"spine/L4.ply": _box_ply(30.0, open_top=True), "spine/L5.ply": _box_ply(0.0)})
    _rejects("spine.zip", payload, "L4.ply has holes")
    assert list(no_temp_files.iterdir()) == []


def test_mesh_in_metres_is_refused():
    small = trimesh.creation.box(extents=(0.045, 0.035, 0.025)).export(file_type="stl")
    payload = zip_bytes({"L4.stl": small, "L5.stl": small})
    _rejects("spine.zip", payload, "not the size of a vertebra in millimetres")


@pytest.mark.parametrize("member", ["../L4.ply", "/etc/L4.ply", "spine/../../L4.ply", "C:\\temp\\L4.ply"])
def test_zip_with_path_traversal(member, no_temp_files):
    payload = zip_bytes({member: _box_ply(30.0), "L5.ply": _box_ply(0.0)})
    _rejects("spine.zip", payload, "points outside its folder")
    assert list(no_temp_files.iterdir()) == []


def test_tar_with_path_traversal(no_temp_files):
    payload = tar_bytes({"../../L4.ply": _box_ply(30.0), "L5.ply": _box_ply(0.0)})
    _rejects("spine.tar.gz", payload, "points outside its folder")
    assert list(no_temp_files.iterdir()) == []


def test_tar_with_a_link(no_temp_files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        link = tarfile.TarInfo("L4.ply")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    _rejects("spine.tar", buffer.getvalue(), "a link or a special file")
    assert list(no_temp_files.iterdir()) == []


def test_archive_bomb_refused_from_declared_sizes():
    payload = zip_bytes({"L4.ply": b"\x00" * 3_000_000, "L5.ply": _box_ply(0.0)})
    assert len(payload) < 100_000
    _rejects("spine.zip", payload, "unpacks to more than 1 MB", max_bytes=2**20)


def test_single_bone_is_not_enough():
    _rejects("spine.zip", zip_bytes({"L4.ply": _box_ply(0.0)}), "no two neighbouring lumbar bones")
