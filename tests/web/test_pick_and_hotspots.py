"""Know what you are looking at: tap-to-name, hotspots, focus links (issue 10)."""

from __future__ import annotations

import numpy as np

from tests.web.browser import canvas_pixels, settle
from tests.web.gestures import drag

LIGAMENT = "ligamentum_flavum_L4-L5_left"


def canvas_origin(page):
    box = page.locator(".mild-view canvas").bounding_box()
    return box["x"], box["y"]


def point_of(page, name):
    point = page.evaluate(f"window.mildPlayers[0].screenPointOf({name!r})")
    assert point, f"{name} is not visible"
    x0, y0 = canvas_origin(page)
    return x0 + point["x"], y0 + point["y"]


def pixel(image, x, y, origin):
    return image[int(round(y - origin[1])), int(round(x - origin[0]))].astype(int)


def test_click_names_and_highlights_a_structure(open_page):
    page, _ = open_page("?stage=healthy&view=back")
    x, y = point_of(page, "L4")
    before = canvas_pixels(page)
    page.mouse.click(x, y)
    settle(page)
    label = page.locator(".mild-label")
    assert label.is_visible()
    expected = page.evaluate("(() => { const p = window.mildPlayers[0]; return p.words.structure(p.actors.find((a) => a.part.name === 'L4').part).name; })()")
    assert expected in label.inner_text()
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
    catalogue_name = page.evaluate("window.mildPlayers[0].story.meta.text.es.structures.vertebra.patient.name")
    assert catalogue_name in label.inner_text()


def test_hotspots_stay_on_their_anatomy_and_hide_when_occluded(open_page):
    page, _ = open_page("?stage=stenosis&view=back")
    pins = page.locator(".mild-pin-wrap")
    assert pins.count() >= 2

    def check_positions():
        data = page.evaluate(r"""window.mildPlayers[0].pins.map((p) => {
            const s = window.mildPlayers[0].rig.project(p.spot.position_mm);
            const m = /translate\(([-0-9.e]+)px, ([-0-9.e]+)px\)/.exec(p.el.style.transform);
            return {expected: [s.x, s.y], shown: [Number(m[1]), Number(m[2])], hidden: p.el.hidden};
        })""")
        for pin in data:
            assert abs(pin["expected"][0] - pin["shown"][0]) < 3 and abs(pin["expected"][1] - pin["shown"][1]) < 3
        return data

    check_positions()
    box = page.locator(".mild-view canvas").bounding_box()
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*centre)
    page.mouse.down()
    page.mouse.move(centre[0] + 60, centre[1], steps=8)
    page.mouse.up()
    settle(page)
    check_positions()
    page.evaluate("""(() => { const p = window.mildPlayers[0]; const v = p.story.meta.views.back;
        const f = v.focal_point_mm, q = v.position_mm;
        p.rig.set({position_mm: [2 * f[0] - q[0], 2 * f[1] - q[1], 2 * f[2] - q[2]], focal_point_mm: f, view_up: v.view_up});
        p.rig.userMoved = true; p.dirty = true; })()""")
    settle(page)
    data = check_positions()
    ligament_pin = page.evaluate("window.mildPlayers[0].pins.findIndex((p) => p.spot.part.startsWith('ligamentum_flavum'))")
    assert data[ligament_pin]["hidden"], "a pin behind the vertebral bodies should hide"
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
    share = page.evaluate(f"""(() => {{ const p = window.mildPlayers[0];
        const a = p.actors.find((x) => x.part.name === {LIGAMENT!r}).full; const [W, H] = p.rig.size();
        let x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
        for (let i = 0; i < a.points.length; i += 3) {{ const s = p.rig.project([a.points[i], a.points[i+1], a.points[i+2]]);
          if (!s) continue; x0 = Math.min(x0, s.x); y0 = Math.min(y0, s.y); x1 = Math.max(x1, s.x); y1 = Math.max(y1, s.y); }}
        return (Math.min(x1, W) - Math.max(x0, 0)) * (Math.min(y1, H) - Math.max(y0, 0)) / (W * H); }})()""")
    assert share > 0.15
    assert page.locator(".mild-label").is_visible()
    assert f"focus={LIGAMENT}" in page.url
    image = canvas_pixels(page).astype(int)
    highlight = (np.abs(image - np.array([38, 191, 242])).sum(axis=2) < 120).mean()
    assert highlight > 0.03
    assert w.errors == []


def test_unknown_focus_gives_a_message_and_the_normal_view(open_page):
    page, _ = open_page("?focus=spleen")
    assert "spleen" in page.get_by_role("alert").inner_text()
    assert page.evaluate("window.mildPlayers[0].focus") is None
