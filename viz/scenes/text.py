"""The words of the story, read from the data files ``viz/scenes/text/{en,es}.json``.

Two voices per stage: ``patient`` (plain words, at most a 6th-grade reading level,
calm, no promises) and ``clinician`` (anatomical terms, numbers, instrument names,
sources from ``../shared/ANATOMY.md``). No text lives in code; this module only
loads, checks and arranges it. Texts that name the treated level say ``{level}``
(written ``L4–L5``) and ``{vertebra}`` (the vertebra above it, ``L4``); they are
filled in for the anatomy the story is told on (:func:`viz.scenes.landmarks.focus_level`),
L4–L5 for the standard anatomy. Literature figures keep the level they were measured at. Frame and units of the numbers quoted in the
texts: millimetres, LPS+ (+x toward the patient's left, +y posterior, +z superior).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path

from viz.errors import UserError
from viz.scenes.landmarks import upper_vertebra
from viz.scenes.story import stage_ids

TEXT_DIR = Path(__file__).with_name("text")
LANGUAGES = ("en", "es")
MODES = ("patient", "clinician")
STANDARD_LEVEL = "L4-L5"
"""The level the standard anatomy narrows (``viz.models.anatomy.build_anatomy``'s default):
the words of the standard story (the CLI ``captions``)."""


def _check(lang: str, mode: str | None = None) -> None:
    if lang not in LANGUAGES:
        raise UserError(f"Unknown language {lang!r}; choose one of: {', '.join(LANGUAGES)}.")
    if mode is not None and mode not in MODES:
        raise UserError(f"Unknown mode {mode!r}; choose one of: {', '.join(MODES)}.")


@functools.cache
def _load(lang: str) -> dict:
    with open(TEXT_DIR / f"{lang}.json", encoding="utf-8") as handle:
        return json.load(handle)


def _at_level(value, level: str):
    """``value`` (plain JSON data) with ``{level}`` and ``{vertebra}`` filled in for ``level``."""
    if isinstance(value, dict):
        return {key: _at_level(item, level) for key, item in value.items()}
    if isinstance(value, list):
        return [_at_level(item, level) for item in value]
    if isinstance(value, str):
        return value.replace("{level}", level.replace("-", "–")).replace("{vertebra}", upper_vertebra(level))
    return value


def catalogue(lang: str, level: str = STANDARD_LEVEL) -> dict:
    """Return everything the interface shows in one language.

    Parameters
    ----------
    lang : {"en", "es"}
    level : str, default: "L4-L5"
        The treated level the story is told at (e.g. ``"L3-L4"``).

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
    return _at_level(_load(lang), level)


def captions(lang: str = "en", mode: str = "patient", level: str = STANDARD_LEVEL) -> list[dict]:
    """Return ``[{"stage", "title", "caption"}, ...]`` in timeline order (the CLI ``captions``).

    Parameters
    ----------
    lang : {"en", "es"}, default: "en"
    mode : {"patient", "clinician"}, default: "patient"
    level : str, default: "L4-L5"
        The treated level the story is told at.
    """
    _check(lang, mode)
    stages = _at_level(_load(lang)["stages"], level)
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
