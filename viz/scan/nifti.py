"""Read a NIfTI-1/2 label map from bytes, checked before its voxels are unpacked.

The image's affine maps voxel indices to the scanner's RAS+ world (+x right,
+y anterior, +z superior; nibabel's convention, ``doc/source/coordinate_systems.rst``).
It is converted here, once, to this project's LPS+ frame in millimetres
(+x patient's left, +y posterior, +z superior): ``x_LPS = -x_RAS``,
``y_LPS = -y_RAS``, ``z_LPS = z_RAS``, scaled by the header's spatial unit.
Everything downstream works in LPS+ mm and never flips an axis again.

Checked before any voxel is unpacked (for ``.nii.gz``, only the header and its
extensions are decompressed first): the header size and magic (NIfTI-1 348 or
NIfTI-2 540 bytes, either byte order), the dimensions (one 3D volume, every side
at least 2), the voxel count (:data:`MAX_VOXELS`), a numeric data type, the
unpacked data size (:data:`MAX_DATA_BYTES`) and the data offset ``vox_offset``
(after the header and at most :data:`MAX_EXTENSION_BYTES` of header
extensions). Then exactly ``vox_offset`` plus the data size are decompressed,
never more, so a gzip bomb stops there. Header extensions (a CIFTI/Caret XML
label table as TotalSegmentator writes it, or any other) are allowed; a label
table found in them is kept (:mod:`viz.scan.label_tables`). Nothing is written
to disk.
"""

from __future__ import annotations

import functools
import zlib
from dataclasses import dataclass, field

import nibabel as nib
import numpy as np
from scipy import ndimage

from viz.errors import UserError
from viz.scan.label_tables import table_from_bytes

MAX_VOXELS = 200_000_000
"""Largest label map accepted, voxels (≈2.5× a 512×512×300 CT; keeps memory under 4 GB)."""

MAX_DATA_BYTES = 2**30
"""Largest uncompressed voxel data accepted, bytes (1 GiB: a 512×512×300 map even as float64)."""

MAX_EXTENSION_BYTES = 16 * 2**20
"""Largest total size of the header extensions, bytes (TotalSegmentator's label table is ≈13 kB)."""

VOXEL_SIZE_RANGE_MM = (0.05, 10.0)
"""Plausible voxel edge lengths of a spine CT or MRI, mm."""

_HEADER_SIZES = {348: nib.Nifti1Header, 540: nib.Nifti2Header}
_GZIP_MAGIC = b"\x1f\x8b"
_MM_PER_UNIT = {"mm": 1.0, "meter": 1000.0, "micron": 0.001, "unknown": 1.0}
"""Spatial units of the NIfTI header (``xyzt_units``); 'unknown' is mm by the NIfTI-1 standard."""

_RAS_TO_LPS = np.diag([-1.0, -1.0, 1.0, 1.0])
_NOT_NIFTI = "The file is not a NIfTI label map (.nii or .nii.gz)."
_UNREADABLE = "The file is not a readable NIfTI label map (.nii or .nii.gz)."


@dataclass(frozen=True)
class LabelVolume:
    """A 3D label map placed in the patient frame.

    Parameters
    ----------
    labels : (I, J, K) ndarray of uint8 or uint16
        Label value per voxel; 0 is background.
    lps_from_voxel : (4, 4) ndarray of float64
        Homogeneous transform from voxel indices (i, j, k) to LPS+ millimetres.
    table : dict of int to str
        The file's own label table (value → name), empty when it carries none.
    """

    labels: np.ndarray
    lps_from_voxel: np.ndarray
    table: dict[int, str] = field(default_factory=dict)

    @functools.cached_property
    def boxes(self) -> dict[int, tuple[slice, slice, slice]]:
        """Bounding box (index slices) of every non-zero label value present (one pass, ≈3 s at 512²×300)."""
        return {index + 1: box for index, box in enumerate(ndimage.find_objects(self.labels)) if box is not None}

    @property
    def voxel_mm(self) -> np.ndarray:
        """Voxel edge lengths along i, j, k, mm."""
        return np.linalg.norm(self.lps_from_voxel[:3, :3], axis=0)


