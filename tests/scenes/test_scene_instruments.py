"""Instrument and body meshes: watertight, believable sizes, modelled tip at the origin along −z, poses."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from viz.scenes.body import INCISION_LENGTH_MM, body_meshes, skin_y_mm
from viz.scenes.instruments import (
    NEEDLE_OUTER_DIAMETER_MM, PORTAL_OUTER_DIAMETER_MM, incision_point_mm, instrument_meshes, pose_matrix)


@pytest.fixture(scope="module")
def meshes():
    return instrument_meshes()


def _diameter_at(mesh: trimesh.Trimesh, z_mm: float) -> float:
    """Outer diameter of the cross-section at height ``z_mm`` (corners of the polygon)."""
    section = mesh.section(plane_origin=(0, 0, z_mm), plane_normal=(0, 0, 1.0))
    return 2 * np.linalg.norm(section.vertices[:, :2], axis=1).max()


def test_instruments_are_closed_solids(meshes):
    for name, mesh in meshes.items():
        for piece in mesh.split(only_watertight=False):
            assert piece.is_watertight and piece.is_winding_consistent and piece.volume > 0, name


def test_tips_sit_at_the_origin_pointing_down(meshes):
    for name, mesh in meshes.items():
        low = mesh.vertices[:, 2].min()
        assert abs(low) < 0.01, name
        assert mesh.vertices[:, 2].max() > 30.0, name
        tip = mesh.vertices[mesh.vertices[:, 2] < 0.05]
        assert np.linalg.norm(tip[:, :2], axis=1).max() < 2.6, name


def test_sizes_are_believable(meshes):
    assert _diameter_at(meshes["needle"], 40.0) == pytest.approx(NEEDLE_OUTER_DIAMETER_MM, abs=0.02)
    assert _diameter_at(meshes["portal"], 35.0) == pytest.approx(PORTAL_OUTER_DIAMETER_MM, abs=0.02)
    assert _diameter_at(meshes["bone_tool"], 60.0) < 4.2, "fits through the portal's bore"
    assert _diameter_at(meshes["tissue_tool"], 60.0) < 4.2
    section = meshes["portal"].section(plane_origin=(0, 0, 35.0), plane_normal=(0, 0, 1.0))
    inner = min(np.linalg.norm(section.vertices[:, :2], axis=1))
    assert 1.9 < inner < 2.2, "a hollow tube"


def test_pose_turns_plus_z_onto_the_direction():
    direction = np.array([0.3, 0.8, -0.52])
    direction /= np.linalg.norm(direction)
    pose = pose_matrix((10.0, 20.0, 30.0), direction)
    assert np.allclose(pose[:3, :3] @ pose[:3, :3].T, np.eye(3), atol=1e-9)
    assert np.allclose(pose @ [0, 0, 0, 1.0], [10, 20, 30, 1])
    assert np.allclose(pose[:3, :3] @ [0, 0, 1.0], direction)
    assert np.allclose(pose_matrix((0, 0, 0), (0, 0, -1.0))[:3, :3] @ [0, 0, 1.0], [0, 0, -1])


def test_body_pieces_are_calm_closed_shapes(anatomy):
    entry = incision_point_mm(anatomy)
    pieces = body_meshes(anatomy, entry)
    assert set(pieces) == {"table", "torso", "numbed_area", "incision", "bandage", "c_arm"}
    for name, mesh in pieces.items():
        assert mesh.is_watertight and mesh.volume > 0, name
    skin = skin_y_mm(anatomy)
    assert abs(entry[1] - skin) < 1e-6
    assert np.ptp(pieces["incision"].vertices[:, 2]) == pytest.approx(INCISION_LENGTH_MM, abs=0.3)
    assert pieces["torso"].contains([entry - [0, 3.0, 0]])[0], "the incision lies on the back's skin"
    bones = np.concatenate([p.positions_mm["healthy"] for p in anatomy.parts.values() if p.group == "bone"])
    assert pieces["torso"].contains(bones[::50]).mean() > 0.99, "the spine lies inside the body"
