"""Label tables that travel with a scan, and the structure each label name stands for.

A segmentation tool names its labels; when a file carries that table, the
names in it are the truth (issue 16), whatever the label numbers are. Tables
are read from:

- a NIfTI header extension holding a CIFTI/Caret XML ``<LabelTable>`` of
  ``<Label Key="31">vertebrae_L1</Label>`` entries, as TotalSegmentator writes
  its multi-label output (``totalsegmentator/nifti_ext_header.py``,
  ``add_label_map_to_nifti``, github.com/wasserth/TotalSegmentator);
- a JSON sidecar: ``{"vertebrae_L1": 41, ...}`` (TotalSpineSeg's
  ``resources/labels.json``, github.com/neuropoly/totalspineseg), nnU-Net's
  ``dataset.json`` (``{"labels": {"background": 0, "L1": 20, ...}}``),
  ``{"41": "vertebrae_L1"}`` or a list of ``{"value", "name"}`` rows;
- a CSV/TSV or plain-text sidecar with one label per line, value and name in
  either order (3D Slicer colour tables ``1 vertebrae_L1 255 0 0 255``;
  ITK-SNAP label descriptions with the name in quotes).

:func:`structure_of` maps a tool's name to this project's structure names:
``vertebrae_L4``/``L4`` → ``"L4"``; ``sacrum``, ``Sacrum`` and ``vertebrae_S1``
(TotalSegmentator v2 labels the top of the sacrum so, value 26) → ``"sacrum"``;
``disc_L4_L5``/``disc_L5_S`` → ``"L4-L5"``/``"L5-S1"``; ``spinal_canal``
(TotalSpineSeg) and ``spinal_cord`` (TotalSegmentator on CT, where the label
covers the canal's content; TotalSpineSeg's cord lies inside its canal) →
``"dural_sac"``; other vertebrae (thoracic, a sixth lumbar, the coccyx) →
:data:`OTHER_BONE`, kept only as bone the soft tissues must stay out of.
Frame-free: names and numbers only.

References
----------
Wasserthal J et al. TotalSegmentator. Radiol Artif Intell 2023;5:e230024. https://doi.org/10.1148/ryai.230024
Warszawer Y et al. TotalSpineSeg (2025), github.com/neuropoly/totalspineseg (README, list of classes).
Sekuboyina A et al. VerSe. Med Image Anal 2021;73:102166, label names in ``utils/data_utilities.py``
(``v_dict``) of github.com/anjany/verse.
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

BONES = ("L1", "L2", "L3", "L4", "L5", "sacrum")
"""Bones from head to feet; a scan must hold two neighbours of them."""

DISCS = ("L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1")
"""Disc names, one per level, the bone above and the bone below."""

SOFT_STRUCTURES = ("dural_sac",) + DISCS
"""Soft structures a scan may carry; the rest is fitted to the patient's bones."""

OTHER_BONE = "other_bone"
"""Vertebrae outside L1–sacrum: not shown, but soft tissue keeps out of them."""

STRUCTURES = BONES + SOFT_STRUCTURES + (OTHER_BONE,)

MAX_TABLE_BYTES = 2**20
"""Largest label table read (a 117-class table is ≈13 kB)."""

_LUMBAR = re.compile(r"^l([1-5])$")
_OTHER_VERTEBRA = re.compile(r"^(?:t([1-9]|1[0-3])|c[1-7]|l6|coccyx|cocc)$")
_DISC = re.compile(r"^(?:disc|ivd|intervertebral_disc)?_?l([1-5])_?(?:_?l([1-5])|_?(s1?))$")
_SAC = {"dural_sac", "thecal_sac", "spinal_canal", "canal", "spinal_cord", "cord", "csf"}
_SACRUM = {"sacrum", "s1", "os_sacrum"}


def _plain(name: str) -> str:
    text = re.sub(r"[\s\-]+", "_", str(name).strip().lower())
    for prefix in ("vertebrae_", "vertebra_"):
        if text.startswith(prefix):
            text = text[len(prefix):]
    return re.sub(r"_vertebra(e)?$", "", text)


