"""Label-map conventions: which label value means which lumbar structure.

The table lives in ``viz/scan/labels.json`` (one entry per open segmentation
tool, each with its source); a file of the same shape can replace it. A scan
does not say which tool made it, so :func:`match_convention` picks the
convention under which the most lumbar bones are present *and* lie in
anatomical order from head to feet (+z superior in the LPS+ frame: +x patient's
left, +y posterior, +z superior; millimetres).

References
----------
Wasserthal J et al. TotalSegmentator. Radiol Artif Intell 2023;5:e230024.
https://doi.org/10.1148/ryai.230024
Sekuboyina A et al. VerSe. Med Image Anal 2021;73:102166.
https://doi.org/10.1016/j.media.2021.102166
Warszawer Y et al. TotalSpineSeg, github.com/neuropoly/totalspineseg (2025).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from viz.errors import UserError

BONES = ("L1", "L2", "L3", "L4", "L5", "sacrum")
"""Bones from head to feet; a scan must hold two neighbours of them."""

DISCS = ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")
"""Disc names, one per level, the bone above and the bone below."""

SOFT_STRUCTURES = ("dural_sac",) + DISCS
"""Soft structures a label map may carry; the rest is fitted from the template."""

DEFAULT_TABLE_PATH = Path(__file__).with_name("labels.json")


@dataclass(frozen=True)
class Convention:
    """One tool's label values.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"totalsegmentator"``.
    source : str
        Where the values come from (tool, file, paper).
    labels : dict of str to int
        Structure name (``"L4"``, ``"sacrum"``, ``"dural_sac"``, ``"L4-L5"``) to label value.
    """

    name: str
    source: str
    labels: dict[str, int]


def load_label_table(path: str | Path | None = None) -> tuple[Convention, ...]:
    """Read the conventions from ``labels.json`` or from an override file.

    Parameters
    ----------
    path : str or Path, optional
        A JSON file shaped like ``viz/scan/labels.json``; default: that file.

    Returns
    -------
    tuple of Convention
        In file order (the order breaks ties in :func:`match_convention`).
    """
    table_path = Path(path) if path is not None else DEFAULT_TABLE_PATH
    try:
        table = json.loads(table_path.read_text(encoding="utf-8"))
        conventions = tuple(
            Convention(name=name, source=str(entry.get("source", "")),
                       labels={str(k): int(v) for k, v in entry["labels"].items()})
            for name, entry in table["conventions"].items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise UserError(f"The label table {table_path.name} could not be read as a label map table.") from None
    known = set(BONES) | set(SOFT_STRUCTURES)
    for convention in conventions:
        unknown = sorted(set(convention.labels) - known)
        if unknown:
            raise UserError(f"The label table names unknown structures: {', '.join(unknown)}.")
    return conventions


def _ordered_bone_count(convention: Convention, centroid_z_mm: Mapping[int, float]) -> int:
    """Number of the convention's bones present, or 0 if they are out of head-to-feet order."""
    heights = [centroid_z_mm[convention.labels[bone]] for bone in BONES
               if convention.labels.get(bone) in centroid_z_mm]
    if any(upper <= lower for upper, lower in zip(heights, heights[1:])):
        return 0
    return len(heights)


def _has_neighbouring_bones(present: set[str]) -> bool:
    return any(upper in present and lower in present for upper, lower in zip(BONES, BONES[1:]))


def match_convention(centroid_z_mm: Mapping[int, float],
                     conventions: tuple[Convention, ...]) -> tuple[Convention, dict[str, int]]:
    """Pick the convention that explains the labels present in a scan.

    Parameters
    ----------
    centroid_z_mm : mapping of int to float
        Each non-zero label value present in the scan to the height of its centre
        (LPS+ z, mm; +z superior).
    conventions : tuple of Convention
        Candidates, e.g. from :func:`load_label_table`.

    Returns
    -------
    convention : Convention
        The convention with the most bones present in head-to-feet order
        (ties: the one listed first).
    present : dict of str to int
        The structures of that convention found in the scan, name to label value.

    Raises
    ------
    UserError
        If no convention finds two neighbouring lumbar bones (e.g. L4 and L5).
    """
    best = max(conventions, key=lambda c: _ordered_bone_count(c, centroid_z_mm))
    present = {name: value for name, value in best.labels.items() if value in centroid_z_mm}
    if _ordered_bone_count(best, centroid_z_mm) < 2 or not _has_neighbouring_bones(set(present)):
        raise UserError("The scan has no spine labels we recognise: we need at least two "
                        "neighbouring lumbar bones, such as L4 and L5.")
    return best, present
