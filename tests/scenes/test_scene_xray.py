"""The simulated X-ray is computed from the geometry: exact thickness; bone, metal and contrast dye all dark
(the C-arm screen's polarity); the oblique pictures carry the lamina line; both sides are imaged."""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
import trimesh
from PIL import Image

from viz.scenes import xray
from viz.scenes.cameras import Camera, camera_views
from viz.scenes.instruments import needle_mesh, needle_target, portal_docks, pose_matrix
from viz.scenes.landmarks import anatomy_landmarks

AP = Camera((0.0, 500.0, 0.0), (0.0, 0.0, 0.0), (0.0, 0.0, 1.0))


def test_thickness_of_a_box_is_its_depth():
    """Parallel rays through a 30 mm deep box measure 30 mm (exact up to float rounding)."""
    box = trimesh.creation.box(extents=(40.0, 30.0, 50.0))
    thickness = xray.thickness_mm([box], AP, field_mm=100.0, size_px=100)
    assert np.allclose(thickness[30:70, 35:65], 30.0, atol=1e-6)
    assert thickness[:20].max() == 0.0 and thickness[:, :25].max() == 0.0
    covered_mm2 = (thickness > 15.0).sum() * (100.0 / 100) ** 2
    assert abs(covered_mm2 - 40.0 * 50.0) / 2000.0 < 0.05, "the box's 40 × 50 mm silhouette"


def test_thickness_of_a_sphere_follows_its_chord():
    """Pixel centres sit at (i + 0.5) px; a 5-times subdivided icosphere is within 0.2 mm of the sphere."""
    sphere = trimesh.creation.icosphere(subdivisions=5, radius=20.0)
    thickness = xray.thickness_mm([sphere], AP, field_mm=100.0, size_px=200)
    for column in (100, 120, 130, 137):
        offset_mm = (column + 0.5 - 100) * 0.5
        chord_mm = 2 * np.sqrt(20.0 ** 2 - offset_mm ** 2 - 0.25 ** 2)
        assert abs(thickness[100, column] - chord_mm) < 0.2, column


def test_bone_is_darker_where_thicker():
    thin = trimesh.creation.box(extents=(20.0, 5.0, 20.0))
    thick = trimesh.creation.box(extents=(20.0, 30.0, 20.0))
    thick.apply_translation((30.0, 0.0, 0.0))
    image = xray.radiograph({"bone": [thin, thick]}, AP, size_px=150).astype(int)
    centre, thin_px, thick_px = 75, image[75, 75, 0], image[75, 75 - 30, 0]
    background = image[20, centre, 0]
    assert thick_px < thin_px < background


def test_dye_has_the_polarity_of_bone():
    """Contrast is radiopaque: where the beam crosses dye the picture gets darker, never brighter
    or coloured, and thicker dye is darker (ANATOMY.md, "Imaging conventions")."""
    thin = trimesh.creation.icosphere(subdivisions=3, radius=10.0)
    bone = trimesh.creation.box(extents=(60.0, 30.0, 60.0))
    plain = xray.radiograph({"bone": [bone]}, AP, size_px=150).astype(int)
    dyed = xray.radiograph({"bone": [bone], "dye": [thin]}, AP, size_px=150).astype(int)
    assert dyed[75, 75].sum() < plain[75, 75].sum() - 30
    assert (dyed == dyed[:, :, :1]).all(), "grey only: no colour highlight in the X-ray"
    assert (dyed[10:30, 10:30] == plain[10:30, 10:30]).all()
    assert dyed[75, 75 + 9].sum() < plain[75, 75 + 9].sum(), "the dye's edge (1 px/mm, radius 10 mm) shows too"


def test_xray_changes_when_the_geometry_changes(anatomy):
    views = camera_views(anatomy)
    narrow = xray.scene_radiograph(anatomy, views["xray"], "stenosis", size_px=128)
    again = xray.scene_radiograph(anatomy, views["xray"], "stenosis", size_px=128)
    moved = type(anatomy)(dict(anatomy.parts), anatomy.lod)
    part = moved.parts["L4"]
    shifted = {state: p + np.float32([6.0, 0.0, 0.0]) for state, p in part.positions_mm.items()}
    moved.parts["L4"] = type(part)(part.name, part.group, part.faces, shifted, part.bites)
    changed = xray.scene_radiograph(moved, views["xray"], "stenosis", size_px=128)
    assert (narrow == again).all(), "deterministic"
    assert np.abs(narrow.astype(int) - changed.astype(int)).sum(axis=2).max() > 30


