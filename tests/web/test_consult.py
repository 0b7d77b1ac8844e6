"""What a patient must hear, in the page itself (issue 17): "Is MILD right for me?", the
evidence with its sources, the "for learning only" note in every mode, how the real X-ray
screen looks, and the canal-depth note for surgeons. Words come from the text catalogue the
server sends; assertions are on what a visitor sees and can do.
"""

from __future__ import annotations

import numpy as np
import pytest

from tests.web.browser import MIN_CONTRAST, catalogue_meta, contrast_ratio, element_pixels, settle
from tests.web.projection import project, subject_points
from viz.scenes.bundle import load_bundle
from viz.scenes.timeline import read_array

SECTION_IDS = ("what_for", "who", "results", "risks", "alternatives")


def words(lang: str) -> dict:
    return catalogue_meta()["text"][lang]


def stage(stage_id: str) -> dict:
    return next(s for s in catalogue_meta()["stages"] if s["id"] == stage_id)


def headings(lang: str, voice: str, ids) -> list[str]:
    return [s["heading"][voice] for s in words(lang)["consult"]["sections"] if s["id"] in ids]


def open_consult(page, lang: str, voice: str):
    """Click the consult button in ``voice`` and return the catalogue and the sheet it opens."""
    text = words(lang)
    page.get_by_role("button", name=text["ui"]["consult_open"][voice]).click()
    return text, page.get_by_role("dialog", name=text["consult"]["title"][voice])


def has_focus(locator) -> bool:
    """Whether the keyboard is on this element (the player lives in a shadow root)."""
    return locator.evaluate("el => el.getRootNode().activeElement === el")


def focus_inside(locator) -> bool:
    return locator.evaluate("el => el.contains(el.getRootNode().activeElement)")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_patient_opens_the_consult_sheet_by_keyboard_and_closes_it_with_escape(open_page, lang):
    page, w = open_page(f"?stage=stenosis&lang={lang}")
    text = words(lang)
    button = page.get_by_role("button", name=text["ui"]["consult_open"]["patient"])
    box = button.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    button.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name=text["consult"]["title"]["patient"])
    dialog.wait_for()
    offered = stage("stenosis")["consult"]
    shown = dialog.get_by_role("heading", level=3).all_inner_texts()
    assert shown == headings(lang, "patient", offered) + [text["ui"]["evidence"]]
    for section in text["consult"]["sections"]:
        if section["id"] in offered:
            assert dialog.get_by_text(section["text"]["patient"]).is_visible()
    assert dialog.get_by_text(text["evidence"]["patient"]).is_visible(), "the patient evidence text"
    sources = dialog.locator("cite").all_inner_texts()
    assert sources == [source["name"] for source in text["evidence"]["sources"]]
    assert dialog.get_by_text(text["ui"]["disclaimer"]).is_visible()
    for _ in range(8):
        page.keyboard.press("Tab")
        assert focus_inside(dialog), "Tab left the sheet"
    page.keyboard.press("ArrowRight")                       # the story's keys do not act behind the sheet
    page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    assert has_focus(button), "focus went back to the button"
    assert page.locator(".mild-title").inner_text() == text["stages"]["stenosis"]["patient"]["title"]
    assert w.errors == []


def test_the_last_step_offers_everything_and_clinicians_hear_their_voice(open_page):
    page, _ = open_page("?stage=recovery&mode=clinician")
    text, dialog = open_consult(page, "en", "clinician")
    assert dialog.get_by_role("heading", level=3).all_inner_texts()[:-1] == headings("en", "clinician", SECTION_IDS)
    alternatives = next(s for s in text["consult"]["sections"] if s["id"] == "alternatives")
    assert dialog.get_by_role("listitem").filter(has_text=alternatives["items"][-1]["clinician"]).is_visible()
    assert dialog.get_by_text(text["evidence"]["clinician"]).is_visible()
    dialog.get_by_role("button", name=text["ui"]["close"]).click()
    dialog.wait_for(state="detached")


def test_patient_at_the_last_step_sees_every_section(open_page):
    page, _ = open_page("?stage=recovery&lang=es")
    _, dialog = open_consult(page, "es", "patient")
    assert dialog.get_by_role("heading", level=3).all_inner_texts()[:-1] == headings("es", "patient", SECTION_IDS)


