"""Screens of each mode at phone, portrait-tablet, tablet and desktop size against committed reference images.

Regenerate after an intended change with ``VIZ_REGENERATE_IMAGES=1`` and look at
every image in ``tests/reference_images/web/`` before committing them.
"""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
from PIL import Image

from tests.web.browser import REPO, save_artifact, screenshot

REFERENCE_DIR = REPO / "tests" / "reference_images" / "web"
SIZES = {"phone": {"width": 390, "height": 844}, "tablet-portrait": {"width": 810, "height": 1080},
         "tablet": {"width": 1024, "height": 768}, "desktop": {"width": 1920, "height": 1080}}
MODES = {"patient": "?stage=stenosis", "clinician": "?stage=stenosis&mode=clinician", "embed": "?stage=stenosis&embed=1"}
MEAN_TOLERANCE = 6.0
"""Mean absolute difference allowed, grey levels (text antialiasing, float noise in software GL)."""
CHANGED_TOLERANCE = 0.03
"""Share of pixels allowed to differ by more than 48 grey levels."""


@pytest.mark.parametrize("size", sorted(SIZES))
@pytest.mark.parametrize("mode", sorted(MODES))
def test_screen_matches_reference(open_page, mode, size):
    page, w = open_page(MODES[mode], viewport=SIZES[size])
    page.wait_for_timeout(300)
    image = screenshot(page)
    name = f"{mode}-{size}.png"
    save_artifact(f"screen-{name}", image)
    reference_path = REFERENCE_DIR / name
    if os.environ.get("VIZ_REGENERATE_IMAGES") == "1":
        REFERENCE_DIR.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(reference_path)
    assert reference_path.exists(), f"no reference image {name}: run with VIZ_REGENERATE_IMAGES=1 and look at it"
    reference = np.asarray(Image.open(io.BytesIO(reference_path.read_bytes())).convert("RGB"))
    assert reference.shape == image.shape
    difference = np.abs(reference.astype(np.int16) - image.astype(np.int16))
    assert difference.mean() < MEAN_TOLERANCE
    assert (difference.sum(axis=2) > 48).mean() < CHANGED_TOLERANCE
    assert w.errors == []
