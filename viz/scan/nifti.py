"""Read a NIfTI label map from bytes, checked before it is unpacked.

The image's affine maps voxel indices to the scanner's RAS+ world (+x right,
+y anterior, +z superior; nibabel's convention, ``doc/source/coordinate_systems.rst``).
It is converted here, once, to this project's LPS+ frame in millimetres
(+x patient's left, +y posterior, +z superior): ``x_LPS = -x_RAS``,
``y_LPS = -y_RAS``, ``z_LPS = z_RAS``, scaled by the header's spatial unit.
Everything downstream works in LPS+ mm and never flips an axis again.

The header is read first (from the first few hundred bytes, unpacking only those
for ``.nii.gz``), so a file whose shape, voxel count or data type cannot be a
label map is rejected before its data are decompressed. Nothing is written to
disk.
"""

from __future__ import annotations

import functools
import gzip
import io
import zlib
from dataclasses import dataclass

import nibabel as nib
import numpy as np
from scipy import ndimage

from viz.errors import UserError

MAX_VOXELS = 200_000_000
"""Largest label map accepted, voxels (≈2.5× a 512×512×300 CT; keeps memory under 4 GB)."""

MAX_DATA_BYTES = 2**30
"""Largest uncompressed voxel data accepted, bytes (1 GiB: a 512×512×300 map even as float64)."""

VOXEL_SIZE_RANGE_MM = (0.05, 10.0)
"""Plausible voxel edge lengths of a spine CT or MRI, mm."""

_HEADER_BYTES = 540 + 4  # NIfTI-2 header size plus the extension flag; NIfTI-1 needs 348 + 4
_GZIP_MAGIC = b"\x1f\x8b"
_MM_PER_UNIT = {"mm": 1.0, "meter": 1000.0, "micron": 0.001, "unknown": 1.0}
"""Spatial units of the NIfTI header (``xyzt_units``); 'unknown' is mm by the NIfTI-1 standard."""

_RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])


@dataclass(frozen=True)
class LabelVolume:
    """A 3D label map placed in the patient frame.

    Parameters
    ----------
    labels : (I, J, K) ndarray of uint8 or uint16
        Label value per voxel; 0 is background.
    lps_from_voxel : (4, 4) ndarray of float64
        Homogeneous transform from voxel indices (i, j, k) to LPS+ millimetres.
    """

    labels: np.ndarray
    lps_from_voxel: np.ndarray

    @functools.cached_property
    def boxes(self) -> dict[int, tuple[slice, slice, slice]]:
        """Bounding box (index slices) of every non-zero label value present (one pass, ≈3 s at 512²×300)."""
        return {index + 1: box for index, box in enumerate(ndimage.find_objects(self.labels)) if box is not None}


def is_nifti(payload: bytes) -> bool:
    """Tell whether bytes start like a NIfTI-1 or NIfTI-2 file (plain or gzip)."""
    return payload[:2] == _GZIP_MAGIC or _header_class(payload[:4]) is not None


def _header_class(first4: bytes) -> type[nib.Nifti1Header] | None:
    for header_class, size in ((nib.Nifti1Header, 348), (nib.Nifti2Header, 540)):
        if size.to_bytes(4, "little") == first4 or size.to_bytes(4, "big") == first4:
            return header_class
    return None


def _head_bytes(payload: bytes) -> bytes:
    """The first bytes of the uncompressed file, unpacking no more than the header."""
    if payload[:2] != _GZIP_MAGIC:
        return payload[:_HEADER_BYTES]
    try:
        return zlib.decompressobj(wbits=31).decompress(payload, _HEADER_BYTES)
    except zlib.error:
        raise UserError("The file is not a readable NIfTI label map (.nii or .nii.gz).") from None


