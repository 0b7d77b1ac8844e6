"""Stenosis reads in the side view too (issue 17): where tissue has grown (the L4–L5 disc's
bulge, the enlarged facets, the thickened ligament) it is shaded toward its group's
``meta.growth`` colour, and the shade stays on the disc after MILD, which does not treat it.

Where to look is computed here from the bundle: the L4–L5 disc's vertices on the side the
``side`` view looks at (the patient's left, the 5 % of largest x), projected with the page's
camera; the pixels there are compared between steps, along the line from the disc's colour
to its shade. Measured when this was written: healthy → stenosis +49 (0–255 steps), healthy →
after MILD +48; −1 without the shade.
"""

from __future__ import annotations

import numpy as np

from tests.web.browser import canvas_pixels, catalogue_meta, save_artifact
from tests.web.projection import part_mesh, project

OVERLAYS = (".mild-pins", ".mild-cue", ".mild-top")
MIN_SHIFT = 20.0
"""Least move of the disc's pixels toward its shade, in 0–255 steps along the colour line."""


def disc_pixels(open_page, stage: str) -> np.ndarray:
    """Median RGB of the L4–L5 disc's left side in the ``side`` view at the end of ``stage``."""
    page, w = open_page(f"?stage={stage}&view=side")
    for overlay in OVERLAYS:
        page.locator(overlay).evaluate("el => { el.style.visibility = 'hidden'; }")
    page.wait_for_timeout(200)
    meta = catalogue_meta()
    camera = page.evaluate("window.mildPlayers[0].rig.get()")
    image = canvas_pixels(page)
    save_artifact(f"growth-side-{stage}.png", image)
    state = next(s for s in meta["stages"] if s["id"] == stage)["morph"][1]
    points, _ = part_mesh("L4-L5", state)
    side = points[points[:, 0] >= np.percentile(points[:, 0], 95)]
    x, y = project(camera, side, image.shape[1], image.shape[0], meta["playback"]["view_angle_deg"])
    assert w.errors == []
    return np.median(image[np.round(y).astype(int), np.round(x).astype(int)].astype(float), axis=0)


def test_the_grown_disc_is_shaded_in_the_side_view_and_stays_so_after_mild(open_page):
    meta = catalogue_meta()
    disc = next(p for p in meta["parts"] if p["name"] == "L4-L5")
    line = (np.asarray(meta["growth"]["disc"]["color"]) - np.asarray(disc["color"])) * 255
    line /= np.linalg.norm(line)
    healthy = disc_pixels(open_page, "healthy")
    for stage in ("stenosis", "decompressed"):
        shift = float((disc_pixels(open_page, stage) - healthy) @ line)
        assert shift >= MIN_SHIFT, f"{stage}: the disc's side moved {shift:.1f} toward its shade"
