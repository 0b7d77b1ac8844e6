"""Know what you are looking at: tap-to-name, hotspots, focus links (issue 10)."""

from __future__ import annotations

import math
import re

import numpy as np

from tests.web.browser import canvas_pixels, catalogue_meta, settle
from tests.web.projection import project

LIGAMENT = "ligamentum_flavum_L4-L5_left"
HIGHLIGHT_RGB = (38, 191, 242)
"""The picked structure's colour (ui/picking.js HIGHLIGHT_RGB 0.15, 0.75, 0.95)."""
ORBIT_RAD_PER_HEIGHT = 1.2 * math.pi
"""A drag across the view's whole height turns the camera by this angle (core/camera.js orbit)."""


def canvas_origin(page):
    box = page.locator(".mild-view canvas").bounding_box()
    return box["x"], box["y"]


def point_of(page, name):
    point = page.evaluate(f"window.mildPlayers[0].picker.screenPointOf({name!r})")
    assert point, f"{name} is not visible"
    x0, y0 = canvas_origin(page)
    return x0 + point["x"], y0 + point["y"]


def pixel(image, x, y, origin):
    return image[int(round(y - origin[1])), int(round(x - origin[0]))].astype(int)


def structure_name(lang, kind, mode="patient"):
    return catalogue_meta()["text"][lang]["structures"][kind][mode]["name"]


def test_click_names_and_highlights_a_structure(open_page):
    page, _ = open_page("?stage=healthy&view=back")
    x, y = point_of(page, "L4")
    before = canvas_pixels(page)
    page.mouse.click(x, y)
    settle(page)
    label = page.locator(".mild-label")
    assert label.is_visible()
    assert structure_name("en", "vertebra") in label.inner_text()
    after = canvas_pixels(page)
    origin = canvas_origin(page)
    assert np.abs(pixel(after, x, y, origin) - pixel(before, x, y, origin)).sum() > 40
    page.mouse.click(x, y)
    settle(page)
    assert not label.is_visible()


def test_tap_names_a_structure_on_a_tablet_in_spanish(open_page):
    page, _ = open_page("?stage=healthy&view=back&lang=es", viewport={"width": 1024, "height": 768}, has_touch=True)
    x, y = point_of(page, "L3")
    page.touchscreen.tap(x, y)
    label = page.locator(".mild-label")
    label.wait_for(state="visible")
    assert structure_name("es", "vertebra") in label.inner_text()


def pins_on_screen(page):
    """Every hotspot pin: its part, where it is drawn and where its point projects, and whether it is hidden."""
    meta = catalogue_meta()
    spots = {s["part"]: s["position_mm"] for s in next(st for st in meta["stages"] if st["id"] == "stenosis")["hotspots"]}
    camera = page.evaluate("window.mildPlayers[0].rig.get()")
    box = page.locator(".mild-view").bounding_box()
    out = []
    for pin in page.locator(".mild-pin-wrap").all():
        shown = re.match(r"translate\(([-0-9.e]+)px, ([-0-9.e]+)px\)", pin.get_attribute("style").split("transform:")[1].strip())
        expected = project(camera, spots[pin.get_attribute("data-part")], box["width"], box["height"], meta["playback"]["view_angle_deg"])
        out.append({"part": pin.get_attribute("data-part"), "hidden": pin.get_attribute("hidden") is not None,
                    "shown": (float(shown[1]), float(shown[2])), "expected": expected})
    return out


def test_hotspots_stay_on_their_anatomy_and_hide_when_occluded(open_page):
    page, _ = open_page("?stage=stenosis&view=back")
    assert page.locator(".mild-pin-wrap").count() >= 2

    def check_positions():
        pins = pins_on_screen(page)
        for pin in pins:
            if not pin["hidden"]:
                assert abs(pin["expected"][0] - pin["shown"][0]) < 3 and abs(pin["expected"][1] - pin["shown"][1]) < 3, pin
        return pins

    check_positions()
    box = page.locator(".mild-view canvas").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*centre)
    page.mouse.down()
    page.mouse.move(centre[0] + 60, centre[1], steps=8)
    page.mouse.up()
    settle(page)
    check_positions()
    half_turn_px = math.pi / ORBIT_RAD_PER_HEIGHT * box["height"] - 60      # round to the front of the spine
    start = (centre[0] - half_turn_px / 2, centre[1])
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + half_turn_px, start[1], steps=20)
    page.mouse.up()
    settle(page)
    ligament_pin = next(p for p in check_positions() if p["part"].startswith("ligamentum_flavum"))
    assert ligament_pin["hidden"], "a pin behind the vertebral bodies should hide"
    shown = page.locator(".mild-pin-wrap:visible")
    for view in ("back", "axial", "oblique", "side"):
        page.get_by_role("combobox", name="View").select_option(view)
        settle(page)
        if shown.count():
            break
    assert shown.count() >= 1, "no hotspot is visible from any named view"
    shown.first.locator("button").click()
    text = shown.first.locator(".mild-pin-text")
    assert text.is_visible() and len(text.inner_text()) > 10


def test_focus_link_frames_the_ligament(open_page):
    page, w = open_page(f"?stage=stenosis&focus={LIGAMENT}&mode=clinician")
    assert page.locator(".mild-label").is_visible()
    assert f"focus={LIGAMENT}" in page.url
    image = canvas_pixels(page).astype(int)
    highlight = np.abs(image - np.array(HIGHLIGHT_RGB)).sum(axis=2) < 120
    assert highlight.mean() > 0.03
    ys, xs = np.nonzero(highlight)
    framed = (xs.max() - xs.min()) * (ys.max() - ys.min()) / highlight.size
    assert framed > 0.15, f"the ligament covers only {framed:.0%} of the view"
    assert xs.min() > 0 and ys.min() > 0 and xs.max() < image.shape[1] - 1 and ys.max() < image.shape[0] - 1, "the ligament is cut off"
    assert w.errors == []


def test_unknown_focus_gives_a_message_and_the_normal_view(open_page):
    page, _ = open_page("?focus=spleen")
    assert "spleen" in page.get_by_role("alert").inner_text()
    assert not page.locator(".mild-label").is_visible()
    assert "focus=" not in page.url
