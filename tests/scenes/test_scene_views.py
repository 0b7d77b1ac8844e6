"""The cut views and where hotspots point.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior). ``../shared/ANATOMY.md``,
"Imaging conventions": axial slices are read parallel to the disc at the disc level; the
mid-sagittal slice shows the sac's hourglass narrowing.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from viz.scenes.cameras import PUBLIC_VIEW_NAMES, check_view
from viz.web.params import VIEWS, parse_page_options


def test_sagittal_is_a_public_view_in_the_url_and_for_render():
    assert "sagittal" in PUBLIC_VIEW_NAMES and tuple(VIEWS) == PUBLIC_VIEW_NAMES
    options = parse_page_options({"view": [b"sagittal"]}, ("healthy", "stenosis"), ())
    assert options.view == "sagittal" and not options.problems
    assert check_view("sagittal") == "sagittal"


def test_sagittal_view_looks_from_the_left_at_a_cut_beside_the_midline(anatomy, meta):
    """The camera is on the patient's left, head up, and cuts away the left of a plane
    1-2 mm left of the canal's midline at the treated level, across the left ligamentum
    flavum (not through the cleft between the two)."""
    view = meta["views"]["sagittal"]
    level = anatomy.levels["L4-L5"]
    origin, normal = (np.asarray(v, float) for v in view["clip_plane"])
    direction = np.asarray(view["position_mm"]) - np.asarray(view["focal_point_mm"])
    assert np.allclose(normal, [1.0, 0.0, 0.0]) and direction[0] > 0 and abs(direction[1]) < 1e-6
    assert np.allclose(view["view_up"], [0.0, 0.0, 1.0])
    assert 1.0 <= origin[0] - level.origin_mm[0] <= 2.0
    left = anatomy.parts["ligamentum_flavum_L4-L5_left"].mesh("stenosis")
    assert left.vertices[:, 0].min() < origin[0] < left.vertices[:, 0].max()


def test_axial_cut_is_parallel_to_the_disc_through_its_middle(anatomy, meta):
    level = anatomy.levels["L4-L5"]
    origin, normal = (np.asarray(v, float) for v in meta["views"]["axial"]["clip_plane"])
    assert abs(normal @ level.frame[2]) > 0.999
    assert abs((origin - level.origin_mm) @ level.frame[2]) < 0.1
    direction = np.asarray(meta["views"]["axial"]["position_mm"]) - meta["views"]["axial"]["focal_point_mm"]
    assert direction @ level.frame[2] > 0.99 * np.linalg.norm(direction)


def test_disc_bulge_hotspot_points_at_the_back_of_the_disc(anatomy, meta):
    """"The disc bulges" sits on the disc's surface, on the midline, at its back: behind the
    disc's centre by at least 12 mm, where the stenotic disc bulges into the canal."""
    spot = next(s for stage in meta["stages"] for s in stage["hotspots"] if s["id"] == "disc_bulge")
    level = anatomy.levels[spot["part"]]
    disc = anatomy.parts[spot["part"]].positions_mm["stenosis"].astype(float)
    position = np.asarray(spot["position_mm"])
    assert cKDTree(disc).query(position)[0] < 0.01
    local = level.local(position[None])[0]
    assert abs(local[0]) < 3.0 and abs(local[2]) < 3.0
    assert local[1] > level.local(level.disc_centre_mm[None])[0, 1] + 12.0
