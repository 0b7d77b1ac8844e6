"""QR codes: the written PNG carries exactly the modules segno encodes for the link."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
import segno
from PIL import Image

from viz.errors import UserError
from viz.export.qr import MODULE_PX, QUIET_ZONE_MODULES, validate_url, write_qr

URL = "https://example.org/app?stage=stenosis&mode=patient&lang=es"


def _modules_from_png(path) -> np.ndarray:
    pixels = np.asarray(Image.open(path).convert("L"))
    centres = np.arange(MODULE_PX // 2, pixels.shape[0], MODULE_PX)
    return pixels[np.ix_(centres, centres)] < 128


def test_png_modules_match_the_encoded_link(tmp_path):
    out = write_qr(URL, tmp_path / "link.png")
    expected = np.array(segno.make_qr(URL, error="m", boost_error=False).matrix, dtype=bool)
    modules = _modules_from_png(out)
    side = expected.shape[0] + 2 * QUIET_ZONE_MODULES
    assert modules.shape == (side, side)
    quiet = QUIET_ZONE_MODULES
    assert not modules[:quiet].any() and not modules[-quiet:].any()
    assert np.array_equal(modules[quiet:-quiet, quiet:-quiet], expected)
    different = np.array(segno.make_qr(URL + "x", error="m", boost_error=False).matrix, dtype=bool)
    assert different.shape != expected.shape or not np.array_equal(different, expected)


def test_svg_is_valid_xml_of_the_right_size(tmp_path):
    out = write_qr(URL, tmp_path / "link.svg")
    root = ET.parse(out).getroot()
    side = (segno.make_qr(URL, error="m").symbol_size(scale=1, border=QUIET_ZONE_MODULES)[0]) * MODULE_PX
    assert root.get("width") == str(side) and root.get("height") == str(side)
    assert root.find("{http://www.w3.org/2000/svg}path") is not None


@pytest.mark.parametrize("url, message", [
    ("ftp://example.org/file", "http"),
    ("javascript:alert(1)", "http"),
    ("https://", "http"),
    ("https://example.org/\nx", "control"),
    ("https://example.org/" + "a" * 2000, "longer"),
])
def test_bad_links_are_refused(url, message):
    with pytest.raises(UserError, match=message):
        validate_url(url)
