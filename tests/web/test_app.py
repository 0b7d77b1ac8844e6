"""The app for its three audiences, in a real browser (issue 6).

Assertions are on what a visitor sees: pixels, headings, buttons, the address.
"""

from __future__ import annotations

import pytest

from tests.web.browser import (background_share, canvas_pixels, catalogue_meta, changed_share, foreground_centre, mean_difference,
                               not_blank, save_artifact, settle, stage_ids, stage_title, wait_drawn, wait_stage)
from tests.web.gestures import drag, pinch, two_finger_pan

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True, "is_mobile": False}
SKETCH_RGB = (255, 59, 107)
"""The drawing layer's ink (player.css / ui/sketch.js)."""


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
    pictures = {}
    for stage in stage_ids():
        page.goto(f"{app_url}?stage={stage}")          # a fresh load, as a followed link
        wait_drawn(page)
        wait_stage(page, stage)
        pictures[stage] = canvas_pixels(page)
        save_artifact(f"stage-{stage}.png", pictures[stage])
    for a, b in zip(stage_ids(), stage_ids()[1:]):
        assert changed_share(pictures[a], pictures[b]) > 0.01, f"{a} and {b} look the same"


def test_touch_rotates_zooms_and_pans_on_a_tablet(open_page):
    page, _ = open_page("?stage=stenosis&view=back", **TABLET)
    box = page.locator(".mild-view canvas").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    before = canvas_pixels(page)
    drag(page, centre, (centre[0] + 150, centre[1]))
    settle(page)
    rotated = canvas_pixels(page)
    assert mean_difference(before, rotated) > 2.0
    pinch(page, centre, 100, 180)
    settle(page)
    zoomed = canvas_pixels(page)
    assert background_share(zoomed) < background_share(rotated) - 0.05, "pinching apart did not enlarge the model"
    two_finger_pan(page, centre, (200, 0))
    settle(page)
    panned = canvas_pixels(page)
    assert foreground_centre(panned)[0] > foreground_centre(zoomed)[0] + 30, "the model did not follow two fingers"
    page.get_by_role("button", name="Reset view").tap()
    settle(page)
    assert mean_difference(panned, canvas_pixels(page)) > 2.0


def test_keyboard_controls(open_page):
    page, _ = open_page()
    page.locator("body").press("ArrowRight")
    wait_stage(page, "stenosis")
    assert page.get_by_role("button", name="Pause").is_visible()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Play").wait_for()
    page.keyboard.press("ArrowLeft")
    wait_stage(page, "healthy")
    page.keyboard.press("Home")
    wait_stage(page, "healthy")
    page.keyboard.press("Space")
    page.get_by_role("button", name="Pause").wait_for()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Play").wait_for()


def test_embed_mode_has_no_chrome_and_fills_its_frame(open_page):
    page, _ = open_page("?embed=1", viewport={"width": 640, "height": 400})
    assert not page.locator(".mild-top").is_visible()
    assert page.locator(".mild-side").count() == 0
    assert page.get_by_role("button", name="Play").is_visible()
    note = page.get_by_text(catalogue_meta()["text"]["en"]["ui"]["disclaimer"]).bounding_box()
    box = page.locator(".mild-view canvas").bounding_box()
    assert note["height"] <= 40, "one line of small print"
    assert box["width"] >= 630 and box["y"] >= note["y"] + note["height"] - 1 and box["y"] + box["height"] >= 399, "the view fills the frame under the note"
    assert not_blank(canvas_pixels(page))


def test_two_sessions_stay_independent(open_page):
    a, _ = open_page()
    b, _ = open_page()
    a.get_by_role("button", name="Next step").click()
    wait_stage(a, "stenosis")
    a.locator(".mild-view canvas").click()
    b.wait_for_timeout(1000)
    assert b.locator(".mild-title").inner_text() == stage_title("healthy")
    assert "stage=stenosis" in a.url and "stage=stenosis" not in b.url


