"""One page per browser session: validated URL options + the shared scene bundle.

The bundle is built (or read from ``assets/meshes``) once per server process
and shared read-only by every session; each session gets its own
:class:`~viz.web.player.StoryPlayer`, so one person's step, view or drawing
never shows in another's.
"""

from __future__ import annotations

import functools
import os
from typing import Iterable, Mapping

import panel as pn
from panel.io.resources import LOCAL_DIST

from viz.web.params import PageOptions, parse_page_options
from viz.web.player import StoryPlayer

PAGE_TITLE = "MILD: how the procedure makes room for the nerves"


@functools.lru_cache(maxsize=1)
def shared_bundle():
    """The template anatomy's scene bundle, loaded once per process."""
    from viz.scenes.bundle import load_bundle

    return load_bundle()


@functools.lru_cache(maxsize=4)
def shared_wire_bundle(lang: str):
    """The shared bundle as the browser receives it in ``lang`` (:mod:`viz.web.wire`), encoded once per process."""
    from viz.web.wire import encode_for_browser

    return encode_for_browser(shared_bundle(), lang)


def warm_shared_bundles() -> None:
    """Load the shared bundle and encode it for every language before the first visitor."""
    from viz.scenes.text import LANGUAGES

    for lang in LANGUAGES:
        shared_wire_bundle(lang)


def structure_names(meta: dict) -> tuple[str, ...]:
    """Every part and instrument name in a bundle (valid ``focus`` values)."""
    return tuple(p["name"] for p in meta.get("parts", []) + meta.get("instruments", []))


def page_options(args: Mapping[str, Iterable], meta: dict) -> PageOptions:
    """Validate a request's query arguments against a bundle."""
    stage_ids = tuple(s["id"] for s in meta["stages"])
    return parse_page_options(args, stage_ids, structure_names(meta))


MAX_SCAN_BYTES = 300 * 2**20
"""Upload limit for a patient's scan (issue 9), bytes; ``VIZ_MAX_SCAN_MB`` overrides it."""


def max_scan_bytes() -> int:
    """The configured scan upload limit in bytes (``VIZ_MAX_SCAN_MB``, default 300)."""
    try:
        return max(1, int(os.environ.get("VIZ_MAX_SCAN_MB", "300"))) * 2**20
    except ValueError:
        return MAX_SCAN_BYTES


def build_page(args: Mapping[str, Iterable], bundle=None) -> StoryPlayer:
    """The session's player, filling the whole page.

    ``bundle`` (a :class:`~viz.scenes.bundle.SceneBundle`) replaces the shared one.
    """
    options = page_options(args, (bundle or shared_bundle()).meta)
    if bundle is None:
        wire = shared_wire_bundle(options.lang)
    else:
        from viz.web.wire import encode_for_browser

        wire = encode_for_browser(bundle, options.lang)
    player = StoryPlayer(
        meta=wire.meta,
        geometry=wire.data,
        stage=options.stage,
        options={
            "mode": options.mode, "lang": options.lang, "view": options.view, "focus": options.focus,
            "embed": options.embed, "autoplay": options.autoplay, "stage": options.stage,
            "problems": [list(p) for p in options.problems],
        },
        sizing_mode="stretch_both",
        min_height=320,
        margin=0,
    )
    if options.mode == "clinician" and not options.embed:
        player.accept_scans(max_scan_bytes(), options.lang)
    return player


def serve_page() -> pn.viewable.Viewable:
    """The page for the current session (``pn.state`` holds its request).

    Panel points a model's theme and loading styles at its CDN unless the
    session's document already knows the local address; with several visitors
    arriving at once some sessions were built before it did (measured: 6 of 8
    pages asked cdn.holoviz.org). Setting it first keeps every style local.
    """
    doc = pn.state.curdoc
    if doc is not None:
        doc._template_variables.setdefault("dist_url", LOCAL_DIST)
    return build_page(pn.state.session_args)
