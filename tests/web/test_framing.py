"""Frame for the screen in hand (issue 18): at phone, portrait-tablet and desktop sizes every
named view and the camera every story step ends on keep their subjects
(``meta["view_subjects"]``) inside the 3D view.

The subjects' points come from the bundle the server sends (every state, full detail, the
clipped side of a cut view left out); the camera is the one the player draws with; the
projection is a plain pinhole camera with the bundle's vertical view angle.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.web.browser import catalogue_meta, settle, stage_ids, wait_drawn
from tests.web.projection import project, subject_points

SIZES = {"phone": (390, 844), "tablet-portrait": (810, 1080), "desktop": (1024, 768)}
EDGE_PX = 1.0
"""Projected subject points may touch the view's edge by this much (rounding of the view's size)."""


def assert_in_view(page, view: str, what: str) -> None:
    camera = page.evaluate("window.mildPlayers[0].rig.get()")
    box = page.locator(".mild-view").bounding_box()
    clip = catalogue_meta()["views"][view].get("clip_plane")
    xy = np.array([project(camera, p, box["width"], box["height"], catalogue_meta()["playback"]["view_angle_deg"])
                   for p in subject_points(view, clip)[::7]])
    low, high = xy.min(axis=0), xy.max(axis=0)
    inside = low[0] >= -EDGE_PX and low[1] >= -EDGE_PX and high[0] <= box["width"] + EDGE_PX and high[1] <= box["height"] + EDGE_PX
    assert inside, f"{what}: subjects of {view} span x {low[0]:.0f}..{high[0]:.0f}, y {low[1]:.0f}..{high[1]:.0f} in a {box['width']:.0f}×{box['height']:.0f} view"


@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_view_keeps_its_subjects_in_view(open_page, size):
    width, height = SIZES[size]
    page, w = open_page("?stage=stenosis", viewport={"width": width, "height": height}, has_touch=size != "desktop")
    for view in catalogue_meta()["view_subjects"]:
        page.get_by_role("combobox", name="View").select_option(view)
        settle(page)
        assert_in_view(page, view, f"{size}, view {view}")
    assert w.errors == []


@pytest.mark.parametrize("size", sorted(SIZES))
def test_every_step_ends_with_its_subjects_in_view(open_page, app_url, size):
    width, height = SIZES[size]
    page, _ = open_page(viewport={"width": width, "height": height}, wait=False)
    meta = catalogue_meta()
    for stage in stage_ids():
        page.goto(f"{app_url}?stage={stage}&embed=1")
        wait_drawn(page)
        last = next(s for s in meta["stages"] if s["id"] == stage)["camera"][-1]
        if last.get("view") in meta["view_subjects"]:
            assert_in_view(page, last["view"], f"{size}, end of {stage}")