def test_touch_targets_labels_and_reduced_motion(open_page):
    page, _ = open_page("?autoplay=1", reduced_motion="reduce")
    assert page.get_by_role("button", name="Play").is_visible()
    assert page.get_by_role("button", name="Pause").count() == 0
    controls = page.locator(".mild-root button:visible, .mild-root select:visible, .mild-root a:visible")
    assert controls.count() >= 8
    for i in range(controls.count()):
        control = controls.nth(i)
        label = control.get_attribute("aria-label") or control.inner_text().strip()
        box = control.bounding_box()
        assert label, "a control has no accessible name"
        assert box["width"] >= 44 and box["height"] >= 44, (label, box)


SPEECH_RECORDER = """
window.spoken = [];
if (window.speechSynthesis) window.speechSynthesis.speak = (utterance) => window.spoken.push(utterance.text);
"""


def test_read_aloud_follows_the_current_step(open_page, browser, app_url):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.add_init_script(SPEECH_RECORDER)
    page = context.new_page()
    page.goto(app_url)
    wait_drawn(page)
    button = page.get_by_role("button", name="Read aloud")
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert stage_title("healthy") in page.evaluate("window.spoken.at(-1)")
    page.get_by_role("button", name="Next step").click()
    wait_stage(page, "stenosis")
    assert stage_title("stenosis") in page.evaluate("window.spoken.at(-1)")
    context.close()


def test_patient_mode_before_after_and_teach_back(open_page):
    page, _ = open_page("?stage=decompressed")
    slider = page.get_by_role("slider", name="Compare before and after")
    after = canvas_pixels(page)
    slider.fill("0")
    settle(page)
    before = canvas_pixels(page)
    assert changed_share(before, after) > 0.002
    page.get_by_role("button", name="Next step").click()
    wait_stage(page, "recovery")
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name=catalogue_meta()["text"]["en"]["ui"]["quiz_open"]).click()
    dialog = page.get_by_role("dialog")
    dialog.locator(".mild-choice").first.click()
    feedback = dialog.locator(".mild-quiz-feedback").inner_text()
    assert len(feedback) > 20
    assert page.locator(".mild-disclaimer").is_visible()


def test_clinician_metrics_follow_the_animation(open_page):
    page, _ = open_page("?mode=clinician&stage=stenosis")
    csa_stenosis = float(page.locator("[data-metric=csa] td").inner_text())
    page.goto(page.url.split("?")[0] + "?mode=clinician&stage=decompressed")
    wait_drawn(page)
    csa_after = float(page.locator("[data-metric=csa] td").inner_text())
    assert csa_stenosis <= 75 and csa_after >= 1.3 * csa_stenosis
    inset = page.locator("canvas.mild-inset")
    assert inset.is_visible()
    with_bones = canvas_pixels(page)
    page.get_by_role("checkbox", name="Bones").uncheck()
    settle(page)
    assert changed_share(with_bones, canvas_pixels(page)) > 0.02


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
    sketch = page.locator("canvas.mild-sketch")
    assert inked_pixels(sketch) > 300                  # a 4-px line about 120 px long
    page.get_by_role("checkbox", name="Keep the drawing in the link").check()
    assert "#draw=" in page.url
    page.get_by_role("button", name="Clear").click()
    assert inked_pixels(sketch) == 0
    assert "#draw=" not in page.url


def inked_pixels(canvas) -> int:
    """Pixels of the drawing layer's own canvas in its ink colour (the layer is transparent elsewhere)."""
    return canvas.evaluate("""(c, rgb) => {
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (d[i + 3] > 200 && Math.abs(d[i] - rgb[0]) + Math.abs(d[i + 1] - rgb[1]) + Math.abs(d[i + 2] - rgb[2]) < 60) n++;
        }
        return n;
    }""", list(SKETCH_RGB))
