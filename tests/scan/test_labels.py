"""Label conventions: each tool's values are recognised from the scan alone."""

from __future__ import annotations

import json

import pytest

from viz.errors import UserError
from viz.scan.labels import BONES, load_label_table, match_convention


def _heights(values_from_head: list[int], extra: dict[int, float] | None = None) -> dict[int, float]:
    """Label value → centre height, 30 mm apart from the head down, plus unrelated labels."""
    heights = {value: 100.0 - 30.0 * index for index, value in enumerate(values_from_head)}
    heights.update(extra or {})
    return heights


@pytest.mark.parametrize("tool, values", [
    ("totalsegmentator", [31, 30, 29, 28, 27, 25]),
    ("verse", [20, 21, 22, 23, 24, 26]),
    ("totalspineseg", [41, 42, 43, 44, 45, 50]),
])
def test_each_tool_is_recognised(tool, values):
    convention, present = match_convention(_heights(values), load_label_table())
    assert convention.name == tool
    assert [present[bone] for bone in BONES] == [(value,) for value in values]


def test_totalsegmentator_scan_with_organs_is_not_read_as_verse():
    # TotalSegmentator's colon (20), bladder (21), prostate (22) and kidney cysts (23, 24) reuse
    # VerSe's lumbar values; their heights are not in spine order, TotalSegmentator's bones are.
    organs = {20: 40.0, 21: -120.0, 22: -140.0, 23: 60.0, 24: 55.0, 79: 20.0}
    convention, present = match_convention(_heights([29, 28, 27, 25], organs), load_label_table())
    assert convention.name == "totalsegmentator"
    assert present == {"L3": (29,), "L4": (28,), "L5": (27,), "sacrum": (25,), "dural_sac": (79,)}


def test_override_table(tmp_path):
    table = tmp_path / "labels.json"
    table.write_text(json.dumps({"conventions": {"ours": {"source": "lab", "labels": {"L4": 7, "L5": 8}}}}))
    convention, present = match_convention(_heights([7, 8]), load_label_table(table))
    assert (convention.name, present) == ("ours", {"L4": (7,), "L5": (8,)})


def test_override_table_with_unknown_structure(tmp_path):
    table = tmp_path / "labels.json"
    table.write_text(json.dumps({"conventions": {"ours": {"labels": {"L4": 7, "liver": 8}}}}))
    with pytest.raises(UserError, match="unknown structures: liver"):
        load_label_table(table)


def test_unreadable_override_table(tmp_path):
    table = tmp_path / "labels.json"
    table.write_text("{not json")
    with pytest.raises(UserError, match="could not be read"):
        load_label_table(table)


def test_bones_that_are_not_neighbours_are_not_enough():
    with pytest.raises(UserError, match="two neighbouring lumbar bones"):
        match_convention(_heights([31, 29]), load_label_table())
