"""Shared fixtures for the anatomy tests: one web-detail anatomy per session.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior).
"""

from __future__ import annotations

import pytest

from viz.models.anatomy import STATES, build_anatomy
from viz.models.metrics import anatomy_state_metrics


@pytest.fixture(scope="session")
def anatomy():
    """The default anatomy (L4-L5 stenosis, severity 1) built from scratch at web detail."""
    return build_anatomy("web")


@pytest.fixture(scope="session")
def state_metrics(anatomy):
    """Metrics of each state, measured on the meshes."""
    return {state: anatomy_state_metrics(anatomy, state) for state in STATES}
