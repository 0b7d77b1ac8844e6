"""Fixtures for the hardening tests: app servers with chosen limits, one Chromium."""

from __future__ import annotations

import pytest

from tests.hardening.protocol import VisitorLoop
from tests.web.browser import REPO, AppServer


@pytest.fixture(scope="session")
def current_caches():
    """Make the caches in assets/meshes current once, so each server starts in seconds."""
    from viz.scenes.bundle import load_bundle

    load_bundle()


@pytest.fixture(scope="session")
def roomy_server(current_caches):
    """An app server whose session cap is far away (fuzzing opens hundreds of sessions); log in test-artifacts."""
    (REPO / "test-artifacts").mkdir(exist_ok=True)
    server = AppServer(("--max-sessions", "5000"))
    yield server
    server.close()


@pytest.fixture(scope="module")
def small_server(current_caches):
    """An app server that holds at most two sessions."""
    server = AppServer(("--max-sessions", "2"))
    yield server
    server.close()


@pytest.fixture(scope="session")
def chromium(browser):
    """The run's one Chromium (see tests/conftest.py)."""
    return browser


@pytest.fixture
def visitors():
    """A :class:`VisitorLoop` for protocol visitors, closed after the test."""
    loop = VisitorLoop()
    yield loop
    loop.close()
