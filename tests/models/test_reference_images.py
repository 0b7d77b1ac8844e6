"""Reference renderings of each state from the back, the side and an axial cut.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior).
Images are rendered off-screen with pyvista (parallel projection, no
anti-aliasing, fixed small size; the axial view caps every structure at the
L4-L5 mid-disc plane, like an axial MRI slice) and compared with the committed PNGs in
``tests/reference_images/models`` by mean absolute pixel difference. Set
``VIZ_REGENERATE_IMAGES=1`` to rewrite the references (then look at them).
"""

from __future__ import annotations

import os
from pathlib import Path

import imageio.v3 as iio
import numpy as np
import pytest
import pyvista as pv

from viz.models.anatomy import STATES
from viz.models.palette import GROUP_COLOURS, GROUP_OPACITY

REFERENCE_DIR = Path(__file__).resolve().parents[1] / "reference_images" / "models"
SIZE_PX = (240, 320)
WARN_DIFF = 2.0
"""Mean absolute difference (0-255) above which a warning is printed."""
FAIL_DIFF = 6.0
"""Mean absolute difference (0-255) above which the test fails."""


def _polydata(mesh):
    faces = np.hstack([np.full((len(mesh.faces), 1), 3), mesh.faces]).ravel()
    return pv.PolyData(np.asarray(mesh.vertices), faces)


def render(anatomy, state: str, view: str) -> np.ndarray:
    """RGB image of ``state`` seen from ``view`` (``back``, ``side`` or ``axial``)."""
    level = anatomy.levels["L4-L5"]
    plotter = pv.Plotter(off_screen=True, window_size=SIZE_PX)
    plotter.set_background("white")
    for name, part in anatomy.parts.items():
        data = _polydata(part.mesh(state))
        opacity = GROUP_OPACITY[part.group]
        if view == "axial":
            data = data.clip_closed_surface(normal=tuple(-level.frame[2]), origin=tuple(level.origin_mm))
            opacity = 1.0
        if data.n_points:
            plotter.add_mesh(data, color=GROUP_COLOURS[part.group], opacity=opacity, smooth_shading=True)
    focus = level.origin_mm
    direction, up, scale = {
        "back": (np.array([0.0, 1.0, 0.0]), (0.0, 0.0, 1.0), 110.0),
        "side": (np.array([1.0, 0.0, 0.0]), (0.0, 0.0, 1.0), 110.0),
        "axial": (level.frame[2], tuple(-level.frame[1]), 32.0),
    }[view]
    plotter.camera_position = [tuple(focus + 400.0 * direction), tuple(focus), up]
    plotter.enable_parallel_projection()
    plotter.camera.parallel_scale = scale
    image = plotter.screenshot(return_img=True)
    plotter.close()
    return image[..., :3]


@pytest.fixture(scope="module")
def images(anatomy):
    return {(s, v): render(anatomy, s, v) for s in STATES for v in ("back", "side", "axial")}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("view", ["back", "side", "axial"])
def test_rendering_matches_reference(images, state, view):
    image = images[(state, view)]
    path = REFERENCE_DIR / f"{state}_{view}.png"
    if os.environ.get("VIZ_REGENERATE_IMAGES") == "1" or not path.exists():
        REFERENCE_DIR.mkdir(parents=True, exist_ok=True)
        iio.imwrite(path, image)
    reference = iio.imread(path)[..., :3]
    assert reference.shape == image.shape
    difference = float(np.abs(reference.astype(float) - image.astype(float)).mean())
    if difference > WARN_DIFF:
        print(f"{path.name}: mean difference {difference:.2f}")
    assert difference <= FAIL_DIFF


def test_axial_cut_shows_the_sac_squeezed_then_freed(images):
    def sac_pixels(image):
        rgb = image.astype(float)
        blue = (rgb[..., 2] > rgb[..., 0] + 50) & (rgb[..., 2] > 120)
        return int(blue.sum())

    healthy, stenosis, decompressed = (sac_pixels(images[(s, "axial")]) for s in STATES)
    assert stenosis < 0.7 * healthy
    assert decompressed > 1.3 * stenosis


def test_axial_cut_shows_more_ligament_in_stenosis(images):
    def yellow_pixels(image):
        rgb = image.astype(float)
        return int(((rgb[..., 0] > 150) & (rgb[..., 2] < 0.6 * rgb[..., 0])).sum())

    healthy, stenosis, decompressed = (yellow_pixels(images[(s, "axial")]) for s in STATES)
    assert stenosis > 1.3 * healthy
    assert decompressed < stenosis