def is_nifti(payload: bytes) -> bool:
    """Tell whether bytes start like a NIfTI-1 or NIfTI-2 file (plain or gzip)."""
    return payload[:2] == _GZIP_MAGIC or _header_class(payload[:4]) is not None


def _header_class(first4: bytes) -> type[nib.Nifti1Header] | None:
    for size, header_class in _HEADER_SIZES.items():
        if size.to_bytes(4, "little") == first4 or size.to_bytes(4, "big") == first4:
            return header_class
    return None


def _unpacked(payload: bytes, length: int) -> bytes:
    """The first ``length`` bytes of the file, decompressing no more (gzip members in turn)."""
    if payload[:2] != _GZIP_MAGIC:
        return payload[:length]
    pieces, size, rest = [], 0, payload
    while size < length and rest[:2] == _GZIP_MAGIC:
        unpacker = zlib.decompressobj(wbits=31)
        piece = unpacker.decompress(rest, length - size)
        pieces.append(piece)
        size += len(piece)
        if not unpacker.eof:
            break
        rest = unpacker.unused_data
    return b"".join(pieces)


def _header_and_offset(payload: bytes) -> tuple[nib.Nifti1Header, int, bytes]:
    """The checked fixed header, the data offset and the raw extension bytes."""
    try:
        first = _unpacked(payload, 4)
        header_class = _header_class(first)
        if header_class is None:
            raise UserError(_NOT_NIFTI)
        size = header_class.template_dtype.itemsize
        head = _unpacked(payload, size + 4)
        if len(head) < size:
            raise UserError(_UNREADABLE)
        header = header_class(head[:size], check=True)
    except (zlib.error, ValueError, nib.spatialimages.HeaderDataError):
        raise UserError(_UNREADABLE) from None
    if header["magic"].item() not in (b"n+1", b"n+2"):
        raise UserError("The file is a NIfTI header without its voxels (a .hdr/.img pair); "
                        "save the label map as one .nii or .nii.gz file.")
    _check_shape(header)
    has_extensions = len(head) == size + 4 and head[size:size + 1] != b"\x00"
    offset = int(header["vox_offset"])
    if offset == 0 and not has_extensions:
        offset = size + 4
    if offset < size + 4 and not (offset == 0 and has_extensions):
        raise UserError("The NIfTI header points to its voxels inside the header itself, so the file is damaged.")
    if offset > size + 4 + MAX_EXTENSION_BYTES:
        raise UserError(f"The NIfTI header extensions take more than {MAX_EXTENSION_BYTES // 2**20} MB, "
                        "which a label map does not need.")
    extensions = b""
    if has_extensions:
        end = offset if offset else size + 4 + MAX_EXTENSION_BYTES
        extensions, offset = _extension_chain(_unpacked(payload, end)[size + 4:], header.endianness, size + 4, offset)
    return header, offset, extensions


def _extension_chain(raw: bytes, endianness: str, start: int, offset: int) -> tuple[bytes, int]:
    """Walk the extensions (``esize``, ``ecode``, content); return their bytes and the data offset.

    With ``vox_offset`` set the data start there; a ``vox_offset`` of 0 (left unset by
    some writers) means right after the last extension.
    """
    dtype = np.dtype(np.int32).newbyteorder(endianness)
    position = 0
    while position + 8 <= len(raw) and (not offset or start + position + 8 <= offset):
        esize = int(np.frombuffer(raw[position:position + 4], dtype)[0])
        if esize < 16 or position + esize > len(raw):
            break
        position += esize
    if not offset:
        offset = start + position
    return raw[:position], offset


