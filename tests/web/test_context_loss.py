"""Survive a lost WebGL context (issue 18): tablets drop it when the app goes to the
background; the player rebuilds its view when the browser gives it back."""

from __future__ import annotations

from tests.web.browser import canvas_pixels, mean_difference, not_blank, save_artifact, settle

LOSE = """(canvas) => {
  window.loseContext = canvas.getContext('webgl2').getExtension('WEBGL_lose_context');
  window.loseContext.loseContext();
}"""


def test_the_view_comes_back_after_a_lost_context(open_page):
    page, w = open_page("?stage=stenosis")
    before = canvas_pixels(page)
    page.locator(".mild-view canvas").evaluate(LOSE)
    page.wait_for_timeout(1000)
    page.evaluate("window.loseContext.restoreContext()")
    page.locator(".mild-view canvas").first.wait_for()
    settle(page)
    after = canvas_pixels(page)
    save_artifact("context-restored.png", after)
    assert page.locator(".mild-view canvas").count() == 1
    assert not_blank(after)
    assert mean_difference(before, after) < 3.0, "the restored view does not show the same step"
    page.get_by_role("button", name="Play").click()
    page.wait_for_timeout(1500)
    assert mean_difference(after, canvas_pixels(page)) > 1.0, "the restored view does not animate"
    assert w.errors == []