def test_needle_shows_in_the_oblique_view(anatomy):
    views = camera_views(anatomy)
    tip, direction = needle_target(anatomy)
    needle = needle_mesh().apply_transform(pose_matrix(tip, direction))
    without = xray.scene_radiograph(anatomy, views["oblique"], size_px=160).astype(int)
    with_needle = xray.scene_radiograph(anatomy, views["oblique"], posed={"needle": needle}, size_px=160).astype(int)
    darker = (without - with_needle).sum(axis=2) > 30
    assert 20 < darker.sum() < 2000, "a thin dark line"


def _image(meta, name):
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(meta["images"][name].split(",", 1)[1]))))


def _amber(image):
    r, g, b = (image[..., k].astype(int) for k in range(3))
    return (r - b > 80) & (g - b > 50)


def test_bundle_images_are_png_of_the_fluoroscopy(meta):
    for name in ("xray_ap", "xray_oblique", "xray_oblique_portal", "xray_oblique_portal_right"):
        image = _image(meta, name)
        assert image.shape == (xray.SIZE_PX, xray.SIZE_PX, 3)
        middle = image[xray.SIZE_PX // 4: -xray.SIZE_PX // 4, xray.SIZE_PX // 4: -xray.SIZE_PX // 4]
        assert middle.min() < 90 and middle.max() > 180, "dark bone on a light field"
        grey = (image == image[..., :1]).all(axis=2)
        assert (grey | _amber(image)).all(), "only grey, and the amber lamina line"
    assert not _amber(_image(meta, "xray_ap")).any()
    for name in ("xray_oblique", "xray_oblique_portal", "xray_oblique_portal_right"):
        assert 20 < _amber(_image(meta, name)).sum() < 2000, "a thin dashed lamina line"
    assert meta["images"]["xray_ap"] != meta["images"]["xray_oblique"]


def test_dye_darkens_the_epidurogram(anatomy):
    views = camera_views(anatomy)
    dye = xray.contrast_dye_mesh(anatomy.parts["dural_sac"].mesh("stenosis"), needle_target(anatomy)[0])
    plain = xray.scene_radiograph(anatomy, views["xray"], size_px=160).astype(int)
    dyed = xray.scene_radiograph(anatomy, views["xray"], dye=dye, size_px=160).astype(int)
    change = (dyed - plain).sum(axis=2)
    assert change.max() <= 0 and (change < -30).sum() > 100


def test_lamina_line_lies_on_the_ventral_edge_of_the_laminae(anatomy):
    """The line's two ends straddle the treated level, near where the L4 and L5 laminae's
    most anterior midline bone projects, and the portal tip stays behind (dorsal to) it."""
    views = camera_views(anatomy)
    ends = xray.lamina_line_px(anatomy, views["oblique"])
    assert ends.shape == (2, 2)
    level_row = xray._project(anatomy.parts["L4-L5"].positions_mm["stenosis"].mean(axis=0)[None], views["oblique"],
                              xray.SIZE_PX)[0, 1]
    assert min(ends[:, 1]) < level_row < max(ends[:, 1])
    tip, _ = portal_docks(anatomy)["left"]
    canal = anatomy_landmarks(anatomy)["canal_mm"]
    column = xray._project(np.array([tip, canal, canal - [0.0, 1.0, 0.0]]), views["oblique"], xray.SIZE_PX)
    anterior = np.sign(column[2, 0] - column[1, 0])
    fraction = (column[0, 1] - ends[0, 1]) / (ends[1, 1] - ends[0, 1])
    line_column = ends[0, 0] + fraction * (ends[1, 0] - ends[0, 0])
    assert anterior * (column[0, 0] - line_column) < 0, "the docked portal tip is dorsal to the line"


def test_right_oblique_is_the_mirrored_view(anatomy):
    views = camera_views(anatomy)
    midline = anatomy_landmarks(anatomy)["canal_mm"][0]
    right = xray.mirrored_camera(views["oblique"], midline)
    assert right.position_mm[0] - midline == pytest.approx(-(views["oblique"].position_mm[0] - midline))
    assert right.position_mm[1:] == views["oblique"].position_mm[1:]
