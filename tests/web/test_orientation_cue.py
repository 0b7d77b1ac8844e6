"""Patient views carry a small head/feet and back/front cue that follows the camera (issue 17).

The expected direction of the head on screen is computed here from the camera the page
draws with and the bundle's body directions (``meta.orientation``, LPS+), as a pinhole camera
sees a short step from the focal point toward the head; the cue's "Head" label must lie in
that direction from the cue's centre.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.web.browser import catalogue_meta, settle
from tests.web.gestures import drag
from tests.web.projection import project

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}
ANGLE_TOLERANCE_DEG = 8.0
STEP_MM = 5.0
"""A short step from the focal point toward the head, projected to find its direction on screen."""
DRAGS = [(160, 0), (0, -110), (140, 90), (-60, 150)]


def expected_angle(page, direction: str) -> tuple[float, float]:
    """Screen angle (degrees, 0 = right, 90 = up) of a body direction (meta.orientation) seen by
    the page's camera, and how much of it lies in the screen plane (0..1)."""
    meta = catalogue_meta()
    camera = page.evaluate("window.mildPlayers[0].rig.get()")
    view = page.locator(".mild-view").bounding_box()
    focal = np.asarray(camera["focal_point_mm"], float)
    toward = np.asarray(meta["orientation"][direction], float)
    angle = meta["playback"]["view_angle_deg"]
    x0, y0 = project(camera, focal, view["width"], view["height"], angle)
    x1, y1 = project(camera, focal + STEP_MM * toward, view["width"], view["height"], angle)
    sight = focal - np.asarray(camera["position_mm"], float)
    in_plane = math.sqrt(max(0.0, 1 - (toward @ sight / np.linalg.norm(sight)) ** 2))
    return math.degrees(math.atan2(-(y1 - y0), x1 - x0)), in_plane


def label_angle(cue, word: str) -> float:
    disc = cue.bounding_box()
    label = cue.get_by_text(word, exact=True).bounding_box()
    dx = label["x"] + label["width"] / 2 - (disc["x"] + disc["width"] / 2)
    dy = label["y"] + label["height"] / 2 - (disc["y"] + disc["height"] / 2)
    return math.degrees(math.atan2(-dy, dx))


def angle_between(a: float, b: float) -> float:
    return abs((a - b + 180) % 360 - 180)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_head_arrow_follows_the_camera_as_the_view_turns(open_page, lang):
    page, w = open_page(f"?stage=healthy&view=back&lang={lang}", **TABLET)
    words = catalogue_meta()["text"][lang]["ui"]["orientation"]
    cue = page.get_by_role("img", name=words["head"])
    assert cue.is_visible()
    box = cue.bounding_box()
    assert box["width"] <= 140 and box["height"] <= 140, "small"
    view = page.locator(".mild-view").bounding_box()
    centre = (view["x"] + view["width"] * 0.4, view["y"] + view["height"] * 0.5)
    seen = []
    for dx, dy in [(0, 0)] + DRAGS:
        if dx or dy:
            drag(page, centre, (centre[0] + dx, centre[1] + dy))
            settle(page)
        expected, in_plane = expected_angle(page, "head")
        if in_plane < 0.7:
            continue                                  # the head points mostly at or away from the viewer
        shown = label_angle(cue, words["head"])
        assert angle_between(shown, expected) <= ANGLE_TOLERANCE_DEG, f"after a drag of {dx, dy}: head drawn at {shown:.0f}°, seen at {expected:.0f}°"
        seen.append(expected)
    assert len(seen) >= 3
    assert max(angle_between(a, 90) for a in seen) > 20, "the drags never turned the head away from straight up"
    assert w.errors == []


def test_clinician_and_looking_down_the_canal(open_page):
    page, _ = open_page("?stage=stenosis&mode=clinician")
    assert page.locator(".mild-cue").count() == 0, "surgeons read the anatomy without it"
    page, _ = open_page("?stage=stenosis&view=axial")
    words = catalogue_meta()["text"]["en"]["ui"]["orientation"]
    cue = page.get_by_role("img", name=words["back"])
    expected, in_plane = expected_angle(page, "back")
    assert in_plane > 0.7
    assert angle_between(label_angle(cue, words["back"]), expected) <= ANGLE_TOLERANCE_DEG
