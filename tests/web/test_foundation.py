"""The foundation slice in a real browser: the page draws, plays client-side,
deep links change the picture, bad parameters are handled."""

from __future__ import annotations

import time

from tests.web.browser import canvas_pixels, changed_share, mean_difference, not_blank, save_artifact, settle, wait_drawn

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


def test_playback_sends_no_frames_over_the_websocket(open_page):
    page, w = open_page()
    page.get_by_role("button", name="Play").click()
    t0 = time.monotonic()
    page.wait_for_timeout(5000)
    t1 = time.monotonic()
    draws = page.evaluate("window.mildPlayers[0].stats.draws")
    assert draws > 20, "the animation did not run"
    assert w.ws_bytes_between(t0, t1) <= PLAYBACK_WS_BUDGET_BYTES_PER_S * (t1 - t0)


def test_stage_deep_link_shows_a_different_picture(open_page):
    healthy, _ = open_page("?stage=healthy")
    stenosis, _ = open_page("?stage=stenosis")
    a, b = canvas_pixels(healthy), canvas_pixels(stenosis)
    save_artifact("foundation-stenosis.png", b)
    assert changed_share(a, b) > 0.01
    assert stenosis.evaluate("window.mildPlayers[0].stage.id") == "stenosis"
    assert "stage=stenosis" in stenosis.url


def test_unknown_parameters_give_a_plain_message_and_the_page_still_draws(open_page):
    page, w = open_page("?stage=nowhere&mode=%3Cscript%3Ealert(1)%3C/script%3E&autoplay=maybe")
    notice = page.get_by_role("alert")
    text = notice.inner_text()
    assert "nowhere" in text and "Traceback" not in text
    assert page.evaluate("window.mildPlayers[0].stage.id") == "healthy"
    assert page.evaluate("window.mildPlayers[0].options.mode") == "patient"
    assert page.locator("script", has_text="alert(1)").count() == 0
    assert w.errors == []
