"""TotalSegmentator's default output: one binary NIfTI mask per structure, joined into one label map.

``TotalSegmentator -i ct.nii.gz -o segmentations`` writes a folder of files named
by structure (``vertebrae_L4.nii.gz``, ``sacrum.nii.gz``, ``spinal_cord.nii.gz``, …;
github.com/wasserth/TotalSegmentator, README "Usage"), all on the grid of the
input CT. Only the masks whose names stand for a structure the story uses are
unpacked (:func:`viz.scan.label_tables.structure_of`: lumbar bones, sacrum and
``vertebrae_S1``, discs, canal/sac/cord, and the vertebrae next to the lumbar
spine); the other hundred organ masks are never decompressed. Each mask goes
through the same checks as a label map (:func:`viz.scan.nifti.read_label_map`),
empty masks are skipped (a scan covers what it covers), and all masks must share
one grid. The joined map numbers the structures 1, 2, … with its own table, so
it reads like a multi-label file with a label table. Frame: LPS+ millimetres
(+x patient's left, +y posterior, +z superior), from the masks' affine.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Mapping

import numpy as np

from viz.errors import UserError
from viz.scan.label_tables import BONES, OTHER_BONE, structure_of
from viz.scan.nifti import LabelVolume, read_label_map

NIFTI_SUFFIXES = (".nii", ".nii.gz")

GRID_TOLERANCE_MM = 0.01
"""Largest difference between two masks' voxel → LPS transforms still counted as one grid, mm."""

_DRAW_ORDER = ("dural_sac", "L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1", OTHER_BONE) + BONES
"""Soft structures first, bones last: where masks overlap, bone wins (it is what soft tissue must avoid)."""


def nifti_stem(filename: str) -> str:
    """File name without folder and NIfTI suffix (``"seg/vertebrae_L4.nii.gz"`` → ``"vertebrae_L4"``)."""
    name = PurePosixPath(filename.replace("\\", "/")).name
    for suffix in (".nii.gz", ".nii"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def is_structure_mask(filename: str) -> bool:
    """Whether a NIfTI file is named like one structure's mask (``vertebrae_L4.nii.gz``)."""
    return filename.lower().endswith(NIFTI_SUFFIXES) and structure_of(nifti_stem(filename)) is not None


def label_volume_from_masks(files: Mapping[str, bytes]) -> LabelVolume:
    """Join per-structure masks into one label map with its own table.

    Parameters
    ----------
    files : mapping of str to bytes
        Mask file name → content; names that stand for no structure are ignored.

    Returns
    -------
    LabelVolume
        Value ``k`` marks the ``k``-th structure found (non-empty masks only);
        ``table[k]`` is that structure's name. Several files of one structure (e.g.
        ``sacrum`` and ``vertebrae_S1``) share its value.

    Raises
    ------
    UserError
        A mask that fails the label-map checks, or masks on different grids.
    """
    by_structure: dict[str, list[str]] = {}
    for name in sorted(files):
        structure = structure_of(nifti_stem(name)) if name.lower().endswith(NIFTI_SUFFIXES) else None
        if structure is not None:
            by_structure.setdefault(structure, []).append(name)
    labels, lps_from_voxel, table = None, None, {}
    for structure in (s for s in _DRAW_ORDER if s in by_structure):
        for name in by_structure[structure]:
            mask = read_label_map(files[name])
            if labels is None:
                labels, lps_from_voxel = np.zeros(mask.labels.shape, np.uint8), mask.lps_from_voxel
            elif mask.labels.shape != labels.shape or \
                    np.abs(mask.lps_from_voxel - lps_from_voxel).max() > GRID_TOLERANCE_MM:
                raise UserError(f"The masks are not all on the same grid ({PurePosixPath(name).name} differs); "
                                "export them from one segmentation.")
            inside = mask.labels != 0
            if inside.any():
                value = next((v for v, s in table.items() if s == structure), len(table) + 1)
                table[value] = structure
                labels[inside] = value
    if labels is None:
        raise UserError("The folder holds no mask named after a spine structure (such as vertebrae_L4.nii.gz).")
    return LabelVolume(labels=labels, lps_from_voxel=lps_from_voxel, table=table)
