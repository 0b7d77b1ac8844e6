"""Fixtures of the scan-import tests (helpers live in ``scan_fixtures.py``)."""

from __future__ import annotations

import tempfile

import pytest


@pytest.fixture(scope="session")
def template():
    """The template anatomy (web level of detail), as the app uses it."""
    from viz.models.cache import load_anatomy

    return load_anatomy()


@pytest.fixture
def no_temp_files(tmp_path, monkeypatch):
    """Point the temporary-file API at an empty folder; yield it (tests check it stays empty)."""
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    yield temp
