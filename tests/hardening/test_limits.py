"""Unit checks of the busy page, the session gate and the failure page (no server)."""

from __future__ import annotations

import html.parser

import panel as pn

from viz.web import server
from viz.web.limits import BUSY_TEXT, SessionGate, busy_html, carried_query


class _Tags(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.refresh = [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if attrs.get("http-equiv") == "refresh":
            self.refresh = attrs["content"]


def test_carried_query_keeps_only_page_options_shortened():
    query = carried_query({"lang": [b"es"], "junk": [b"x"], "focus": ["<b>".encode() * 30],
                           "stage": [b"stenosis", b"healthy"]})
    assert query.startswith("?stage=stenosis&lang=es&focus=")
    assert "junk" not in query and "<" not in query and len(query) < 200
    assert carried_query({}) == ""


def test_busy_page_is_plain_and_escapes_its_link():
    page = busy_html("/app?stage=\"><script>x</script>", retry_s=7)
    parser = _Tags()
    parser.feed(page)
    assert "script" not in parser.tags
    assert parser.refresh == "7; url=/app?stage=\"><script>x</script>"
    assert BUSY_TEXT["heading"] in page and "error" not in page.lower()


def test_gate_admits_below_the_cap_and_other_paths_always():
    live = [0]
    gate = SessionGate(3, count=lambda: live[0])
    assert gate.authorize(None, "/app") is True
    live[0] = 3
    assert gate.authorize(None, "/static/js/bokeh.min.js") is True
    assert gate.turned_away == 0


def test_a_failing_page_shows_one_calm_sentence(monkeypatch):
    def broken():
        raise RuntimeError("bundle missing: /secret/path")

    monkeypatch.setattr(server, "serve_page", broken)
    page = server.app_page()
    assert isinstance(page, pn.pane.Str)
    assert page.object == server.FAILED_PAGE_TEXT and "/secret" not in page.object
