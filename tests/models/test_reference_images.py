"""Reference renderings of each state from the back, the side, an axial and a mid-sagittal cut.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior).
Images are rendered off-screen with pyvista (parallel projection, no
anti-aliasing, fixed small size; the axial view caps every structure at the
L4-L5 mid-disc plane, like an axial MRI slice, and the sagittal view at a plane
1.5 mm left of the canal's midline seen from the left, like a mid-sagittal MRI slice)
and compared with the committed PNGs in ``tests/reference_images/models`` by mean
absolute pixel difference. Set ``VIZ_REGENERATE_IMAGES=1`` to rewrite the references
(then look at them).
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


VIEWS = ("back", "side", "axial", "sagittal")

SAGITTAL_OFFSET_MM = 1.5
"""The sagittal cut lies this far left of the canal's midline (``viz.scenes.cameras``)."""

SAC_CAP_BEHIND_MM = 0.05
"""The dural sac's cap lies this far behind the cut plane, so the rootlets' caps show on it."""


def render(anatomy, state: str, view: str) -> np.ndarray:
    """RGB image of ``state`` seen from ``view`` (one of :data:`VIEWS`)."""
    level = anatomy.levels["L4-L5"]
    plotter = pv.Plotter(off_screen=True, window_size=SIZE_PX)
    plotter.set_background("white")
    cut = {"axial": (-level.frame[2], level.origin_mm),
           "sagittal": (np.array([-1.0, 0.0, 0.0]), level.origin_mm + [SAGITTAL_OFFSET_MM, 0.0, 0.0])}.get(view)
    for name, part in anatomy.parts.items():
        data = _polydata(part.mesh(state))
        opacity = GROUP_OPACITY[part.group]
        if cut is not None:
            behind = SAC_CAP_BEHIND_MM if part.group == "dural_sac" else 0.0
            data = data.clip_closed_surface(normal=tuple(cut[0]), origin=tuple(cut[1] + behind * cut[0]))
            opacity = 1.0
        if data.n_points:
            plotter.add_mesh(data, color=GROUP_COLOURS[part.group], opacity=opacity, smooth_shading=True,
                             split_sharp_edges=True)
    focus = level.origin_mm
    direction, up, scale = {
        "back": (np.array([0.0, 1.0, 0.0]), (0.0, 0.0, 1.0), 110.0),
        "side": (np.array([1.0, 0.0, 0.0]), (0.0, 0.0, 1.0), 110.0),
        "axial": (level.frame[2], tuple(-level.frame[1]), 32.0),
        "sagittal": (np.array([1.0, 0.0, 0.0]), (0.0, 0.0, 1.0), 40.0),
    }[view]
    plotter.camera_position = [tuple(focus + 400.0 * direction), tuple(focus), up]
    plotter.enable_parallel_projection()
    plotter.camera.parallel_scale = scale
    image = plotter.screenshot(return_img=True)
    plotter.close()
    return image[..., :3]


@pytest.fixture(scope="module")
def images(anatomy):
    return {(s, v): render(anatomy, s, v) for s in STATES for v in VIEWS}


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("view", VIEWS)
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
        blue = (rgb[..., 2] > rgb[..., 0] + 40) & (rgb[..., 2] > 120)
        return int(blue.sum())

    healthy, stenosis, decompressed = (sac_pixels(images[(s, "axial")]) for s in STATES)
    assert stenosis < 0.7 * healthy
    assert decompressed > 1.3 * stenosis


def _yellow_pixels(image):
    rgb = image.astype(float)
    return int(((rgb[..., 0] > 150) & (rgb[..., 2] < 0.6 * rgb[..., 0])).sum())


def test_axial_cut_shows_more_ligament_in_stenosis(images):
    healthy, stenosis, decompressed = (_yellow_pixels(images[(s, "axial")]) for s in STATES)
    assert stenosis > 1.3 * healthy
    assert decompressed < stenosis


def test_sagittal_cut_shows_the_ligament_thicken_then_thinned(images):
    """In the mid-sagittal cut the ligamenta flava (yellow) grow in stenosis and, after MILD
    has left only a thin front layer at L4-L5, cover less than in the healthy spine."""
    healthy, stenosis, decompressed = (_yellow_pixels(images[(s, "sagittal")]) for s in STATES)
    assert stenosis > 1.2 * healthy
    assert decompressed < healthy
