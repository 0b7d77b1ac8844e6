"""Fixtures of the scene tests: the cached anatomy and the scene bundle, built once per session."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def anatomy():
    """The standard anatomy (web level of detail) from the model cache."""
    from viz.models.cache import load_anatomy

    return load_anatomy()


@pytest.fixture(scope="session")
def bundle():
    """The scene bundle as every consumer reads it (``assets/meshes``, rebuilt when stale)."""
    from viz.scenes.bundle import load_bundle

    return load_bundle()


@pytest.fixture(scope="session")
def meta(bundle):
    return bundle.meta


@pytest.fixture(scope="session")
def stages(meta):
    """Stage entries of the bundle by id."""
    return {stage["id"]: stage for stage in meta["stages"]}
