"""The words of the story, read from the data files ``viz/scenes/text/{en,es}.json``.

Two voices per stage: ``patient`` (plain words, at most a 6th-grade reading level,
calm, no promises) and ``clinician`` (anatomical terms, numbers, instrument names,
sources from ``../shared/ANATOMY.md``). No text lives in code; this module only
loads, checks and arranges it. Texts that name the treated level say ``{level}``
(written ``L4–L5``) and ``{vertebra}`` (the vertebra above it, ``L4``); they are
filled in for the anatomy the story is told on (:func:`viz.scenes.landmarks.focus_level`),
L4–L5 for the standard anatomy. Literature figures keep the level they were measured at.
Figures of the model itself are never typed into the data files: texts say
``{healthy_canal_ap_mm}``, ``{stenosis_csa_mm2}``, ``{decompressed_lf_mm}`` and so on
(:data:`FIGURES`), filled from the metrics measured on the anatomy the story is told on
(:func:`model_figures`), so a caption quotes what the measurement panel shows. Frame and
units of the numbers quoted in the texts: millimetres, LPS+ (+x toward the patient's
left, +y posterior, +z superior).
"""

from __future__ import annotations

import functools
import json
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from viz.errors import UserError
from viz.models.anatomy import STATES
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


FIGURES = {"csa_mm2": ("dural_sac_csa_mm2", 0), "canal_ap_mm": ("canal_ap_mm", 1), "lf_mm": ("lf_thickness_mm", 1)}
"""Placeholder suffix → (metric key, decimals shown): ``{<state>_<suffix>}`` in the texts, for the
states healthy, stenosis, decompressed. The decimals are the clinician panel's, so the words
and the panel show the same number; ``lf_mm`` is the thicker side's ligamentum flavum."""


def model_figures(metrics_by_state: dict[str, dict], level: str) -> dict[str, float]:
    """Return the model's own figures for the texts, from measured metrics.

    Parameters
    ----------
    metrics_by_state : dict of str to dict
        ``{"healthy": compute_metrics(...), "stenosis": ..., "decompressed": ...}``
        (:func:`viz.models.metrics.compute_metrics` output for each state's end).
    level : str
        The treated level whose figures are quoted (``"L4-L5"``).

    Returns
    -------
    dict of str to float
        ``{"healthy_csa_mm2": 146.5, "healthy_canal_ap_mm": 18.17, ...}``; a figure the
        metrics lack (a scan that does not cover the level) is left out.
    """
    figures = {}
    for state in STATES:
        values = metrics_by_state.get(state, {}).get("levels", {}).get(level)
        if not values:
            continue
        for suffix, (key, _) in FIGURES.items():
            value = values.get(key)
            if isinstance(value, dict):
                value = max(value.values())
            if value is not None:
                figures[f"{state}_{suffix}"] = float(value)
    return figures


@functools.cache
def _standard_figures() -> tuple[tuple[str, float], ...]:
    """Figures of the cached standard anatomy (what the app shows for the standard story)."""
    from viz.models.cache import load_anatomy
    from viz.models.metrics import anatomy_state_metrics

    anatomy = load_anatomy()
    figures = model_figures({state: anatomy_state_metrics(anatomy, state) for state in STATES}, STANDARD_LEVEL)
    return tuple(sorted(figures.items()))


def _number(value: float, decimals: int, lang: str) -> str:
    """``value`` with ``decimals`` places as the player's panel shows it (JavaScript ``toFixed``:
    the exact binary value, halves up), with a decimal comma in Spanish."""
    text = str(Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))
    return text.replace(".", ",") if lang == "es" else text


def _filled(value, lang: str, level: str, figures: dict[str, float]):
    """``value`` (plain JSON data) with ``{level}``, ``{vertebra}`` and the model's figures filled in."""
    if isinstance(value, dict):
        return {key: _filled(item, lang, level, figures) for key, item in value.items()}
    if isinstance(value, list):
        return [_filled(item, lang, level, figures) for item in value]
    if isinstance(value, str):
        value = value.replace("{level}", level.replace("-", "–")).replace("{vertebra}", upper_vertebra(level))
        for state in STATES:
            for suffix, (_, decimals) in FIGURES.items():
                name = f"{state}_{suffix}"
                if "{" + name + "}" in value:
                    shown = _number(figures[name], decimals, lang) if name in figures else "–"
                    value = value.replace("{" + name + "}", shown)
        return value
    return value


def _figures_or_standard(figures: dict[str, float] | None, level: str) -> dict[str, float]:
    if figures is not None:
        return figures
    return dict(_standard_figures()) if level == STANDARD_LEVEL else {}


def catalogue(lang: str, level: str = STANDARD_LEVEL, figures: dict[str, float] | None = None) -> dict:
    """Return everything the interface shows in one language.

    Parameters
    ----------
    lang : {"en", "es"}
    level : str, default: "L4-L5"
        The treated level the story is told at (e.g. ``"L3-L4"``).
    figures : dict of str to float, optional
        The model's figures (:func:`model_figures`); by default those of the cached
        standard anatomy at the standard level, none (shown "–") at another level.

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
    return _filled(_load(lang), lang, level, _figures_or_standard(figures, level))


def captions(lang: str = "en", mode: str = "patient", level: str = STANDARD_LEVEL,
             figures: dict[str, float] | None = None) -> list[dict]:
    """Return ``[{"stage", "title", "caption"}, ...]`` in timeline order (the CLI ``captions``).

    Parameters
    ----------
    lang : {"en", "es"}, default: "en"
    mode : {"patient", "clinician"}, default: "patient"
    level : str, default: "L4-L5"
        The treated level the story is told at.
    figures : dict of str to float, optional
        As for :func:`catalogue`.
    """
    _check(lang, mode)
    stages = _filled(_load(lang)["stages"], lang, level, _figures_or_standard(figures, level))
    return [{"stage": sid, "title": stages[sid][mode]["title"], "caption": stages[sid][mode]["caption"]}
            for sid in stage_ids()]


_LEVEL = re.compile(r"(L[1-5]-(?:L[1-5]|S1))")
_VERTEBRA = re.compile(r"^L[1-5]$")


def structure_kind(part_name: str, group: str) -> str:
    """Return the catalogue ``structures`` key that names a part.

    Parameters
    ----------
    part_name : str
        e.g. ``"L4"``, ``"L4-L5"``, ``"ligamentum_flavum_L4-L5_left"``, ``"nerve_root_L5_left"``,
        ``"incision_right"`` (body pieces per side share their kind's words).
    group : str
        The part's group (``"bone"``, ``"disc"``, ``"nerve"``, ``"instrument"``, ...).
    """
    if _VERTEBRA.match(part_name):
        return "vertebra"
    for kind in ("sacrum", "ligamentum_flavum", "dural_sac", "cauda_equina", "nerve_root", "facet_joint",
                 "numbed_area", "incision", "bandage"):
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
