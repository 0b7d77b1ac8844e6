"""A clinician loads a patient's scan in the browser; bad files leave the template in place (issue 9)."""

from __future__ import annotations

import pytest

from tests.scan.scan_fixtures import stenosis_mesh, zip_bytes
from tests.web.browser import wait_drawn
from viz.models.cache import load_anatomy


@pytest.fixture(scope="module")
def mesh_archive(tmp_path_factory):
    template = load_anatomy()
    files = {f"spine/{name}.ply": stenosis_mesh(template, name).export(file_type="ply") for name in ("L4", "L5", "sacrum")}
    path = tmp_path_factory.mktemp("scan") / "spine.zip"
    path.write_bytes(zip_bytes(files))
    return path


def open_scan_panel(page):
    page.locator(".mild-scan summary").click()
    return page.locator(".mild-scan input[type=file]")


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
