"""Every URL parameter under a few hundred random and hostile values.

The page must load (HTTP 200), show no traceback, never echo a value as markup,
keep every option inside its closed list, and — in a real browser — never run
a script smuggled in a value.
"""

from __future__ import annotations

import json
import urllib.request
from urllib.parse import urlencode

import pytest

from tests.hardening.protocol import open_session
from tests.hardening.values import HOSTILE, PWNED, all_values
from tests.web.browser import wait_drawn, watch
from viz.web.params import LANGS, MODES, VIEWS, SHOWN_VALUE_CHARS, shown

PARAMETERS = ("stage", "mode", "lang", "view", "focus", "embed", "autoplay")
LONG_VALUE_CHARS = 1000
"""Longer values go into one parameter per request, so the URL stays under tornado's 64 KB."""
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "Exception:", "Error:</")
MARKUP_CHARS = set("<>\"'")


def query_for(index: int, value: str) -> str:
    """Every parameter set to ``value`` (one rotating parameter when the value is long)."""
    names = PARAMETERS if len(value) <= LONG_VALUE_CHARS else (PARAMETERS[index % len(PARAMETERS)],)
    return "?" + urlencode({name: value for name in names})


def fetch(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.status, response.read().decode("utf-8", errors="replace")


def find_options(document: dict) -> dict:
    """The player's ``options`` in a pulled Bokeh document (a dict is sent as ``{"type": "map", "entries"}``)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("type") == "map" and "entries" in node:
                entries = dict((key, value) for key, value in node["entries"] if isinstance(key, str))
                if {"problems", "mode", "lang"} <= entries.keys():
                    found.append(entries)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(document)
    assert len(found) == 1, f"expected one player options dict, found {len(found)}"
    return found[0]


def test_page_loads_plainly_for_every_hostile_value(roomy_server):
    values = all_values()
    assert len(values) >= 250
    for index, value in enumerate(values):
        status, body = fetch(roomy_server.url + query_for(index, value))
        assert status == 200, (index, value[:60])
        assert not any(marker in body for marker in TRACEBACK_MARKERS), (index, value[:60])
        if MARKUP_CHARS & set(value):
            assert value not in body, f"value {index} echoed raw into the page: {value[:60]!r}"


@pytest.mark.parametrize("value", [v for v in HOSTILE if len(v) <= LONG_VALUE_CHARS][::4])
def test_document_options_stay_in_closed_lists(roomy_server, visitors, value):
    async def pull() -> dict:
        visitor = await open_session(roomy_server.url + query_for(0, value))
        visitor.close()
        return visitor.document

    document = visitors.run(pull())
    assert document is not None
    assert "Traceback" not in json.dumps(document)
    options = find_options(document)
    assert options["mode"] in MODES and options["lang"] in LANGS and options["view"] in ("", *VIEWS)
    assert options["embed"] in (True, False) and options["autoplay"] in (True, False)
    for name, shown_value in options["problems"]:
        assert name in PARAMETERS
        assert shown_value == shown(value) and len(shown_value) <= SHOWN_VALUE_CHARS
        assert all(ch.isprintable() for ch in shown_value)


SCRIPT_QUERIES = (
    {"stage": f"<script>{PWNED}</script>", "focus": f"\"><img src=x onerror=\"{PWNED}\">",
     "lang": f"<svg onload={PWNED}>"},
    {"view": f"</script><script>{PWNED}</script>", "mode": f"'><img src=x onerror='{PWNED}'>",
     "embed": f"javascript:{PWNED}"},
)


@pytest.mark.browser
@pytest.mark.parametrize("query", SCRIPT_QUERIES, ids=["stage-focus-lang", "view-mode-embed"])
def test_no_script_runs_in_the_browser(chromium, roomy_server, query):
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        w = watch(page)
        page.goto(roomy_server.url + "?" + urlencode(query))
        wait_drawn(page)
        page.wait_for_timeout(500)
        assert page.evaluate("window.__pwned") is None, "a script in a URL value ran"
        notice = page.evaluate("window.mildPlayers[0].noticeEl.textContent")
        for value in query.values():
            assert shown(value) in notice, (value, notice)
        assert page.evaluate("document.querySelectorAll('img[src=x], svg[onload]').length") == 0
        assert not w.foreign_requests
    finally:
        context.close()
