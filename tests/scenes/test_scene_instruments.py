"""Instrument and body meshes: watertight, believable sizes, tips at the origin along −z, poses; the person,
the pillow, and one numbed spot, incision and bandage for each side's portal entry, measured on the geometry."""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from viz.scenes.body import INCISION_LENGTH_MM, body_meshes, skin_y_mm
from viz.scenes.instruments import (
    NEEDLE_OUTER_DIAMETER_MM, PORTAL_OUTER_DIAMETER_MM, incision_points_mm, instrument_meshes, portal_docks, pose_matrix)
from viz.scenes.landmarks import focus_level


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
    entries = incision_points_mm(anatomy)
    pieces = body_meshes(anatomy, entries)
    assert set(pieces) == {"table", "pillow", "torso", "c_arm"} | {
        f"{kind}_{side}" for kind in ("numbed_area", "incision", "bandage") for side in ("left", "right")}
    for name, mesh in pieces.items():
        assert mesh.is_watertight and mesh.volume > 0, name
    skin = skin_y_mm(anatomy)
    for side, entry in entries.items():
        assert abs(entry[1] - skin) < 1e-6
        assert np.ptp(pieces[f"incision_{side}"].vertices[:, 2]) == pytest.approx(INCISION_LENGTH_MM, abs=0.3)
        assert pieces["torso"].contains([entry - [0, 3.0, 0]])[0], "the incision lies on the back's skin"
    bones = np.concatenate([p.positions_mm["healthy"] for p in anatomy.parts.values() if p.group == "bone"])
    assert pieces["torso"].contains(bones[::50]).mean() > 0.99, "the spine lies inside the body"


def test_the_person_is_one_smooth_adult_body(anatomy):
    """One closed surface of adult size, with no primitive's crease: neighbouring faces
    turn by less than 35° almost everywhere (a capsule joined to a cylinder creases ≈90°)."""
    person = body_meshes(anatomy, incision_points_mm(anatomy))["torso"]
    assert person.body_count == 1 and person.is_winding_consistent
    length_mm = np.ptp(person.vertices[:, 2])
    assert 1600.0 < length_mm < 2000.0, "feet to fingertips of arms raised beside the head"
    assert 50e6 < person.volume < 110e6, "an adult's ≈50–110 litres"
    angles_deg = np.degrees(person.face_adjacency_angles)
    assert np.percentile(angles_deg, 99) < 35.0 and angles_deg.max() < 80.0


def test_the_pillow_lies_under_the_belly_on_the_table(anatomy):
    pieces = body_meshes(anatomy, incision_points_mm(anatomy))
    pillow, person, table = pieces["pillow"], pieces["torso"], pieces["table"]
    level_z = anatomy.parts[focus_level(anatomy)].positions_mm["healthy"][:, 2].mean()
    low, high = pillow.bounds
    assert low[2] < level_z < high[2], "under the lower back's level"
    belly = person.vertices[np.abs(person.vertices[:, 2] - level_z) < 40.0]
    assert low[1] < belly[:, 1].min() < high[1], "the belly rests on the pillow"
    assert abs(low[1] - table.vertices[np.abs(table.vertices[:, 2] - level_z) < 200, 1].max()) < 15.0
    assert high[0] - low[0] > np.ptp(belly[:, 0]), "it shows on both sides of the belly"


def _skin_crossing(person: trimesh.Trimesh, tip_mm, direction) -> np.ndarray:
    """Where the line from a portal tip outward along its axis leaves the person's skin."""
    hits, _, _ = person.ray.intersects_location([tip_mm], [direction])
    return hits[np.argmax((hits - tip_mm) @ np.asarray(direction))]


def _inside_patch(patch: trimesh.Trimesh, point_mm) -> bool:
    """Whether a point on the skin lies inside a flat patch's outline (seen from above)."""
    centre = patch.vertices.mean(axis=0)
    half = np.ptp(patch.vertices, axis=0) / 2
    return ((point_mm[0] - centre[0]) / half[0]) ** 2 + ((point_mm[2] - centre[2]) / half[2]) ** 2 <= 1.0


def test_every_portal_entry_has_a_numbed_spot_an_incision_and_a_bandage(anatomy):
    """Measured on the geometry: each side's portal axis leaves the skin inside that side's
    numbed area, incision and bandage, and the two entries are distinct (two incisions)."""
    pieces = body_meshes(anatomy, incision_points_mm(anatomy))
    crossings = {}
    for side, (tip, direction) in portal_docks(anatomy).items():
        crossing = _skin_crossing(pieces["torso"], tip, direction)
        crossings[side] = crossing
        for kind in ("numbed_area", "incision", "bandage"):
            assert _inside_patch(pieces[f"{kind}_{side}"], crossing), (side, kind)
        other = "right" if side == "left" else "left"
        assert not _inside_patch(pieces[f"incision_{other}"], crossing), "each side has its own incision"
    assert np.sign(crossings["left"][0] - crossings["right"][0]) == 1.0, "the left entry is on the patient's left"


def test_one_portal_cannot_be_swung_across_from_one_incision(anatomy):
    """The reason for two incisions: the straight line from the left incision to the right dock
    runs through bone (the spinous process and laminae)."""
    docks, entries = portal_docks(anatomy), incision_points_mm(anatomy)
    bones = [part.mesh("stenosis") for part in anatomy.parts.values() if part.group == "bone"]
    start, end = entries["left"], docks["right"][0]
    samples = start + np.linspace(0.05, 0.95, 200)[:, None] * (end - start)
    inside = np.zeros(len(samples), dtype=bool)
    for bone in bones:
        inside |= bone.contains(samples)
    assert inside.sum() * np.linalg.norm(end - start) / len(samples) > 3.0, "at least 3 mm of bone in the way"
