"""Turn an uploaded or local scan into named patient surfaces and the label map behind them.

Accepted inputs (``docs/INTERFACE.md``, ``import SCAN``), as the tools write them:

- a NIfTI-1/2 label map (``.nii``, ``.nii.gz``), with or without header
  extensions; its label table (in the file, or a JSON/CSV sidecar next to it)
  names the labels, else a known tool's numbering is matched (:mod:`viz.scan.labels`);
- a folder of one binary NIfTI mask per structure (TotalSegmentator's default
  output, :mod:`viz.scan.masks`);
- a folder of per-structure meshes (STL, PLY, OBJ; :mod:`viz.scan.mesh_folder`);
- a zip/tar archive of any of these (:mod:`viz.scan.archive`).

Everything is read into memory; nothing is written to disk and nothing is
logged. Surfaces and the label map are in LPS+ millimetres (+x patient's left,
+y posterior, +z superior). A mesh folder is turned into a label map on a
:data:`MESH_GRID_MM` grid, so that the rest of the import (measurements, the
bone the soft tissue keeps out of) has one input.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Mapping

import numpy as np
import trimesh

from viz.errors import UserError
from viz.scan.archive import ARCHIVE_SUFFIXES, is_archive, read_archive
from viz.scan.label_tables import (BONES, MAX_TABLE_BYTES, SOFT_STRUCTURES, structures_in,
                                   table_from_bytes)
from viz.scan.labels import Convention, load_label_table, match_convention, structures_from_table
from viz.scan.masks import NIFTI_SUFFIXES, is_structure_mask, label_volume_from_masks, nifti_stem
from viz.scan.mesh_folder import MESH_SUFFIXES, read_mesh_files
from viz.scan.nifti import LabelVolume, is_nifti, read_label_map
from viz.scan.surface import label_centres_mm, surfaces_from_labels, touches_edge
from viz.scan.voxelize import grid_around, label_map_from_meshes

DEFAULT_MAX_UPLOAD_BYTES = 300 * 2**20
"""Upload size limit, bytes (300 MB; issue 9). Configurable per call."""

DEFAULT_TRIANGLES = 12_000
"""Triangle budget of a structure the template has no counterpart for."""

TABLE_SUFFIXES = (".json", ".csv", ".tsv", ".txt", ".ctbl")
"""Sidecar label tables read next to a label map."""

MESH_GRID_MM = 0.8
"""Grid step of the label map made from a mesh folder, mm."""

MIN_BONE_MM3 = 8000.0
"""A lumbar bone label smaller than this (a sliver at the scan's edge; a whole lumbar
vertebra is ≈40–70 cm³) is left out rather than shown as a bone."""


@dataclass(frozen=True)
class ScanStructures:
    """What a scan contributed, before fitting.

    Parameters
    ----------
    meshes : dict of str to trimesh.Trimesh
        Structure name (``"L4"``, ``"sacrum"``, ``"dural_sac"``, ``"L4-L5"``) → closed
        surface, LPS+ mm: the patient's own.
    kind : {"nifti", "masks", "meshes"}
        The input type.
    convention : str or None
        How the labels were named: ``"file"`` (a label table in the file), ``"sidecar"``
        (a table beside it), ``"user"`` (a table the user gave), ``"masks"`` (mask file
        names), a known tool's numbering (``"totalsegmentator"``, ``"verse"``, …), or None
        for meshes (named by file).
    volume : LabelVolume or None
        The label map the surfaces come from (voxelized meshes for a mesh folder).
    label_of : dict of str to tuple of int
        Structure (including ``"other_bone"``) → its values in ``volume``.
    cut : tuple of str
        Structures that reach the edge of the scan (cut off by its field of view).
    left_out : tuple of str
        Lumbar bones present only as a sliver (:data:`MIN_BONE_MM3`), and labels that
        could not be turned into a closed surface: not used (a soft structure is then
        built on the patient's bones instead).
    """

    meshes: dict[str, trimesh.Trimesh]
    kind: str
    convention: str | None = None
    volume: LabelVolume | None = None
    label_of: dict[str, tuple[int, ...]] | None = None
    cut: tuple[str, ...] = ()
    left_out: tuple[str, ...] = ()


def check_upload_size(size_bytes: int, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES) -> None:
    """Refuse an upload from its declared size, before it is read.

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


def user_label_table(path: str | os.PathLike | None) -> tuple[Convention, ...] | dict[int, str] | None:
    """A label table given by the user: a conventions file (``labels.json`` shape) or a plain table.

    Returns
    -------
    tuple of Convention, dict of int to str, or None
        None without a path.

    Raises
    ------
    UserError
        A file that is neither.
    """
    if path is None:
        return None
    table_path = Path(path)
    try:
        content = table_path.read_bytes()[: MAX_TABLE_BYTES + 1]
    except OSError:
        raise UserError(f"The label table {table_path.name} cannot be read.") from None
    if b'"conventions"' in content:
        return load_label_table(table_path)
    table = table_from_bytes(content)
    if not structures_in(table):
        raise UserError(f"The label table {table_path.name} names no spine structure we know "
                        "(such as vertebrae_L4 or L4).")
    return table


def _name_labels(volume: LabelVolume, override) -> tuple[dict[str, tuple[int, ...]], str]:
    heights = {value: float(centre[2]) for value, centre in label_centres_mm(volume).items()}
    if isinstance(override, tuple):
        convention, present = match_convention(heights, override)
        return present, convention.name
    if isinstance(override, dict):
        return structures_from_table(override, heights), "user"
    if volume.table:
        return structures_from_table(volume.table, heights), "file"
    convention, present = match_convention(heights, load_label_table())
    return present, convention.name


def _from_volume(volume: LabelVolume, kind: str, target_triangles: Mapping[str, int], override,
                 naming: str | None = None) -> ScanStructures:
    label_of, convention = _name_labels(volume, override)
    voxel_mm3 = float(abs(np.linalg.det(volume.lps_from_voxel[:3, :3])))
    left_out = tuple(name for name in BONES if name in label_of and
                     sum(int((volume.labels[volume.boxes[v]] == v).sum()) for v in label_of[name]) * voxel_mm3
                     < MIN_BONE_MM3)
    label_of = {name: values for name, values in label_of.items() if name not in left_out}
    if not any(upper in label_of and lower in label_of for upper, lower in zip(BONES, BONES[1:])):
        raise UserError("The scan shows no two whole neighbouring lumbar bones (such as L4 and L5); "
                        "the ones at its edge are cut off.")
    meshes = {}
    for name in (name for name in BONES + SOFT_STRUCTURES if name in label_of):
        budget = {name: target_triangles.get(name, DEFAULT_TRIANGLES)}
        try:
            meshes.update(surfaces_from_labels(volume, {name: label_of[name]}, budget))
        except UserError:
            left_out += (name,)
    if not any(upper in meshes and lower in meshes for upper, lower in zip(BONES, BONES[1:])):
        raise UserError("The scan's bones could not be turned into closed surfaces.")
    cut = tuple(name for name in meshes if touches_edge(volume, label_of[name]))
    return ScanStructures(meshes=meshes, kind=kind, convention=naming or convention, volume=volume,
                          label_of=label_of, cut=cut, left_out=left_out)


def _sidecar_table(files: Mapping[str, bytes], label_map: str) -> dict[int, str]:
    """A label table next to the label map (same folder; a file with the same stem preferred)."""
    folder = PurePosixPath(label_map.replace("\\", "/")).parent
    stem = nifti_stem(label_map)
    candidates = sorted((PurePosixPath(name).stem != stem, name) for name in files
                        if _has_suffix(name, TABLE_SUFFIXES) and PurePosixPath(name.replace("\\", "/")).parent == folder)
    for _, name in candidates:
        table = table_from_bytes(files[name])
        if structures_in(table):
            return table
    return {}


def _from_mesh_files(files: Mapping[str, bytes], target_triangles: Mapping[str, int]) -> ScanStructures:
    budgets = {name: target_triangles.get(name, DEFAULT_TRIANGLES) for name in BONES + SOFT_STRUCTURES}
    meshes = read_mesh_files(files, budgets)
    lps_from_voxel, shape = grid_around(list(meshes.values()), np.eye(3) * MESH_GRID_MM)
    values = {name: index + 1 for index, name in enumerate(meshes)}
    soft_first = sorted(meshes, key=lambda name: name in BONES)
    labels = label_map_from_meshes({values[name]: meshes[name] for name in soft_first}, lps_from_voxel, shape)
    volume = LabelVolume(labels=labels, lps_from_voxel=lps_from_voxel, table={v: n for n, v in values.items()})
    return ScanStructures(meshes=meshes, kind="meshes", volume=volume,
                          label_of={name: (value,) for name, value in values.items()})


def _folder(name: str) -> PurePosixPath:
    return PurePosixPath(name.replace("\\", "/")).parent


def _mask_folders(niftis: list[str]) -> dict[PurePosixPath, list[str]]:
    """Folders holding masks named after spine structures → those masks."""
    folders: dict[PurePosixPath, list[str]] = {}
    for name in niftis:
        if is_structure_mask(name):
            folders.setdefault(_folder(name), []).append(name)
    return folders


def _from_files(files: Mapping[str, bytes], target_triangles: Mapping[str, int], override) -> ScanStructures:
    """Choose the reader for a folder's or an archive's files.

    A NIfTI file in a folder without structure masks is a label map (one at most); a
    folder with masks named after spine structures is a mask folder (its other masks,
    organs and the like, are ignored); otherwise meshes.
    """
    niftis = [name for name in files if _has_suffix(name, NIFTI_SUFFIXES)]
    mask_folders = _mask_folders(niftis)
    label_maps = [name for name in niftis if _folder(name) not in mask_folders]
    meshes = [name for name in files if _has_suffix(name, MESH_SUFFIXES)]
    if len(label_maps) > 1 or (len(mask_folders) > 1 and not label_maps) or (niftis and meshes):
        raise UserError("Give one NIfTI label map, one folder of masks or one folder of meshes, not several.")
    if label_maps:
        volume = read_label_map(files[label_maps[0]])
        sidecar = {} if volume.table else _sidecar_table(files, label_maps[0])
        naming = "sidecar" if sidecar and override is None else None
        return _from_volume(replace(volume, table=sidecar or volume.table), "nifti", target_triangles,
                            override, naming)
    if mask_folders:
        masks = next(iter(mask_folders.values()))
        return _from_volume(label_volume_from_masks({name: files[name] for name in masks}), "masks",
                            target_triangles, None, "masks")
    if meshes:
        return _from_mesh_files(files, target_triangles)
    raise UserError("The folder or archive holds no NIfTI label map, masks or meshes (.nii.gz, .stl, .ply, .obj).")


def read_scan_bytes(filename: str, payload: bytes, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
                    target_triangles: Mapping[str, int] | None = None,
                    label_table: str | os.PathLike | None = None) -> ScanStructures:
    """Read an uploaded file: a NIfTI label map, or an archive of masks, a label map or meshes.

    Parameters
    ----------
    filename : str
        The name the user gave (only its suffix is used, to choose the reader).
    payload : bytes
        The file's content.
    max_bytes : int, default: :data:`DEFAULT_MAX_UPLOAD_BYTES`
        Upload limit; also caps an archive's unpacked size.
    target_triangles : mapping of str to int, optional
        Triangle budget per structure (default :data:`DEFAULT_TRIANGLES` each).
    label_table : path, optional
        A label table (value → name) or a conventions file overriding ``viz/scan/labels.json``.

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
    override = user_label_table(label_table)
    name = PurePosixPath(filename.replace("\\", "/")).name
    if _has_suffix(name, NIFTI_SUFFIXES) or (not _has_suffix(name, ARCHIVE_SUFFIXES) and is_nifti(payload)):
        return _from_volume(read_label_map(payload), "nifti", budgets, override)
    if _has_suffix(name, ARCHIVE_SUFFIXES) or is_archive(payload):
        return _from_files(read_archive(payload, max_bytes), budgets, override)
    raise UserError("The file is not a NIfTI label map (.nii, .nii.gz) or an archive of masks or meshes "
                    "(.zip, .tar.gz).")


def _wanted(path: Path) -> bool:
    return path.is_file() and _has_suffix(path.name, NIFTI_SUFFIXES + MESH_SUFFIXES + TABLE_SUFFIXES)


def _folder_files(folder: Path, max_bytes: int) -> dict[str, bytes]:
    """The scan files of a folder (or of its only subfolder), read only if they may be used.

    In a folder of masks only those named after spine structures are read; tables
    only up to :data:`MAX_TABLE_BYTES`.
    """
    entries = sorted(folder.iterdir())
    chosen = [p for p in entries if _wanted(p)]
    if not any(not _has_suffix(p.name, TABLE_SUFFIXES) for p in chosen):
        subfolders = [p for p in entries if p.is_dir()]
        if len(subfolders) == 1:
            return _folder_files(subfolders[0], max_bytes)
    if any(is_structure_mask(p.name) for p in chosen):
        chosen = [p for p in chosen if not _has_suffix(p.name, NIFTI_SUFFIXES) or is_structure_mask(p.name)]
    chosen = [p for p in chosen if not _has_suffix(p.name, TABLE_SUFFIXES) or p.stat().st_size <= MAX_TABLE_BYTES]
    check_upload_size(sum(p.stat().st_size for p in chosen), max_bytes)
    return {p.name: p.read_bytes() for p in chosen}


def _sidecars(source: Path) -> dict[str, bytes]:
    """Small table files next to a label map on disk (``scan.json``, ``dataset.json``, …)."""
    return {p.name: p.read_bytes() for p in sorted(source.parent.iterdir())
            if _has_suffix(p.name, TABLE_SUFFIXES) and p.is_file() and p.stat().st_size <= MAX_TABLE_BYTES}


def read_scan_path(path: str | os.PathLike, max_bytes: int = DEFAULT_MAX_UPLOAD_BYTES,
                   target_triangles: Mapping[str, int] | None = None,
                   label_table: str | os.PathLike | None = None) -> ScanStructures:
    """Read a scan on disk: a NIfTI file (with any sidecar table), an archive, or a folder.

    Parameters
    ----------
    path : str or path-like
    max_bytes, target_triangles, label_table
        As in :func:`read_scan_bytes`; a folder's files together must fit ``max_bytes``.

    Returns
    -------
    ScanStructures
    """
    source = Path(path).expanduser()
    override = user_label_table(label_table)
    budgets = dict(target_triangles or {})
    if source.is_dir():
        return _from_files(_folder_files(source, max_bytes), budgets, override)
    if not source.is_file():
        raise UserError(f"The scan {str(source)!r} does not exist.")
    check_upload_size(source.stat().st_size, max_bytes)
    try:
        payload = source.read_bytes()
    except OSError:
        raise UserError(f"The scan {str(source)!r} cannot be read.") from None
    if _has_suffix(source.name, NIFTI_SUFFIXES) or (not _has_suffix(source.name, ARCHIVE_SUFFIXES) and is_nifti(payload)):
        return _from_files({source.name: payload, **_sidecars(source)}, budgets, override)
    return read_scan_bytes(source.name, payload, max_bytes, budgets, label_table)
