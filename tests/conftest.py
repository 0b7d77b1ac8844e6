"""Fixtures shared by every test folder: one Playwright driver and one Chromium per worker.

Playwright's sync API allows one driver per process, so the web and hardening
tests share this one. Under pytest-xdist (``scripts/test.sh``, ``--dist loadfile``)
each worker has its own Chromium and app server; the files of tests that drive
Chromium are the longest, so they are scheduled first and the short ones fill in.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.web.browser import launch


def pytest_collection_modifyitems(config, items):
    """Schedule the tests that drive Chromium first."""
    items.sort(key=lambda item: "browser" not in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
