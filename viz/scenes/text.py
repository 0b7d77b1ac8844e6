"""The words of the story, read from the data files ``viz/scenes/text/{en,es}.json``.

Two voices per stage: ``patient`` (plain words, at most a 6th-grade reading level,
calm, no promises) and ``clinician`` (anatomical terms, numbers, instrument names,
sources from ``../shared/ANATOMY.md``). No text lives in code; this module only
loads, checks and arranges it. Frame and units of the numbers quoted in the
texts: millimetres, LPS+ (+x toward the patient's left, +y posterior, +z superior).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from viz.errors import UserError
from viz.scenes.story import stage_ids

TEXT_DIR = Path(__file__).with_name("text")
LANGUAGES = ("en", "es")
MODES = ("patient", "clinician")


def _check(lang: str, mode: str | None = None) -> None:
    if lang not in LANGUAGES:
        raise UserError(f"Unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}.")
    if mode is not None and mode not in MODES:
        raise UserError(f"Unknown mode {mode!r}; choose one of: {', '.join(MODES)}.")


@functools.cache
def _load(lang: str) -> dict:
    with open(TEXT_DIR / f"{lang}.json", encoding="utf-8") as handle:
        return json.load(handle)


def catalogue(lang: str) -> dict:
    """Return everything the interface shows in one language.

    Parameters
    ----------
    lang : {"en", "es"}

    Returns
    -------
    dict
        ``stages`` (stage id → voice → ``{"title", "caption"}``), ``hotspots``
        (stage id → hotspot id → voice → text), ``structures`` (structure kind →
        voice → ``{"name", "description"}``), ``sides``, ``ui`` (button labels, view
        and layer names, the learning-only note, privacy note, busy and
        unknown-parameter messages), ``teach_back`` (questions with kind
        explanations) and ``evidence`` (summaries per voice with sources).
        A fresh copy: callers may change it.
    """
    _check(lang)
    return json.loads(json.dumps(_load(lang)))


def captions(lang: str = "en", mode: str = "patient") -> list[dict]:
    """Return ``[{"stage", "title", "caption"}, ...]`` in timeline order (the CLI ``captions``).

    Parameters
    ----------
    lang : {"en", "es"}, default: "en"
    mode : {"patient", "clinician"}, default: "patient"
    """
    _check(lang, mode)
    stages = _load(lang)["stages"]
    return [{"stage": sid, "title": stages[sid][mode]["title"], "caption": stages[sid][mode]["caption"]}
            for sid in stage_ids()]


_LEVEL = re.compile(r"(L[1-5]-(?:L[1-5]|S1))")
_VERTEBRA = re.compile(r"^L[1-5]$")


def structure_kind(part_name: str, group: str) -> str:
    """Return the catalogue ``structures`` key that names a part.

    Parameters
    ----------
    part_name : str
        e.g. ``"L4"``, ``"L4-L5"``, ``"ligamentum_flavum_L4-L5_left"``, ``"nerve_root_L5_left"``.
    group : str
        The part's group (``"bone"``, ``"disc"``, ``"nerve"``, ``"instrument"``, ...).
    """
    if _VERTEBRA.match(part_name):
        return "vertebra"
    for kind in ("sacrum", "ligamentum_flavum", "dural_sac", "cauda_equina", "nerve_root", "facet_joint"):
        if part_name.startswith(kind):
            return kind
    if group == "disc":
        return "disc"
    if group == "fat":
        return "epidural_fat"
    if group == "nerve":
        return "nerve_root"
    if group == "bone":
        return "vertebra"
    return part_name


def part_level(part_name: str) -> str | None:
    """Return the spinal level in a part name (``"L4-L5"``), the vertebra name, or None."""
    if _VERTEBRA.match(part_name):
        return part_name
    found = _LEVEL.search(part_name)
    return found.group(1) if found else None


def part_side(part_name: str) -> str | None:
    """Return ``"left"`` or ``"right"`` when the part name ends with a side, else None."""
    for side in ("left", "right"):
        if part_name.endswith(f"_{side}"):
            return side
    return None
