"""The standalone HTML export opens from disk with the network blocked, draws,
plays and steps through every stage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.web.browser import (REPO, canvas_pixels, mean_difference, not_blank, save_artifact, settle, stage_ids, wait_drawn,
                               wait_stage, watch)
from viz.export.html import MAX_HTML_BYTES


@pytest.fixture(scope="module")
def story_html(tmp_path_factory):
    out = tmp_path_factory.mktemp("html") / "story.html"
    result = subprocess.run([sys.executable, "-m", "viz", "html", "--out", str(out)], cwd=REPO,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return out


def test_html_is_one_file_within_budget(story_html):
    text = story_html.read_text(encoding="utf-8")
    assert story_html.stat().st_size <= MAX_HTML_BYTES
    assert "http://" not in text.split("<script type=\"module\">")[0].split("<body>")[0]
    assert "<script src=" not in text and "<link " not in text


def test_html_plays_offline_through_every_stage(browser, story_html):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    blocked = []

    def block(route):
        if not route.request.url.startswith(("file:", "data:", "blob:")):
            blocked.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    context.route("**/*", block)
    page = context.new_page()
    w = watch(page)
    page.goto(story_html.as_uri())
    wait_drawn(page)
    first = canvas_pixels(page)
    wait_stage(page, stage_ids()[0])
    page.evaluate("window.mildPlayers[0].speed = 8")   # each step still plays, eight times faster (a test hook)
    next_button = page.get_by_role("button", name="Next step")
    for stage in stage_ids()[1:]:
        next_button.click()
        wait_stage(page, stage)
        page.get_by_role("button", name="Play").wait_for(timeout=60_000)   # the step played to its end
        settle(page)
        assert not_blank(canvas_pixels(page))
    last = canvas_pixels(page)
    save_artifact("standalone-last-stage.png", last)
    assert mean_difference(first, last) > 2.0
    page.get_by_role("button", name="Restart").click()
    page.get_by_role("button", name="Pause").wait_for()
    assert blocked == [] and w.foreign_requests == []
    assert w.errors == []
    context.close()


def test_html_refuses_bad_output(tmp_path):
    existing = tmp_path / "story.html"
    existing.write_text("keep me")
    for args in (["--out", str(existing)], ["--out", str(tmp_path / "story.txt")], ["--out", str(tmp_path / "x.html"), "--lang", "fr"]):
        result = subprocess.run([sys.executable, "-m", "viz", "html", *args], cwd=REPO, capture_output=True, text=True)
        assert result.returncode == 2
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert existing.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story.html"]
