"""The app for its three audiences, in a real browser (issue 6)."""

from __future__ import annotations

import pytest

from tests.web.browser import canvas_pixels, changed_share, mean_difference, not_blank, save_artifact, settle, wait_drawn
from tests.web.gestures import drag, pinch, two_finger_pan

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "is_mobile": False}


def camera(page):
    return page.evaluate("(() => { const b = window.mildPlayers[0].rig.basis(); return {pos: b.position_mm, distance: b.distance}; })()")


@pytest.mark.parametrize("query", ["", "?mode=clinician", "?embed=1"])
def test_each_mode_draws_and_plays(open_page, query):
    page, w = open_page(query)
    before = canvas_pixels(page)
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(4000)
    page.get_by_role("button", name="Pause").click()
    settle(page)
    assert changed_share(before, canvas_pixels(page)) > 0.005
    assert w.errors == [] and w.foreign_requests == []


def test_every_stage_deep_link_renders_its_own_picture(open_page, app_url):
    page, _ = open_page()
    stage_ids = page.evaluate("window.mildPlayers[0].story.stages.map((s) => s.id)")
    pictures = {}
    for stage in stage_ids:
        page.goto(f"{app_url}?stage={stage}")          # a fresh load, as a followed link
        wait_drawn(page)
        assert page.evaluate("window.mildPlayers[0].stage.id") == stage
        pictures[stage] = canvas_pixels(page)
        save_artifact(f"stage-{stage}.png", pictures[stage])
    for a, b in zip(stage_ids, stage_ids[1:]):
        assert changed_share(pictures[a], pictures[b]) > 0.01, f"{a} and {b} look the same"


def test_touch_rotates_zooms_and_pans_on_a_tablet(open_page):
    page, _ = open_page("?stage=stenosis", **TABLET)
    box = page.locator(".mild-view canvas").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before_image, before = canvas_pixels(page), camera(page)
    drag(page, centre, (centre[0] + 150, centre[1]))
    settle(page)
    rotated = camera(page)
    assert max(abs(a - b) for a, b in zip(rotated["pos"], before["pos"])) > 20
    assert mean_difference(before_image, canvas_pixels(page)) > 2.0
    pinch(page, centre, 100, 180)
    settle(page)
    assert camera(page)["distance"] < rotated["distance"] * 0.8
    zoomed = camera(page)
    two_finger_pan(page, centre, (200, 0))
    settle(page)
    assert abs(camera(page)["distance"] - zoomed["distance"]) < zoomed["distance"] * 0.1
    assert max(abs(a - b) for a, b in zip(camera(page)["pos"], zoomed["pos"])) > 3
    page.get_by_role("button", name="Reset view").tap()
    settle(page)


def test_keyboard_controls(open_page):
    page, _ = open_page()
    page.locator("body").press("ArrowRight")
    page.wait_for_function("window.mildPlayers[0].stage.id === 'stenosis' && window.mildPlayers[0].playing")
    page.keyboard.press("Space")
    page.wait_for_function("window.mildPlayers[0].playing === false")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("window.mildPlayers[0].stage.id === 'healthy'")
    page.keyboard.press("Home")
    page.wait_for_function("window.mildPlayers[0].stage.id === 'healthy'")
    page.keyboard.press("Space")
    page.wait_for_function("window.mildPlayers[0].playing === true")
    page.keyboard.press("Space")
    page.wait_for_function("window.mildPlayers[0].playing === false")


def test_embed_mode_has_no_chrome_and_fills_its_frame(open_page):
    page, _ = open_page("?embed=1", viewport={"width": 640, "height": 400})
    assert not page.locator(".mild-top").is_visible()
    assert page.locator(".mild-side").count() == 0
    assert page.get_by_role("button", name="Play").is_visible()
    box = page.locator(".mild-view canvas").bounding_box()
    assert box["width"] >= 630 and box["height"] >= 390
    assert not_blank(canvas_pixels(page))