def _checked_header(payload: bytes) -> nib.Nifti1Header:
    head = _head_bytes(payload)
    header_class = _header_class(head[:4])
    if header_class is None:
        raise UserError("The file is not a NIfTI label map (.nii or .nii.gz).")
    try:
        header = header_class.from_fileobj(io.BytesIO(head), check=True)
    except (ValueError, EOFError, nib.spatialimages.HeaderDataError):
        raise UserError("The file is not a readable NIfTI label map (.nii or .nii.gz).") from None
    shape = tuple(int(n) for n in header.get_data_shape())
    if len(shape) < 3 or any(n < 2 for n in shape[:3]) or any(n != 1 for n in shape[3:]):
        raise UserError(f"The scan must be one 3D label map, but its dimensions are {shape}.")
    if int(np.prod(shape, dtype=np.int64)) > MAX_VOXELS:
        raise UserError(f"The label map has {int(np.prod(shape)):,} voxels; the limit is {MAX_VOXELS:,}.")
    if not np.issubdtype(header.get_data_dtype(), np.number):
        raise UserError("The scan holds no numeric labels, so it is not a label map.")
    if int(np.prod(shape, dtype=np.int64)) * header.get_data_dtype().itemsize > MAX_DATA_BYTES:
        raise UserError(f"The label map would unpack to more than {MAX_DATA_BYTES // 2**20} MB; "
                        "save it with whole-number labels (8 or 16 bit).")
    return header


def _image(payload: bytes, header: nib.Nifti1Header) -> nib.Nifti1Image:
    expected_bytes = int(header.get_data_offset()) + int(
        np.prod(header.get_data_shape(), dtype=np.int64)) * header.get_data_dtype().itemsize
    if payload[:2] == _GZIP_MAGIC:
        unpacker = zlib.decompressobj(wbits=31)
        try:
            payload = unpacker.decompress(payload, expected_bytes)
        except zlib.error:
            raise UserError("The .nii.gz file is damaged and cannot be unpacked.") from None
    if len(payload) < expected_bytes:
        raise UserError("The NIfTI file is shorter than its header says; it may be cut off.")
    image_class = nib.Nifti2Image if isinstance(header, nib.Nifti2Header) else nib.Nifti1Image
    return image_class.from_bytes(payload[:expected_bytes])


def _labels(image: nib.Nifti1Image) -> np.ndarray:
    data = np.asanyarray(image.dataobj)
    data = data.reshape(data.shape[:3])
    if not np.issubdtype(data.dtype, np.integer):
        if not np.all(np.isfinite(data)) or not np.array_equal(data, np.round(data)):
            raise UserError("The scan holds non-whole numbers, so it is an image, not a label map.")
    top = data.max()
    if data.min() < 0 or top > np.iinfo(np.uint16).max:
        raise UserError("The label values must be whole numbers from 0 to 65535.")
    return data.astype(np.uint8 if top <= np.iinfo(np.uint8).max else np.uint16, copy=False)


def _lps_from_voxel(image: nib.Nifti1Image) -> np.ndarray:
    ras_from_voxel = np.asarray(image.affine, dtype=np.float64)
    spatial_unit = image.header.get_xyzt_units()[0]
    lps_from_voxel = _RAS_TO_LPS @ np.diag([_MM_PER_UNIT[spatial_unit]] * 3 + [1.0]) @ ras_from_voxel
    voxel_mm = np.linalg.norm(lps_from_voxel[:3, :3], axis=0)
    low, high = VOXEL_SIZE_RANGE_MM
    if not np.all(np.isfinite(lps_from_voxel)) or abs(np.linalg.det(lps_from_voxel[:3, :3])) < 1e-9:
        raise UserError("The scan's position in space (its affine) is missing or broken.")
    if np.any(voxel_mm < low) or np.any(voxel_mm > high):
        raise UserError(f"The voxel size {np.round(voxel_mm, 3).tolist()} mm is not that of a spine scan.")
    return lps_from_voxel


def read_label_map(payload: bytes) -> LabelVolume:
    """Parse a NIfTI-1/2 label map (``.nii`` or ``.nii.gz`` bytes) into LPS+ mm.

    Parameters
    ----------
    payload : bytes
        The whole file, plain or gzip-compressed.

    Returns
    -------
    LabelVolume
        Labels as uint8/uint16 and the voxel → LPS+ mm transform.

    Raises
    ------
    UserError
        Not a NIfTI file, not 3D, too many voxels (:data:`MAX_VOXELS`), not whole
        numbers, an unusable affine, or damaged/truncated data.
    """
    header = _checked_header(payload)
    try:
        image = _image(payload, header)
        labels = _labels(image)
    except (ValueError, EOFError, gzip.BadGzipFile, nib.filebasedimages.ImageFileError):
        raise UserError("The NIfTI file is damaged and cannot be read.") from None
    return LabelVolume(labels=labels, lps_from_voxel=_lps_from_voxel(image))
