"""Fixtures shared by every test folder: one Playwright driver and one Chromium per worker.

Playwright's sync API allows one driver per process, so the web and hardening
tests share this one. Under pytest-xdist (``scripts/test.sh``) every test that
uses the browser goes to one worker, in one group scheduled first, so the one
Chromium and the one app server of that worker serve them all while the other
worker runs the rest.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.web.browser import launch

BROWSER_GROUP = "browser"


def pytest_collection_modifyitems(config, items):
    """Group the tests that drive Chromium on one worker and schedule that group first."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group(BROWSER_GROUP))
    items.sort(key=lambda item: "browser" not in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
