"""Turn an uploaded or local scan into named patient surfaces.

Accepted inputs (``docs/INTERFACE.md``, ``import SCAN``): a NIfTI label map
(``.nii``, ``.nii.gz``), a folder of per-structure meshes (STL, PLY, OBJ), or
a zip/tar archive of either. Everything is read into memory; nothing is
written to disk and nothing is logged. Surfaces are in LPS+ millimetres
(+x patient's left, +y posterior, +z superior).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Mapping

import trimesh

from viz.errors import UserError
from viz.scan.archive import ARCHIVE_SUFFIXES, is_archive, read_archive
from viz.scan.labels import BONES, SOFT_STRUCTURES, load_label_table, match_convention
from viz.scan.mesh_folder import MESH_SUFFIXES, read_mesh_files
from viz.scan.nifti import is_nifti, read_label_map
from viz.scan.surface import label_centres_mm, surfaces_from_labels

DEFAULT_MAX_UPLOAD_BYTES = 300 * 2**20
"""Upload size limit, bytes (300 MB; issue 9). Configurable per call."""

NIFTI_SUFFIXES = (".nii", ".nii.gz")

DEFAULT_TRIANGLES = 12_000
"""Triangle budget of a structure the template has no counterpart for."""


@dataclass(frozen=True)
class ScanStructures:
    """What a scan contributed, before fitting.

    Parameters
    ----------
    meshes : dict of str to trimesh.Trimesh
        Structure name (``"L4"``, ``"sacrum"``, ``"dural_sac"``, ``"L4-L5"``) → closed
        surface, LPS+ mm.
    kind : {"nifti", "meshes"}
        The input type.
    convention : str or None
        The label convention matched (NIfTI only), e.g. ``"totalsegmentator"``.
    """

    meshes: dict[str, trimesh.Trimesh]
    kind: str
    convention: str | None = None


def check_upload_size(size_bytes: int, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> None:
    """Refuse an upload from its declared size, before it is read.

    Parameters
    ----------
    size_bytes : int
        Declared or actual size, bytes.
    max_bytes : int, default: :data:`DEFAULT_MAX_UPLOAD_BYTES`

    Raises
    ------
    UserError
        If ``size_bytes`` exceeds ``max_bytes``.
    """
    if size_bytes > max_bytes:
        raise UserError(f"The file is {size_bytes / 2**20:,.0f} MB; the upload limit is "
                        f"{max_bytes / 2**20:,.0f} MB.")


def _has_suffix(filename: str, suffixes: tuple[str, ...]) -> bool:
    return filename.lower().endswith(suffixes)


def _from_nifti(payload: bytes, target_triangles: Mapping[str, int],
                label_table: str | os.PathLike | None) -> ScanStructures:
    volume = read_label_map(payload)
    centres = label_centres_mm(volume)
    convention, present = match_convention({value: float(c[2]) for value, c in centres.items()},
                                           load_label_table(label_table))
    budgets = {name: target_triangles.get(name, DEFAULT_TRIANGLES) for name in present}
    return ScanStructures(meshes=surfaces_from_labels(volume, present, budgets), kind="nifti",
                          convention=convention.name)


def _from_files(files: Mapping[str, bytes], target_triangles: Mapping[str, int],
                label_table: str | os.PathLike | None) -> ScanStructures:
    niftis = [name for name in files if _has_suffix(name, NIFTI_SUFFIXES)]
    meshes = [name for name in files if _has_suffix(name, MESH_SUFFIXES)]
    if len(niftis) == 1 and not meshes:
        return _from_nifti(files[niftis[0]], target_triangles, label_table)
    if niftis:
        raise UserError("Give one NIfTI label map or one folder of meshes, not both or several.")
    budgets = {name: target_triangles.get(name, DEFAULT_TRIANGLES) for name in BONES + SOFT_STRUCTURES}
    return ScanStructures(meshes=read_mesh_files(files, budgets), kind="meshes")


def read_scan_bytes(filename: str, payload: bytes, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
                    target_triangles: Mapping[str, int] | None = None,
                    label_table: str | os.PathLike | None = None) -> ScanStructures:
    """Read an uploaded file: a NIfTI label map, or an archive of a mesh folder.

    Parameters
    ----------
    filename : str
        The name the user gave (only its suffix is used, to choose the reader).
    payload : bytes
        The file's content.
    max_bytes : int, default: :data:`DEFAULT_MAX_UPLOAD_BYTES`
        Upload limit; also caps an archive's unpacked size.
    target_triangles : mapping of str to int, optional
        Triangle budget per structure for label-map surfaces (default
        :data:`DEFAULT_TRIANGLES` each).
    label_table : path, optional
        A label table overriding ``viz/scan/labels.json``.

    Returns
    -------
    ScanStructures

    Raises
    ------
    UserError
        Too large, not a NIfTI file or archive, or any problem of its content.
    """
    check_upload_size(len(payload), max_bytes)
    budgets = dict(target_triangles or {})
    name = PurePosixPath(filename.replace("\\", "/")).name
    if _has_suffix(name, NIFTI_SUFFIXES) or (not _has_suffix(name, ARCHIVE_SUFFIXES) and is_nifti(payload)):
        return _from_nifti(payload, budgets, label_table)
    if _has_suffix(name, ARCHIVE_SUFFIXES) or is_archive(payload):
        return _from_files(read_archive(payload, max_bytes), budgets, label_table)
    raise UserError("The file is not a NIfTI label map (.nii, .nii.gz) or an archive of meshes (.zip, .tar.gz).")


def read_scan_path(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
                   target_triangles: Mapping[str, int] | None = None,
                   label_table: str | os.PathLike | None = None) -> ScanStructures:
    """Read a scan on disk: a NIfTI file, an archive, or a folder of meshes.

    Parameters
    ----------
    path : str or path-like
    max_bytes, target_triangles, label_table
        As in :func:`read_scan_bytes`; a folder's mesh files together must fit ``max_bytes``.

    Returns
    -------
    ScanStructures
    """
    source = Path(path).expanduser()
    if source.is_dir():
        files = sorted(p for p in source.iterdir() if p.is_file() and _has_suffix(p.name, MESH_SUFFIXES + NIFTI_SUFFIXES))
        check_upload_size(sum(p.stat().st_size for p in files), max_bytes)
        return _from_files({p.name: p.read_bytes() for p in files}, dict(target_triangles or {}),
                           label_table)
    if not source.is_file():
        raise UserError(f"The scan {str(source)!r} does not exist.")
    check_upload_size(source.stat().st_size, max_bytes)
    try:
        payload = source.read_bytes()
    except OSError:
        raise UserError(f"The scan {str(source)!r} cannot be read.") from None
    return read_scan_bytes(source.name, payload, max_bytes, target_triangles, label_table)
