"""The standalone HTML export opens from disk with the network blocked, draws,
plays and steps through every stage."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.web.browser import (MIN_CONTRAST, REPO, canvas_pixels, catalogue_meta, contrast_ratio, element_pixels, mean_difference,
                               not_blank, save_artifact, screenshot, settle, stage_ids, wait_drawn, wait_stage, watch)
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


def test_html_shows_the_note_and_the_consult_offline(browser, story_html):
    context = browser.new_context(viewport={"width": 810, "height": 1080})
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:", "blob:")) else route.abort())
    page = context.new_page()
    w = watch(page)
    page.goto(story_html.as_uri())
    wait_drawn(page)
    text = catalogue_meta()["text"]["en"]
    note = page.get_by_text(text["ui"]["disclaimer"])
    assert note.is_visible()
    assert contrast_ratio(element_pixels(note)) >= MIN_CONTRAST
    assert note.bounding_box()["y"] + note.bounding_box()["height"] <= page.locator(".mild-view canvas").bounding_box()["y"] + 1, \
        "the note sits above the 3D view"
    page.get_by_role("button", name=text["ui"]["consult_open"]["patient"]).click()
    dialog = page.get_by_role("dialog", name=text["consult"]["title"]["patient"])
    assert dialog.get_by_text(text["evidence"]["patient"]).is_visible()
    save_artifact("standalone-consult.png", screenshot(page))
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert w.errors == []
    context.close()


def test_html_of_a_patients_scan_tells_the_patient_what_is_an_example(browser, tmp_path):
    """A patient's own story as a file (viz.export.html.write_html with the patient's bundle):
    the patient view says which levels the scan lacks and that the narrowing is an example."""
    from viz.export.html import write_html
    from viz.export.scan_import import patient_bundle
    from viz.scan.upload import anatomy_from_upload

    scan = REPO / "tests" / "scan" / "data" / "totalsegmentator-example" / "example_seg.nii.gz"
    out = write_html(str(tmp_path / "mine.html"), lang="es", bundle=patient_bundle(anatomy_from_upload(scan.name, scan.read_bytes())))
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.goto(out.as_uri())
    wait_drawn(page)
    notice = page.get_by_text("No muestra")
    assert notice.is_visible()
    text = notice.inner_text()
    assert "L3–L4" in text and "L4–L5" in text and "ejemplo" in text, text
    canvas = page.locator(".mild-view canvas").bounding_box()
    assert notice.bounding_box()["y"] + notice.bounding_box()["height"] <= canvas["y"] + 1, "above the 3D view, not over it"
    save_artifact("standalone-patient-scan-es.png", screenshot(page))
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
