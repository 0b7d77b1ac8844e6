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


@pytest.fixture(scope="session")
def l3_l4_scan():
    """A scan (L3, L4, L5, dural sac) voxelized from the model narrowed at L3–L4: narrowest at L3–L4."""
    from tests.scan.scan_fixtures import TOTALSEGMENTATOR, upload_from
    from viz.models.anatomy import build_anatomy

    source = build_anatomy(lod="web", severity={"L3-L4": 1.0})
    return source, upload_from(source, {name: TOTALSEGMENTATOR[name] for name in ("L3", "L4", "L5", "dural_sac")})


@pytest.fixture(scope="session")
def l3_l4_bundle(l3_l4_scan):
    """The scene bundle built on that patient's anatomy."""
    from viz.scenes.bundle import build_bundle

    return build_bundle(l3_l4_scan[1].anatomy)
