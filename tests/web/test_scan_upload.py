"""A clinician loads a patient's scan in the browser; bad files leave the template in place (issue 9)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.scan.scan_fixtures import stenosis_mesh, zip_bytes
from tests.web.browser import catalogue_meta, wait_drawn
from viz.models.cache import load_anatomy


@pytest.fixture(scope="module")
def mesh_archive(tmp_path_factory):
    template = load_anatomy()
    files = {f"spine/{name}.ply": stenosis_mesh(template, name).export(file_type="ply") for name in ("L4", "L5", "sacrum")}
    path = tmp_path_factory.mktemp("scan") / "spine.zip"
    path.write_bytes(zip_bytes(files))
    return path


def open_scan_panel(page):
    """The upload control, its panel opened if it is not (it opens by itself on a patient's scan)."""
    panel = page.locator(".mild-scan")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    return panel.locator("input[type=file]")


def test_upload_control_loads_the_patients_scan(open_page, mesh_archive):
    page, w = open_page("?mode=clinician")
    upload = open_scan_panel(page)
    assert "not saved" in page.locator(".mild-privacy").inner_text()
    assert page.locator(".mild-structure[data-name=L1]").count() == 1
    upload.set_input_files(str(mesh_archive))
    page.locator(".mild-structure[data-name=L1]").wait_for(state="detached", timeout=180_000)
    wait_drawn(page)
    assert page.locator(".mild-structure[data-name=L4]").count() == 1
    open_scan_panel(page)
    status = page.locator(".mild-scan-status")
    assert status.get_attribute("data-state") == "ready"
    assert "L4" in status.inner_text()
    assert w.errors == []


def test_a_bad_file_gives_a_plain_message_and_keeps_the_template(open_page, tmp_path):
    page, _ = open_page("?mode=clinician")
    bad = tmp_path / "scan.nii"
    bad.write_bytes(b"\x00" * 4000)
    open_scan_panel(page).set_input_files(str(bad))
    status = page.locator(".mild-scan-status")
    page.wait_for_function("(el) => el.dataset.state === 'error'", arg=status.element_handle(), timeout=60_000)
    text = status.inner_text()
    assert text and "Traceback" not in text
    assert page.locator(".mild-structure[data-name=L1]").count() == 1, "the template stays"


EXAMPLE_SCAN = Path(__file__).resolve().parents[1] / "scan" / "data" / "totalsegmentator-example" / "example_seg.nii.gz"
"""TotalSegmentator's own example output (a CT from T11 to L2; Apache-2.0, see its README)."""
LEVEL = re.compile(r"L(\d)[-–](L\d|S1)")


def provenance_of(page, row: str) -> str:
    return page.locator(f".mild-metrics tr[data-metric={row}] .mild-provenance").inner_text()


def test_a_real_totalsegmentator_scan_says_what_is_measured(open_page):
    """The notice names the levels the scan lacks; every number says where it comes from."""
    page, w = open_page("?mode=clinician")
    words = catalogue_meta()["text"]["en"]["patient_scan"]["provenance"]
    open_scan_panel(page).set_input_files(str(EXAMPLE_SCAN))
    page.locator(".mild-structure[data-name=L5]").wait_for(state="detached", timeout=180_000)
    wait_drawn(page)
    status = page.locator(".mild-scan-status")
    assert status.is_visible() and status.get_attribute("data-state") == "ready"
    named = {match.group(0).replace("-", "–") for match in LEVEL.finditer(status.inner_text())}
    assert {"L3–L4", "L4–L5"} <= named, f"the notice does not name the missing common levels: {status.inner_text()}"
    assert page.get_by_role("combobox", name="Level").input_value() == "L1-L2", "the panel opens at the one level the scan has"
    assert provenance_of(page, "csa") == words["illustrative"], "at the healthy step the sac is the model's, not the scan's"
    for _ in range(2):
        page.get_by_role("button", name="Next step").click()
    page.locator(".mild-metrics tr[data-metric=csa] .mild-provenance", has_text=words["measured"]).wait_for(timeout=20_000)
    assert provenance_of(page, "canal") == words["illustrative"]
    assert provenance_of(page, "lf_left") == words["illustrative"]
    bony = {key: page.locator(f".mild-metrics tr[data-metric={key}]") for key in ("bony_canal_area_mm2", "bony_canal_ap_mm", "bony_canal_width_mm")}
    for key, row in bony.items():
        assert row.locator(".mild-provenance").inner_text() == words["measured"], key
    area = float(bony["bony_canal_area_mm2"].locator("td").inner_text())
    depth = float(bony["bony_canal_ap_mm"].locator("td").inner_text())
    assert 80 <= area <= 400 and 8 <= depth <= 25, (area, depth)      # an adult lumbar canal (ANATOMY.md, depth 13–20 mm)
    assert w.errors == []
