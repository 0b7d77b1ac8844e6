"""Fixtures for the browser tests: one app server and one Chromium per test session."""

from __future__ import annotations

import pytest
from tests.web.browser import AppServer, external_url, wait_drawn, watch


@pytest.fixture(scope="session")
def app_url():
    url = external_url()
    if url:
        yield url
        return
    server = AppServer()
    yield server.url
    server.close()


@pytest.fixture
def open_page(browser, app_url):
    """open_page(query="", **context_options) -> (page, watch): a drawn page of the app."""
    contexts = []

    def _open(query: str = "", *, wait: bool = True, **context_options):
        context_options.setdefault("viewport", {"width": 1024, "height": 768})
        context = browser.new_context(**context_options)
        contexts.append(context)
        page = context.new_page()
        w = watch(page)
        page.goto(f"{app_url}{query}")
        if wait:
            wait_drawn(page)
        return page, w

    yield _open
    for context in contexts:
        context.close()