@pytest.mark.parametrize("size", [(1024, 768), (640, 400)])
def test_embed_shows_the_note_readably_off_the_subject_and_offers_the_consult(open_page, size):
    width, height = size
    page, w = open_page("?stage=stenosis&embed=1", viewport={"width": width, "height": height})
    text = words("en")
    note = page.get_by_text(text["ui"]["disclaimer"])
    assert note.is_visible()
    assert contrast_ratio(element_pixels(note)) >= MIN_CONTRAST
    camera = page.evaluate("window.mildPlayers[0].rig.get()")
    view = page.locator(".mild-view").bounding_box()
    axial = catalogue_meta()["views"]["axial"]
    x, y = project(camera, subject_points("axial", axial.get("clip_plane")), view["width"], view["height"],
                   catalogue_meta()["playback"]["view_angle_deg"])
    box = note.bounding_box()
    assert box["y"] + box["height"] <= view["y"] + y.min() or box["x"] >= view["x"] + x.max() or box["x"] + box["width"] <= view["x"] + x.min(), \
        "the note covers the 3D subject"
    assert page.get_by_role("button", name=text["ui"]["consult_open"]["patient"]).bounding_box()["height"] >= 44
    assert open_consult(page, "en", "patient")[1].is_visible()
    assert w.errors == []


@pytest.mark.parametrize("query", ["", "?mode=clinician&lang=es"])
def test_the_note_is_readable_in_patient_and_clinician_mode(open_page, query):
    page, _ = open_page(query)
    lang = "es" if "lang=es" in query else "en"
    note = page.get_by_text(words(lang)["ui"]["disclaimer"])
    assert note.is_visible()
    assert contrast_ratio(element_pixels(note)) >= MIN_CONTRAST


@pytest.mark.parametrize("mode", ["patient", "clinician"])
def test_xray_panel_says_how_the_real_screen_looks(open_page, mode):
    page, _ = open_page(f"?stage=fluoroscopy&mode={mode}")
    text = words("en")["ui"]
    panel = page.get_by_role("group").filter(has=page.get_by_role("img", name=text["xray_alt"]))
    assert panel.get_by_role("img", name=text["xray_alt"]).count() == 2
    line = panel.get_by_text(text["xray_screen"][mode])
    assert line.is_visible()
    pictures = panel.get_by_role("img").all()
    assert line.bounding_box()["y"] >= max(p.bounding_box()["y"] + p.bounding_box()["height"] for p in pictures), "under the pictures"


def portal_times() -> tuple[str, float, float]:
    """The removal step and two times in it: the portal in on the patient's left, then on the right.

    The side is read from the bundle: the portal's tip against the treated level's two ligaments
    (LPS: the patient's left is +x).
    """
    meta = catalogue_meta()
    bundle = load_bundle()
    level = next(p["level"] for p in meta["parts"] if p["group"] == "ligament" and p["bites"])
    centre = {p["side"]: read_array(bundle.data, p["positions"]["stenosis"]).reshape(-1, 3).mean(axis=0)
              for p in meta["parts"] if p["group"] == "ligament" and p["level"] == level}
    for s in meta["stages"]:
        keys = next((track["keys"] for track in s["instruments"] if track["name"] == "portal"), [])
        sides = [(k["t_s"], min(centre, key=lambda side: np.linalg.norm(np.subtract(k["position_mm"], centre[side]))))
                 for k in keys if k["visible"]]
        left = [t for t, side in sides if side == "left"]
        right = [t for t, side in sides if side == "right"]
        if left and right:
            return s["id"], s["start_s"] + left[0] + 0.1, s["start_s"] + s["duration_s"] - 0.5
    raise AssertionError("no step with the portal in on both sides")


def test_the_slanted_xray_follows_the_side_of_the_portal(open_page):
    step, on_left, on_right = portal_times()
    page, _ = open_page(f"?stage={step}&view=oblique")
    text = words("en")["ui"]
    scrubber = page.get_by_role("slider", name=text["scrub"])
    figure = page.get_by_role("figure")
    pictures = {}
    for side, t_s in (("left", on_left), ("right", on_right)):
        scrubber.fill(str(t_s))
        settle(page)
        assert figure.count() == 1
        caption = text["xray_oblique_right"] if side == "right" else text["xray_oblique"]
        assert figure.locator("figcaption").inner_text() == caption
        pictures[side] = element_pixels(figure.get_by_role("img"))
    assert np.abs(pictures["left"].astype(int) - pictures["right"].astype(int)).mean() > 3, "the same picture on both sides"


def test_canal_depth_carries_its_soft_tissue_note(open_page):
    page, _ = open_page("?mode=clinician&stage=stenosis")
    note = words("en")["ui"]["metric_notes"]["canal_ap_mm"]
    row = page.locator(".mild-metrics tr", has_text=words("en")["ui"]["metrics"]["canal_ap_mm"])
    assert row.get_attribute("title") == note
    mark = row.locator("th").inner_text().split()[-1]
    shown = page.get_by_text(note)
    assert shown.is_visible() and shown.inner_text().startswith(mark)
