"""The whole story follows the patient's narrowest level: a scan narrowest at L3–L4 is told at L3–L4.

Measured on the scene bundle built from a synthetic scan (voxelized from the
template narrowed at L3–L4): instrument tips, camera focal points, hotspots and
body pieces against the patient's L3–L4 and L4–L5 discs and ligaments (LPS+ mm).
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial import cKDTree

from viz.scenes.landmarks import focus_level
from viz.scenes.timeline import read_array


LEVEL_HOTSPOTS = {"ligament": "ligamentum_flavum_L3-L4_left", "thick_ligament": "ligamentum_flavum_L3-L4_left",
                  "bites": "ligamentum_flavum_L3-L4_left", "disc_bulge": "L3-L4", "kept": "L3"}


@pytest.fixture(scope="module")
def anatomy(l3_l4_scan):
    return l3_l4_scan[1].anatomy


@pytest.fixture(scope="module")
def meta(l3_l4_bundle):
    return l3_l4_bundle.meta


@pytest.fixture(scope="module")
def stages(meta):
    return {stage["id"]: stage for stage in meta["stages"]}


def _points(anatomy, name: str, state: str = "stenosis") -> np.ndarray:
    return np.asarray(anatomy.parts[name].positions_mm[state], dtype=float)


def _disc_z(anatomy, level: str) -> float:
    return float(_points(anatomy, level, "healthy").mean(axis=0)[2])


def _nearer_l3_l4(anatomy, z_mm: float) -> bool:
    return abs(z_mm - _disc_z(anatomy, "L3-L4")) < abs(z_mm - _disc_z(anatomy, "L4-L5"))


def _keys(stage: dict, name: str) -> list[dict]:
    return next(track["keys"] for track in stage["instruments"] if track["name"] == name)


def _distance_mm(points: np.ndarray, position) -> float:
    return float(cKDTree(points).query(np.asarray(position, dtype=float))[0])


def test_the_patient_anatomy_is_decompressed_at_l3_l4(anatomy, meta):
    assert focus_level(anatomy) == "L3-L4"
    with_bites = {part["name"]: part["level"] for part in meta["parts"] if part["bites"]}
    assert with_bites == {"L3": "L3", "ligamentum_flavum_L3-L4_left": "L3-L4",
                          "ligamentum_flavum_L3-L4_right": "L3-L4"}


def test_needle_tip_lies_behind_the_sac_at_l3_l4(anatomy, stages):
    tip = np.array(min(_keys(stages["fluoroscopy"], "needle"), key=lambda k: k["position_mm"][1])["position_mm"])
    ligament_z = np.concatenate([_points(anatomy, f"ligamentum_flavum_L3-L4_{side}")[:, 2] for side in ("left", "right")])
    assert ligament_z.min() < tip[2] < ligament_z.max()
    assert _nearer_l3_l4(anatomy, tip[2])
    assert _distance_mm(_points(anatomy, "dural_sac"), tip) < 3.0, "in the posterior epidural space"


def test_portal_docks_on_the_l3_lamina_at_the_l3_l4_window(anatomy, stages):
    docked = {tuple(key["position_mm"]) for key in _keys(stages["removal"], "portal") if key["visible"]}
    docked = [np.array(p) for p in docked if _distance_mm(_points(anatomy, "L3"), p) < 1.0]
    assert len(docked) == 2, "one dock per side"
    assert {np.sign(p[0]) for p in docked} == {-1.0, 1.0}
    for position in docked:
        side = "left" if position[0] > 0 else "right"
        near = _distance_mm(_points(anatomy, f"ligamentum_flavum_L3-L4_{side}"), position)
        assert near < 10.0 and near < _distance_mm(_points(anatomy, f"ligamentum_flavum_L4-L5_{side}"), position)


def test_tools_visit_the_l3_l4_bites(meta, stages):
    bites = [bite["centre_mm"] for part in meta["parts"] for bite in part["bites"]]
    visited = np.array([key["position_mm"] for name in ("bone_tool", "tissue_tool")
                        for key in _keys(stages["removal"], name) if key["visible"]])
    for centre in bites:
        assert np.linalg.norm(visited - centre, axis=1).min() < 0.01


def test_views_frame_l3_l4(anatomy, meta):
    views = meta["views"]
    disc_z = _disc_z(anatomy, "L3-L4")
    for name in ("axial", "xray", "oblique"):
        assert views[name]["focal_point_mm"][2] == pytest.approx(disc_z, abs=1.0), name
    assert views["axial"]["clip_plane"][0][2] == pytest.approx(disc_z, abs=1.0)
    closeup = np.array(views["closeup"]["focal_point_mm"])
    to_l3_l4 = np.linalg.norm(closeup - _points(anatomy, "ligamentum_flavum_L3-L4_left", "healthy").mean(axis=0))
    to_l4_l5 = np.linalg.norm(closeup - _points(anatomy, "ligamentum_flavum_L4-L5_left", "healthy").mean(axis=0))
    assert to_l3_l4 < 15.0 and to_l3_l4 < to_l4_l5


def test_hotspots_sit_at_l3_l4(anatomy, stages):
    spots = [spot for stage in stages.values() for spot in stage["hotspots"]]
    for spot in spots:
        if spot["id"] in LEVEL_HOTSPOTS:
            assert spot["part"] == LEVEL_HOTSPOTS[spot["id"]]
        if spot["part"] == "dural_sac" or spot["id"] in LEVEL_HOTSPOTS:
            assert _nearer_l3_l4(anatomy, spot["position_mm"][2]), spot["id"]


def test_incision_and_bandage_lie_on_the_portal_path(l3_l4_bundle, stages):
    docked = _keys(stages["incision"], "portal")[-1]
    tip, direction = np.array(docked["position_mm"]), np.array(docked["direction"])
    pieces = {entry["name"]: entry for entry in l3_l4_bundle.meta["instruments"] if entry["group"] == "body"}
    for name in ("incision_left", "bandage_left"):
        centre = read_array(l3_l4_bundle.data, pieces[name]["positions"]["rest"]).reshape(-1, 3).mean(axis=0)
        offset = centre - tip
        # the pieces lie on the skin, lifted ≤ 1.2 mm off the point where the portal axis crosses it
        assert np.linalg.norm(offset - (offset @ direction) * direction) < 1.5, name


def test_captions_name_l3_l4(meta):
    for lang in ("en", "es"):
        text = meta["text"][lang]
        clinician = {stage: voices["clinician"] for stage, voices in text["stages"].items()}
        assert "L3–L4" in clinician["stenosis"]["title"] and "L4–L5" not in clinician["stenosis"]["title"]
        assert "L3–L4" in clinician["fluoroscopy"]["caption"]
        assert "L3" in clinician["incision"]["caption"] and "L4 " not in clinician["incision"]["caption"]
        assert "L3–L4" in text["hotspots"]["stenosis"]["disc_bulge"]["clinician"]
        assert "{level}" not in str(text) and "{vertebra}" not in str(text)
