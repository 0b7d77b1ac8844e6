"""The story: order, durations, and every step of the issue present by its content."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
import trimesh

from viz.errors import UserError
from viz.scenes.landmarks import focus_level
from viz.scenes.story import STAGES, Hotspot, stage_ids, stage_metrics
from viz.scenes.timeline import frame_at, read_array

STORY = ("healthy", "stenosis", "prepare", "fluoroscopy", "incision", "removal", "decompressed", "recovery")


def _times(stage, count=40):
    return np.linspace(stage["start_s"], stage["start_s"] + stage["duration_s"] - 1e-3, count)


def _visible_at_some_time(meta, stage, name):
    return [t for t in _times(stage) if frame_at(meta, t).instruments[name].visible]


def test_order_matches_the_story():
    assert stage_ids() == STORY


def test_cli_lists_the_stages_in_order():
    done = subprocess.run([sys.executable, "-m", "viz", "stages"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == list(STORY)


def test_story_lasts_one_to_one_and_a_half_minutes(meta):
    total_s = sum(stage.duration_s for stage in STAGES)
    assert 60.0 <= total_s <= 90.0
    last = meta["stages"][-1]
    assert last["start_s"] + last["duration_s"] == pytest.approx(total_s)
    starts = [s["start_s"] for s in meta["stages"]]
    assert starts == sorted(starts) and starts[0] == 0.0


def test_stages_are_json_data():
    for stage in STAGES:
        assert json.loads(json.dumps(stage.to_json()))["id"] == stage.id


def test_unknown_stage_lists_the_valid_ids():
    with pytest.raises(UserError, match="healthy, stenosis, prepare"):
        stage_metrics("surgery")
    done = subprocess.run([sys.executable, "-m", "viz", "metrics", "--stage", "surgery"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "decompressed" in done.stderr


def test_metrics_narrow_then_widen():
    """CSA falls with stenosis and comes back after removal; ligament thins after removal."""
    before = stage_metrics("healthy")["levels"]["L4-L5"]
    narrowed = stage_metrics("stenosis")["levels"]["L4-L5"]
    after = stage_metrics("decompressed")["levels"]["L4-L5"]
    assert narrowed["dural_sac_csa_mm2"] < before["dural_sac_csa_mm2"]
    assert after["dural_sac_csa_mm2"] > narrowed["dural_sac_csa_mm2"]
    assert after["lf_thickness_mm"]["left"] < narrowed["lf_thickness_mm"]["left"]


def test_healthy_then_stenosis_pinches_the_nerves(meta, stages):
    assert stages["healthy"]["morph"] == ["healthy", "healthy"]
    assert stages["stenosis"]["morph"] == ["healthy", "stenosis"]
    end = stages["stenosis"]["start_s"] + stages["stenosis"]["duration_s"] - 1e-3
    assert frame_at(meta, 1.0).glow == 0.0 and frame_at(meta, end).glow > 0.99
    pinched = [p for p in meta["parts"] if p["pinch"] is not None and p["group"] in ("nerve", "dural_sac")]
    assert pinched, "nerves and dural sac carry pinch values"


def test_pinch_marks_where_the_sac_is_squeezed(bundle, anatomy):
    part = next(p for p in bundle.meta["parts"] if p["name"] == "dural_sac")
    pinch = read_array(bundle.data, part["pinch"])
    positions = read_array(bundle.data, part["positions"]["healthy"]).reshape(-1, 3)
    level_z = anatomy.parts["L4-L5"].positions_mm["healthy"][:, 2].mean()
    near = np.abs(positions[:, 2] - level_z) < 15.0
    assert pinch[near].max() > 0.5
    assert pinch[np.abs(positions[:, 2] - level_z) > 60.0].max() < 0.1


def _rest_points(bundle, name):
    entry = next(i for i in bundle.meta["instruments"] if i["name"] == name)
    return read_array(bundle.data, entry["positions"]["rest"]).reshape(-1, 3)


def test_prepare_shows_the_patient_face_down_and_the_numbing(bundle, stages, anatomy):
    meta, stage = bundle.meta, stages["prepare"]
    middle = frame_at(meta, stage["start_s"] + stage["duration_s"] / 2)
    end = frame_at(meta, stage["start_s"] + stage["duration_s"] - 1e-3)
    assert middle.opacity["torso"] > 0.3 and middle.opacity["table"] > 0.3 and middle.opacity["pillow"] > 0.3
    assert end.instruments["numbed_area_left"].visible and end.instruments["numbed_area_right"].visible
    assert "room" in {key["view"] for key in stage["camera"]}
    bones = np.concatenate([p.positions_mm["healthy"] for p in anatomy.parts.values() if p.group == "bone"])
    torso, table = _rest_points(bundle, "torso"), _rest_points(bundle, "table")
    assert torso[:, 1].max() > bones[:, 1].max() + 5.0, "the back (+y) faces up, skin over the spine"
    assert table[:, 1].max() < bones[:, 1].min(), "the table lies under the front of the body"
    shown = _visible_at_some_time(meta, stage, "anesthetic_needle")
    assert shown
    tips = np.array([frame_at(meta, t).instruments["anesthetic_needle"].pose[:3, 3] for t in shown])
    for side in ("left", "right"):
        numbed = _rest_points(bundle, f"numbed_area_{side}")
        centre, radius = numbed.mean(axis=0), np.ptp(numbed[:, 0]) / 2
        near = tips[np.hypot(tips[:, 0] - centre[0], tips[:, 2] - centre[2]) < radius]
        assert len(near), f"the needle numbs the {side} entry"
        assert numbed[:, 1].min() - 15.0 < near[:, 1].min() < numbed[:, 1].min(), "just under the skin"


def test_fluoroscopy_shows_c_arm_needle_dye_and_xray(bundle, stages, anatomy):
    meta, stage = bundle.meta, stages["fluoroscopy"]
    assert stage["overlay"] == "xray"
    start = frame_at(meta, stage["start_s"] + 0.5)
    end = frame_at(meta, stage["start_s"] + stage["duration_s"] - 0.5)
    assert start.instruments["c_arm"].visible and not end.instruments["c_arm"].visible
    assert end.instruments["contrast_dye"].visible and not start.instruments["contrast_dye"].visible
    tips = [frame_at(meta, t).instruments["needle"].pose[:3, 3] for t in _visible_at_some_time(meta, stage, "needle")]
    sac = anatomy.parts["dural_sac"].mesh("stenosis")
    gaps_mm = trimesh.proximity.signed_distance(sac, np.array(tips))
    assert -3.0 < gaps_mm.max() < 0.0, "the needle tip stops in the epidural space, outside the sac"
    assert {"oblique", "room"} <= {key["view"] for key in stage["camera"]}
    assert {"xray_ap", "xray_oblique"} <= set(meta["images"])


def test_incision_is_tiny_and_the_portal_docks_on_the_lamina(bundle, stages, anatomy):
    meta, stage = bundle.meta, stages["incision"]
    end = frame_at(meta, stage["start_s"] + stage["duration_s"] - 1e-3)
    assert end.opacity["incision_left"] > 0 and end.instruments["portal"].visible
    assert end.opacity["incision_right"] == 0.0, "the right incision is made when the work moves there"
    length_mm = np.ptp(_rest_points(bundle, "incision_left"), axis=0).max()
    assert 4.0 <= length_mm <= 6.0
    tip = end.instruments["portal"].pose[:3, 3]
    _, distance_mm, _ = trimesh.proximity.closest_point(anatomy.parts["L4"].mesh("stenosis"), [tip])
    assert distance_mm[0] < 2.0, "the portal tip rests on L4"


def _portal_skin_crossing(pose: np.ndarray, skin_y: float) -> np.ndarray:
    tip, axis = pose[:3, 3], pose[:3, 2]
    return tip + (skin_y - tip[1]) / axis[1] * axis


def test_the_portal_only_crosses_skin_through_a_visible_incision(bundle, stages):
    """Every 50 ms of the incision and removal steps: when the portal tip is under the skin,
    its axis crosses the skin inside an incision that is shown at that moment."""
    meta = bundle.meta
    incisions = {side: _rest_points(bundle, f"incision_{side}") for side in ("left", "right")}
    skin_y = min(points[:, 1].min() for points in incisions.values())
    used = set()
    for stage_id in ("incision", "removal"):
        stage = stages[stage_id]
        for t_s in np.arange(stage["start_s"], stage["start_s"] + stage["duration_s"], 0.05):
            frame = frame_at(meta, t_s)
            portal = frame.instruments["portal"]
            if not portal.visible or portal.pose[1, 3] > skin_y - 1.0:
                continue
            crossing = _portal_skin_crossing(portal.pose, skin_y)
            inside = [side for side, points in incisions.items()
                      if np.hypot(*(crossing[[0, 2]] - points.mean(axis=0)[[0, 2]])) < 2.5]
            assert len(inside) == 1, (stage_id, round(t_s, 2), crossing)
            assert frame.opacity[f"incision_{inside[0]}"] > 0, (stage_id, round(t_s, 2))
            used.add(inside[0])
    assert used == {"left", "right"}, "both sides are worked through their own incision"


def test_the_portal_changes_sides_smoothly(bundle, stages):
    """No jump: the portal stays visible and moves at most 240 mm/s, and taking it from the
    left dock to the right dock lasts at least 1.5 s."""
    meta, stage = bundle.meta, stages["removal"]
    times = np.arange(stage["start_s"], stage["start_s"] + stage["duration_s"], 0.02)
    frames = [frame_at(meta, t).instruments["portal"] for t in times]
    assert all(f.visible for f in frames)
    tips = np.array([f.pose[:3, 3] for f in frames])
    speed = np.linalg.norm(np.diff(tips, axis=0), axis=1) / 0.02
    assert speed.max() < 240.0, f"{speed.max():.0f} mm/s"
    left, right = tips[0], tips[-1]
    assert np.sign(left[0]) != np.sign(right[0])
    leaves = times[np.argmax(np.linalg.norm(tips - left, axis=1) > 0.5)]
    arrives = times[np.argmax(np.linalg.norm(tips - right, axis=1) < 0.5)]
    assert arrives - leaves >= 1.5


def test_removal_takes_bites_lateral_to_medial_left_then_right(bundle, stages):
    meta, stage = bundle.meta, stages["removal"]
    assert stage["removal"] == [0.0, 1.0] and stage["morph"] == ["stenosis", "decompressed"]
    bites = sorted((b for p in meta["parts"] for b in p["bites"]), key=lambda b: b["order"])
    assert bites and {b["tissue"] for b in bites} == {"bone", "ligament"}
    sides = [b["side"] for b in bites]
    assert sides == sorted(sides, key=("left", "right").index), "left side first"
    for tool in ("bone_tool", "tissue_tool", "portal"):
        assert _visible_at_some_time(meta, stage, tool), tool
    for bite in bites:
        t_s = stage["start_s"] + bite["t"] * stage["duration_s"]
        frame = frame_at(meta, t_s - 0.02)
        tool = "bone_tool" if bite["tissue"] == "bone" else "tissue_tool"
        gap_mm = np.linalg.norm(frame.instruments[tool].pose[:3, 3] - bite["centre_mm"])
        assert frame.instruments[tool].visible and gap_mm < 3.0, (bite["order"], gap_mm)
        assert frame.removal_progress < bite["t"] <= frame_at(meta, t_s + 0.02).removal_progress


def test_decompressed_offers_before_and_after_without_instruments(meta, stages):
    stage = stages["decompressed"]
    assert stage["compare"] == ["stenosis", "decompressed"] and stage["removal"] == [1.0, 1.0]
    frame = frame_at(meta, stage["start_s"] + 1.0)
    assert not any(state.visible for name, state in frame.instruments.items()
                   if next(i for i in meta["instruments"] if i["name"] == name)["group"] != "body")


def test_recovery_shows_the_bandages_and_the_patient(meta, stages):
    stage = stages["recovery"]
    frame = frame_at(meta, stage["start_s"] + stage["duration_s"] - 1e-3)
    for side in ("left", "right"):
        assert frame.opacity[f"bandage_{side}"] > 0.5 and frame.opacity[f"incision_{side}"] == 0.0
        assert frame_at(meta, stages["removal"]["start_s"] + 1.0).opacity[f"bandage_{side}"] == 0.0
    assert frame.opacity["torso"] > 0.5


def test_stages_offer_the_consult_sections(meta):
    offered = [section for stage in meta["stages"] for section in stage["consult"]]
    assert set(offered) == {"what_for", "who", "results", "risks", "alternatives"}
    assert set(meta["stages"][-1]["consult"]) == set(offered), "the last step offers everything"
    for lang in ("en", "es"):
        ids = [section["id"] for section in meta["text"][lang]["consult"]["sections"]]
        assert set(offered) <= set(ids)


def test_orientation_cue_directions_are_lps_unit_vectors(meta):
    cue = meta["orientation"]
    assert cue["head"] == [0.0, 0.0, 1.0] and cue["back"] == [0.0, 1.0, 0.0] and cue["left"] == [1.0, 0.0, 0.0]
    for name, vector in cue.items():
        assert np.allclose(np.add(vector, cue[{"head": "feet", "feet": "head", "back": "front", "front": "back",
                                               "left": "right", "right": "left"}[name]]), 0.0)
    for lang in ("en", "es"):
        assert set(meta["text"][lang]["ui"]["orientation"]) == set(cue)


def test_the_standard_story_is_told_at_l4_l5(anatomy, meta):
    assert focus_level(anatomy) == "L4-L5"
    spots = {spot["id"]: spot for stage in meta["stages"] for spot in stage["hotspots"]}
    assert spots["thick_ligament"]["part"] == "ligamentum_flavum_L4-L5_left"
    assert spots["disc_bulge"]["part"] == "L4-L5" and spots["kept"]["part"] == "L4"
    disc_z = anatomy.parts["L4-L5"].positions_mm["healthy"][:, 2].mean()
    assert meta["views"]["axial"]["focal_point_mm"][2] == pytest.approx(disc_z, abs=1.0)
    assert "L4–L5" in meta["text"]["en"]["stages"]["stenosis"]["clinician"]["title"]


def test_the_level_comes_from_the_bites(anatomy):
    moved = {name: replace(part, bites=()) if "L4-L5" in name else part for name, part in anatomy.parts.items()}
    with pytest.raises(ValueError, match="no ligamentum flavum bites"):
        focus_level(replace(anatomy, parts=moved))
    assert Hotspot("kept", "{vertebra}").part_at("L2-L3") == "L2"