def structure_of(name: str) -> str | None:
    """The project structure a tool's label name stands for, or None.

    Parameters
    ----------
    name : str
        e.g. ``"vertebrae_L4"``, ``"L4"``, ``"Sacrum"``, ``"vertebrae_S1"``,
        ``"disc_L5_S"``, ``"spinal_canal"``, ``"spinal_cord"``, ``"vertebrae_T12"``.

    Returns
    -------
    str or None
        One of :data:`STRUCTURES`, or None for anything else (organs, muscles, ribs).
    """
    text = _plain(name)
    if text == OTHER_BONE:
        return OTHER_BONE
    lumbar = _LUMBAR.match(text)
    if lumbar:
        return f"L{lumbar.group(1)}"
    if text in _SACRUM:
        return "sacrum"
    if _OTHER_VERTEBRA.match(text):
        return OTHER_BONE
    disc = _DISC.match(text)
    if disc:
        upper = int(disc.group(1))
        lower = f"L{disc.group(2)}" if disc.group(2) else "S1"
        level = f"L{upper}-{lower}"
        return level if level in DISCS else None
    if text in _SAC:
        return "dural_sac"
    return None


def _from_pairs(pairs) -> dict[int, str]:
    table = {}
    for value, name in pairs:
        if isinstance(value, bool):
            continue
        try:
            number = int(str(value).strip())
        except ValueError:
            continue
        if number > 0 and isinstance(name, str) and name.strip():
            table[number] = name.strip()
    return table


def table_from_json(data) -> dict[int, str]:
    """Value → name from a parsed JSON table (shapes in the module docstring); empty if none."""
    if isinstance(data, dict) and isinstance(data.get("labels"), (dict, list)):
        data = data["labels"]
    if isinstance(data, list):
        rows = [row for row in data if isinstance(row, dict)]
        pairs = [(row.get("value", row.get("label", row.get("id", row.get("Key")))),
                  row.get("name", row.get("label_name", row.get("Name")))) for row in rows]
        return _from_pairs(pairs)
    if not isinstance(data, dict):
        return {}
    by_value = _from_pairs((key, value) for key, value in data.items())
    by_name = _from_pairs((value, key) for key, value in data.items())
    return by_value if len(by_value) >= len(by_name) else by_name


def table_from_text(text: str) -> dict[int, str]:
    """Value → name from CSV, TSV or whitespace-separated lines (header and comment lines skipped)."""
    pairs = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        quoted = re.search(r'"([^"]+)"\s*$', line)
        cells = [cell.strip() for cell in re.split(r"[,;\t ]+", line) if cell.strip()]
        if len(cells) < 2:
            continue
        if cells[0].isdigit():
            pairs.append((cells[0], quoted.group(1) if quoted else cells[1]))
        elif cells[1].isdigit():
            pairs.append((cells[1], cells[0]))
    return _from_pairs(pairs)


def table_from_caret_xml(content: bytes) -> dict[int, str]:
    """Value → name from a CIFTI/Caret XML label table (``<Label Key="31">vertebrae_L1</Label>``).

    Documents that declare a DOCTYPE or entities are not parsed (no entity expansion).
    """
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        return {}
    try:
        root = ElementTree.fromstring(content)
    except ElementTree.ParseError:
        return {}
    return _from_pairs((label.get("Key"), label.text) for label in root.iter("Label"))


def table_from_bytes(content: bytes) -> dict[int, str]:
    """Value → name from a table's bytes: Caret XML, JSON or text lines; empty if it is none of them."""
    if len(content) > MAX_TABLE_BYTES:
        return {}
    stripped = content.strip(b"\x00 \t\r\n")
    if stripped.startswith(b"<"):
        return table_from_caret_xml(stripped)
    try:
        text = stripped.decode("utf-8-sig")
    except UnicodeDecodeError:
        return {}
    if text.startswith(("{", "[")):
        try:
            return table_from_json(json.loads(text))
        except ValueError:
            return {}
    return table_from_text(text)


def structures_in(table: dict[int, str]) -> dict[str, tuple[int, ...]]:
    """Project structure → the label values that make it up (e.g. sacrum ← sacrum + vertebrae_S1)."""
    found: dict[str, list[int]] = {}
    for value, name in sorted(table.items()):
        structure = structure_of(name)
        if structure is not None:
            found.setdefault(structure, []).append(value)
    return {name: tuple(values) for name, values in found.items()}
