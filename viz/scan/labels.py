"""Which label value means which structure: the file's own table, or a known tool's numbering.

When a scan carries its own label table (a NIfTI header extension, a sidecar,
or names of per-structure mask files; :mod:`viz.scan.label_tables`), its names
decide (:func:`structures_from_table`). Otherwise the values are matched
against the numbering of known tools in ``viz/scan/labels.json`` (each entry
with its source; a file of the same shape can replace it): :func:`match_convention`
picks the convention under which the most lumbar bones are present *and* lie
in anatomical order from head to feet (+z superior in the LPS+ frame: +x
patient's left, +y posterior, +z superior; millimetres), ties going to the one
that explains more of the values present. Either way a scan must hold two
neighbouring lumbar bones (e.g. L1 and L2).

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
from viz.scan.label_tables import BONES, DISCS, SOFT_STRUCTURES, STRUCTURES, structures_in

__all__ = ["BONES", "DISCS", "SOFT_STRUCTURES", "Convention", "load_label_table", "match_convention",
           "structures_from_table"]

DEFAULT_TABLE_PATH = Path(__file__).with_name("labels.json")

_NO_SPINE = ("The scan has no spine labels we recognise: we need at least two "
             "neighbouring lumbar bones, such as L4 and L5.")


@dataclass(frozen=True)
class Convention:
    """One tool's label values.

    Parameters
    ----------
    name : str
        Short name, e.g. ``"totalsegmentator"``.
    source : str
        Where the values come from (tool, file, paper).
    labels : dict of str to tuple of int
        Structure name (``"L4"``, ``"sacrum"``, ``"dural_sac"``, ``"L4-L5"``,
        ``"other_bone"``) to its label values (their union).
    """

    name: str
    source: str
    labels: dict[str, tuple[int, ...]]


def _values(value) -> tuple[int, ...]:
    values = value if isinstance(value, list) else [value]
    if not values or any(isinstance(v, bool) or not isinstance(v, int) for v in values):
        raise TypeError("label values must be whole numbers")
    return tuple(values)


def load_label_table(path: str | Path | None = None) -> tuple[Convention, ...]:
    """Read the conventions from ``labels.json`` or from an override file.

    Parameters
    ----------
    path : str or Path, optional
        A JSON file shaped like ``viz/scan/labels.json`` (a value or a list of
        values per structure); default: that file.

    Returns
    -------
    tuple of Convention
        In file order (the order breaks remaining ties in :func:`match_convention`).
    """
    table_path = Path(path) if path is not None else DEFAULT_TABLE_PATH
    try:
        table = json.loads(table_path.read_text(encoding="utf-8"))
        conventions = tuple(
            Convention(name=name, source=str(entry.get("source", "")),
                       labels={str(k): _values(v) for k, v in entry["labels"].items()})
            for name, entry in table["conventions"].items())
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        raise UserError(f"The label table {table_path.name} could not be read as a label map table.") from None
    for convention in conventions:
        unknown = sorted(set(convention.labels) - set(STRUCTURES))
        if unknown:
            raise UserError(f"The label table names unknown structures: {', '.join(unknown)}.")
    return conventions


def _height(values: tuple[int, ...], centroid_z_mm: Mapping[int, float]) -> float | None:
    heights = [centroid_z_mm[v] for v in values if v in centroid_z_mm]
    return sum(heights) / len(heights) if heights else None


def _ordered_bone_count(labels: Mapping[str, tuple[int, ...]], centroid_z_mm: Mapping[int, float]) -> int:
    """Number of bones present, or 0 if they are out of head-to-feet order."""
    heights = [h for h in (_height(labels.get(bone, ()), centroid_z_mm) for bone in BONES) if h is not None]
    if any(upper <= lower for upper, lower in zip(heights, heights[1:])):
        return 0
    return len(heights)


def _has_neighbouring_bones(present: set[str]) -> bool:
    return any(upper in present and lower in present for upper, lower in zip(BONES, BONES[1:]))


def _present(labels: Mapping[str, tuple[int, ...]], centroid_z_mm: Mapping[int, float]) -> dict[str, tuple[int, ...]]:
    present = {}
    for name, values in labels.items():
        found = tuple(v for v in values if v in centroid_z_mm)
        if found:
            present[name] = found
    return present


def match_convention(centroid_z_mm: Mapping[int, float],
                     conventions: tuple[Convention, ...]) -> tuple[Convention, dict[str, tuple[int, ...]]]:
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
        The one with the most bones present in head-to-feet order; ties: the one
        explaining more of the values present, then the one listed first.
    present : dict of str to tuple of int
        The structures of that convention found in the scan, name to the values present.

    Raises
    ------
    UserError
        If no convention finds two neighbouring lumbar bones (e.g. L4 and L5).
    """
    def score(convention: Convention) -> tuple[int, int]:
        explained = sum(len(values) for values in _present(convention.labels, centroid_z_mm).values())
        return _ordered_bone_count(convention.labels, centroid_z_mm), explained

    best = max(conventions, key=score)
    present = _present(best.labels, centroid_z_mm)
    if score(best)[0] < 2 or not _has_neighbouring_bones(set(present)):
        raise UserError(_NO_SPINE)
    return best, present


def structures_from_table(table: Mapping[int, str], centroid_z_mm: Mapping[int, float]) -> dict[str, tuple[int, ...]]:
    """The structures a scan's own label table names, among the values present.

    Parameters
    ----------
    table : mapping of int to str
        Label value → the tool's name for it (:mod:`viz.scan.label_tables`).
    centroid_z_mm : mapping of int to float
        Values present in the scan → centre height (LPS+ z, mm).

    Returns
    -------
    dict of str to tuple of int
        Structure → its values present.

    Raises
    ------
    UserError
        If the named lumbar bones present are not two neighbours in head-to-feet order.
    """
    present = _present(structures_in(table), centroid_z_mm)
    if not _has_neighbouring_bones(set(present)):
        raise UserError(_NO_SPINE)
    if _ordered_bone_count(present, centroid_z_mm) == 0:
        raise UserError("The scan's own label table puts the lumbar bones out of order from head to feet, "
                        "so it cannot be read as a spine.")
    return present
