"""Fixtures shared by every test folder: one Playwright driver and one Chromium per test run.

Playwright's sync API allows one driver per process, so the web and hardening
tests share this one.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import sync_playwright

from tests.web.browser import launch


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
