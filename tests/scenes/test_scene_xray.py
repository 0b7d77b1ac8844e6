"""The simulated X-ray is computed from the geometry: exact thickness, bone dark, dye bright, changes with the mesh."""

from __future__ import annotations

import base64
import io

import numpy as np
import trimesh
from PIL import Image

from viz.scenes import xray
from viz.scenes.cameras import Camera, camera_views
from viz.scenes.instruments import needle_mesh, needle_target, pose_matrix

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


def test_dye_is_bright():
    shell = trimesh.creation.icosphere(subdivisions=3, radius=10.0)
    bone = trimesh.creation.box(extents=(60.0, 30.0, 60.0))
    plain = xray.radiograph({"bone": [bone]}, AP, size_px=150).astype(int)
    dyed = xray.radiograph({"bone": [bone], "dye": [shell]}, AP, size_px=150).astype(int)
    assert dyed[75, 75].sum() > plain[75, 75].sum() + 60
    assert (dyed[10:30, 10:30] == plain[10:30, 10:30]).all()


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


def test_bundle_images_are_png_of_the_fluoroscopy(meta):
    for name in ("xray_ap", "xray_oblique", "xray_oblique_portal"):
        url = meta["images"][name]
        assert url.startswith("data:image/png;base64,")
        image = np.asarray(Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1]))))
        assert image.shape == (xray.SIZE_PX, xray.SIZE_PX, 3)
        middle = image[xray.SIZE_PX // 4: -xray.SIZE_PX // 4, xray.SIZE_PX // 4: -xray.SIZE_PX // 4]
        assert middle.min() < 90 and middle.max() > 200, "dark bone and bright dye"
        cyan = (middle[:, :, 2].astype(int) - middle[:, :, 0]) > 25
        assert cyan.sum() > 200, "the contrast dye outlines the sac"
    assert meta["images"]["xray_ap"] != meta["images"]["xray_oblique"]