def test_two_sessions_stay_independent(open_page):
    a, _ = open_page()
    b, _ = open_page()
    a.get_by_role("button", name="Next step").click()
    a.wait_for_function("window.mildPlayers[0].stage.id === 'stenosis'")
    a.locator(".mild-view canvas").click()
    b.wait_for_timeout(1000)
    assert b.evaluate("window.mildPlayers[0].stage.id") == "healthy"
    assert "stage=stenosis" in a.url and "stage=stenosis" not in b.url


def test_touch_targets_labels_and_reduced_motion(open_page):
    page, _ = open_page("?autoplay=1", reduced_motion="reduce")
    assert page.evaluate("window.mildPlayers[0].playing") is False
    controls = page.locator(".mild-root button:visible, .mild-root select:visible, .mild-root a:visible")
    assert controls.count() >= 8
    for i in range(controls.count()):
        control = controls.nth(i)
        label = control.get_attribute("aria-label") or control.inner_text().strip()
        box = control.bounding_box()
        assert label, "a control has no accessible name"
        assert box["width"] >= 44 and box["height"] >= 44, (label, box)


def test_read_aloud_follows_the_current_step(open_page):
    page, _ = open_page()
    button = page.get_by_role("button", name="Read aloud")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    title = page.locator(".mild-title").inner_text()
    assert title in page.evaluate("window.mildPlayers[0].lastSpoken")
    page.get_by_role("button", name="Next step").click()
    page.wait_for_function("window.mildPlayers[0].stage.id === 'stenosis'")
    assert page.locator(".mild-title").inner_text() in page.evaluate("window.mildPlayers[0].lastSpoken")


def test_patient_mode_before_after_and_teach_back(open_page):
    page, _ = open_page("?stage=decompressed")
    slider = page.get_by_role("slider", name="Compare before and after")
    after = canvas_pixels(page)
    slider.fill("0")
    settle(page)
    before = canvas_pixels(page)
    assert changed_share(before, after) > 0.002
    page.get_by_role("button", name="Next step").click()
    page.wait_for_function("window.mildPlayers[0].stage.id === 'recovery'")
    page.evaluate("window.mildPlayers[0].setPlaying(false)")
    page.locator(".mild-extra button").click()
    dialog = page.get_by_role("dialog")
    dialog.locator(".mild-choice").first.click()
    feedback = dialog.locator(".mild-quiz-feedback").inner_text()
    assert len(feedback) > 20
    assert page.locator(".mild-disclaimer").is_visible()


def test_clinician_metrics_follow_the_animation(open_page):
    page, _ = open_page("?mode=clinician&stage=stenosis")
    csa_stenosis = float(page.locator("[data-metric=csa] td").inner_text())
    page.goto(page.url.split("?")[0] + "?mode=clinician&stage=decompressed")
    page.wait_for_function("window.mildPlayers && window.mildPlayers[0] && window.mildPlayers[0].stats.draws > 0")
    settle(page)
    csa_after = float(page.locator("[data-metric=csa] td").inner_text())
    assert csa_stenosis <= 75 and csa_after >= 1.3 * csa_stenosis
    inset = page.locator("canvas.mild-inset")
    assert inset.is_visible()
    page.get_by_role("checkbox", name="Bones").uncheck()
    settle(page)


def test_clinician_can_draw_clear_and_keep_the_drawing(open_page):
    page, _ = open_page("?mode=clinician")
    page.get_by_role("button", name="Draw").click()
    box = page.locator(".mild-view canvas").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x - 60, y)
    page.mouse.down()
    for i in range(12):
        page.mouse.move(x - 60 + i * 10, y + (i % 3) * 8)
    page.mouse.up()
    assert page.evaluate("window.mildPlayers[0].sketch.strokes.length") == 1
    page.get_by_role("checkbox", name="Keep the drawing in the link").check()
    assert "#draw=" in page.url
    page.get_by_role("button", name="Clear").click()
    assert page.evaluate("window.mildPlayers[0].sketch.strokes.length") == 0
