"""The foundation slice in a real browser: the page draws, plays client-side,
deep links change the picture, bad parameters are handled."""

from __future__ import annotations

import time

from tests.web.browser import canvas_pixels, changed_share, not_blank, save_artifact, settle, stage_title, wait_stage

PLAYBACK_WS_BUDGET_BYTES_PER_S = 2048


def test_page_draws_without_errors_or_foreign_requests(open_page):
    page, w = open_page()
    image = canvas_pixels(page)
    save_artifact("foundation-healthy.png", image)
    assert not_blank(image)
    assert page.get_by_role("button", name="Play").is_visible()
    assert w.errors == []
    assert w.foreign_requests == []


def test_play_changes_the_picture_and_pause_stops(open_page):
    page, _ = open_page()
    before = canvas_pixels(page)
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(4000)
    page.get_by_role("button", name="Pause").click()
    settle(page)
    after = canvas_pixels(page)
    save_artifact("foundation-after-play.png", after)
    assert changed_share(before, after) > 0.005
    assert page.get_by_role("button", name="Play").is_visible()
    page.wait_for_timeout(1000)
    assert changed_share(after, canvas_pixels(page)) < 0.001, "the picture moved after Pause"


def test_playback_sends_no_frames_over_the_websocket(open_page):
    page, w = open_page()
    page.get_by_role("button", name="Play").click()
    t0 = time.monotonic()
    first = canvas_pixels(page)
    page.wait_for_timeout(5000)
    t1 = time.monotonic()
    assert changed_share(first, canvas_pixels(page)) > 0.005, "the animation did not run"
    assert w.ws_bytes_between(t0, t1) <= PLAYBACK_WS_BUDGET_BYTES_PER_S * (t1 - t0)


def test_stage_deep_link_shows_a_different_picture(open_page):
    healthy, _ = open_page("?stage=healthy")
    stenosis, _ = open_page("?stage=stenosis")
    a, b = canvas_pixels(healthy), canvas_pixels(stenosis)
    save_artifact("foundation-stenosis.png", b)
    assert changed_share(a, b) > 0.01
    wait_stage(stenosis, "stenosis")
    assert "stage=stenosis" in stenosis.url


def test_unknown_parameters_give_a_plain_message_and_the_page_still_draws(open_page):
    page, w = open_page("?stage=nowhere&mode=%3Cscript%3Ealert(1)%3C/script%3E&autoplay=maybe")
    notice = page.get_by_role("alert")
    text = notice.inner_text()
    assert "nowhere" in text and "Traceback" not in text
    assert page.locator(".mild-title").inner_text() == stage_title("healthy")
    assert page.locator(".mild-root.mild-patient").count() == 1
    assert page.locator("script", has_text="alert(1)").count() == 0
    assert w.errors == []