def _check_shape(header: nib.Nifti1Header) -> None:
    shape = tuple(int(n) for n in header.get_data_shape())
    if len(shape) < 3 or any(n < 2 for n in shape[:3]) or any(n != 1 for n in shape[3:]):
        raise UserError(f"The scan must be one 3D label map, but its dimensions are {shape}.")
    voxels = int(np.prod(shape, dtype=np.int64))
    if voxels > MAX_VOXELS:
        raise UserError(f"The label map has {voxels:,} voxels; the limit is {MAX_VOXELS:,}.")
    if not np.issubdtype(header.get_data_dtype(), np.number):
        raise UserError("The scan holds no numeric labels, so it is not a label map.")
    if voxels * header.get_data_dtype().itemsize > MAX_DATA_BYTES:
        raise UserError(f"The label map would unpack to more than {MAX_DATA_BYTES // 2**20} MB; "
                        "save it with whole-number labels (8 or 16 bit).")


def _table(extensions: bytes, endianness: str) -> dict[int, str]:
    """The first label table found among the header extensions (empty if none)."""
    dtype = np.dtype(np.int32).newbyteorder(endianness)
    position = 0
    while position + 8 <= len(extensions):
        esize = int(np.frombuffer(extensions[position:position + 4], dtype)[0])
        table = table_from_bytes(extensions[position + 8:position + esize])
        if table:
            return table
        position += esize
    return {}


def _labels(raw: bytes, offset: int, header: nib.Nifti1Header) -> np.ndarray:
    shape = tuple(int(n) for n in header.get_data_shape())[:3]
    data = np.frombuffer(raw, dtype=header.get_data_dtype(), count=int(np.prod(shape)), offset=offset)
    data = data.reshape(shape, order="F")
    slope, intercept = header.get_slope_inter()
    if slope is not None and (slope, intercept or 0.0) != (1.0, 0.0):
        data = data * slope + (intercept or 0.0)
    if not np.issubdtype(data.dtype, np.integer):
        if not np.all(np.isfinite(data)) or not np.array_equal(data, np.round(data)):
            raise UserError("The scan holds non-whole numbers, so it is an image, not a label map.")
    top = data.max()
    if data.min() < 0 or top > np.iinfo(np.uint16).max:
        raise UserError("The label values must be whole numbers from 0 to 65535.")
    return data.astype(np.uint8 if top <= np.iinfo(np.uint8).max else np.uint16, copy=False)


def _lps_from_voxel(header: nib.Nifti1Header) -> np.ndarray:
    ras_from_voxel = np.asarray(header.get_best_affine(), dtype=np.float64)
    spatial_unit = header.get_xyzt_units()[0]
    lps_from_voxel = _RAS_TO_LPS @ np.diag([_MM_PER_UNIT.get(spatial_unit, 1.0)] * 3 + [1.0]) @ ras_from_voxel
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
        The whole file, plain or gzip-compressed, with or without header extensions.

    Returns
    -------
    LabelVolume
        Labels as uint8/uint16, the voxel → LPS+ mm transform, and the label table
        of the header extensions (if any).

    Raises
    ------
    UserError
        Not a NIfTI file, not 3D, too many voxels (:data:`MAX_VOXELS`), too large once
        unpacked, not whole numbers, an unusable affine, or damaged/truncated data.
    """
    header, offset, extensions = _header_and_offset(payload)
    data_bytes = int(np.prod(header.get_data_shape(), dtype=np.int64)) * header.get_data_dtype().itemsize
    try:
        raw = _unpacked(payload, offset + data_bytes)
    except zlib.error:
        raise UserError("The .nii.gz file is damaged and cannot be unpacked.") from None
    if len(raw) < offset + data_bytes:
        raise UserError("The NIfTI file is shorter than its header says; it may be cut off.")
    labels = _labels(raw, offset, header)
    return LabelVolume(labels=labels, lps_from_voxel=_lps_from_voxel(header),
                       table=_table(extensions, header.endianness))
