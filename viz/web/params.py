"""Read and validate the app's URL parameters.

``/app?stage=STAGE&mode=patient|clinician&embed=1&autoplay=1&lang=en|es&view=VIEW&focus=STRUCTURE``
(``docs/INTERFACE.md``). Every value is checked against a closed list; anything
else is replaced by a safe default and reported in one plain sentence, so the
page always loads. A rejected value is quoted back shortened to 40 printable
characters; the player inserts it as text, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable, Mapping

MODES = ("patient", "clinician")
LANGS = ("en", "es")
VIEWS = ("back", "side", "axial", "sagittal", "xray", "oblique")
FLAG_TRUE = ("1", "true", "yes", "on")
FLAG_FALSE = ("0", "false", "no", "off", "")
SHOWN_VALUE_CHARS = 40


@dataclass(frozen=True)
class PageOptions:
    """What one browser session asked for, after validation."""

    stage: str
    mode: str = "patient"
    lang: str = "en"
    view: str = ""
    focus: str = ""
    embed: bool = False
    autoplay: bool = False
    problems: tuple[tuple[str, str], ...] = field(default=())
    """(parameter name, shortened rejected value) pairs; the player words them."""


def _first(args: Mapping[str, Iterable], name: str) -> str | None:
    """Return the first value of a query argument as text (bytes are decoded)."""
    values = args.get(name)
    if not values:
        return None
    value = list(values)[0]
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="replace")
    return str(value)


def shown(value: str) -> str:
    """Shorten a rejected value to printable characters so it can be quoted."""
    printable = "".join(ch if ch.isprintable() else "?" for ch in value)
    if len(printable) > SHOWN_VALUE_CHARS:
        printable = printable[: SHOWN_VALUE_CHARS - 1] + "…"
    return printable


def _choice(args, name: str, allowed: tuple[str, ...], default: str, problems: list[tuple[str, str]]) -> str:
    value = _first(args, name)
    if value is None:
        return default
    if value.strip().lower() in allowed:
        return value.strip().lower()
    problems.append((name, shown(value)))
    return default


def _flag(args, name: str, problems: list[tuple[str, str]]) -> bool:
    value = _first(args, name)
    if value is None:
        return False
    text = value.strip().lower()
    if text in FLAG_TRUE:
        return True
    if text not in FLAG_FALSE:
        problems.append((name, shown(value)))
    return False


def parse_page_options(args: Mapping[str, Iterable], stage_ids: tuple[str, ...],
                       structure_names: tuple[str, ...]) -> PageOptions:
    """Validate the query arguments of one request.

    Parameters
    ----------
    args : mapping of str to list of bytes or str
        The request's query arguments (``pn.state.session_args``).
    stage_ids : tuple of str
        Valid stage ids in timeline order; the first is the default.
    structure_names : tuple of str
        Valid ``focus`` values.
    """
    problems: list[tuple[str, str]] = []
    stage = _choice(args, "stage", stage_ids, stage_ids[0], problems)
    mode = _choice(args, "mode", MODES, "patient", problems)
    lang = _choice(args, "lang", LANGS, "en", problems)
    view = _choice(args, "view", VIEWS, "", problems)
    focus = _first(args, "focus") or ""
    if focus and focus not in structure_names:
        problems.append(("focus", shown(focus)))
        focus = ""
    return PageOptions(stage=stage, mode=mode, lang=lang, view=view, focus=focus,
                       embed=_flag(args, "embed", problems),
                       autoplay=_flag(args, "autoplay", problems),
                       problems=tuple(problems))
