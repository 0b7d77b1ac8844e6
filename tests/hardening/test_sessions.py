"""Crowds and careless clients: a calm busy page at the cap, sessions freed when visitors leave."""

from __future__ import annotations

import asyncio
import http.client
from urllib.parse import urlparse

import pytest

from tests.hardening.protocol import open_session, pull_document, server_status, wait_sessions
from tests.web.browser import wait_drawn, watch
from viz.web.limits import BUSY_RETRY_S, BUSY_TEXT

BROWSER_TIMEOUT_MS = 90_000
"""Generous: other jobs may share the two cores."""
FREED_WITHIN_S = 45.0
"""Sessions of departed visitors must be gone within this (lifetime 8 s + check every 2 s, on a busy CPU)."""


def get_no_redirect(app_url: str, path: str) -> http.client.HTTPResponse:
    parts = urlparse(app_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    response.body = response.read()
    connection.close()
    return response


@pytest.mark.browser
def test_busy_page_at_the_cap_then_the_app_by_itself(small_server, chromium, visitors):
    wait_sessions(small_server.url, 0)
    holders = [visitors.run(open_session(small_server.url)) for _ in range(2)]
    assert server_status(small_server.url)["sessions"] == 2

    redirect = get_no_redirect(small_server.url, "/app?lang=es&view=side&junk=%3Cscript%3E")
    assert redirect.status == 302
    assert redirect.getheader("Location") == "/busy?lang=es&view=side"
    busy = get_no_redirect(small_server.url, redirect.getheader("Location"))
    body = busy.body.decode("utf-8")
    assert busy.status == 503 and busy.getheader("Retry-After") == str(BUSY_RETRY_S)
    assert f'content="{BUSY_RETRY_S}; url=/app?lang=es&amp;view=side"' in body
    assert "<script" not in body and "Traceback" not in body
    assert server_status(small_server.url)["turned_away"] >= 1

    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    try:
        page = context.new_page()
        w = watch(page)
        page.goto(small_server.url + "?lang=es")
        assert page.get_by_role("heading", name=BUSY_TEXT["heading"]).is_visible()
        for holder in holders:
            visitors.call(holder.close)
        page.wait_for_url("**/app?lang=es", timeout=FREED_WITHIN_S * 1000)
        wait_drawn(page, timeout_ms=60_000)
        assert page.evaluate("window.mildPlayers[0].options.lang") == "es"
        assert not w.foreign_requests
    finally:
        context.close()


@pytest.mark.browser
def test_departed_visitors_are_freed_and_others_keep_being_served(roomy_server, chromium, visitors):
    wait_sessions(roomy_server.url, 0, timeout_s=60.0)
    other = visitors.run(open_session(roomy_server.url))

    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    page.goto(roomy_server.url + "?autoplay=1", wait_until="commit")
    page.wait_for_function("window.mildPlayers && window.mildPlayers[0] && window.mildPlayers[0].playing")
    context.close()

    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(BROWSER_TIMEOUT_MS)
    page = context.new_page()
    page.goto(roomy_server.url, wait_until="domcontentloaded")
    for _ in range(4):
        page.reload(wait_until="domcontentloaded")
    context.close()

    async def many_tabs():
        tabs = await asyncio.gather(*[open_session(roomy_server.url) for _ in range(16)])
        assert all(tab.document is not None for tab in tabs)
        for index, tab in enumerate(tabs):
            tab.abort() if index % 2 else tab.close()
        newcomer = await open_session(roomy_server.url)
        assert newcomer.document is not None
        newcomer.close()
        assert await pull_document(other), "the visitor who stayed is still served"

    visitors.run(many_tabs())
    assert server_status(roomy_server.url)["sessions"] > 1
    sessions, waited_s = wait_sessions(roomy_server.url, 1, timeout_s=FREED_WITHIN_S)
    assert sessions == 1, f"{sessions} sessions still live {waited_s:.0f} s after their visitors left"
    assert visitors.run(pull_document(other))
    visitors.call(other.close)
