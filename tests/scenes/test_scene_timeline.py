"""frame_at: the Python twin of the player is continuous, eased and follows the stages."""

from __future__ import annotations

import numpy as np
import pytest

from viz.scenes.cameras import ease_in_out
from viz.scenes.timeline import frame_at, story_duration_s, visible_faces

STEP_S = 0.05


def test_stage_and_local_time(meta):
    for stage in meta["stages"]:
        frame = frame_at(meta, stage["start_s"] + 0.25 * stage["duration_s"])
        assert frame.stage_id == stage["id"]
        assert frame.local_t_s == pytest.approx(0.25 * stage["duration_s"])
    end = story_duration_s(meta)
    assert frame_at(meta, end + 10).stage_id == "recovery" and frame_at(meta, -5).stage_id == "healthy"


def test_camera_moves_smoothly(meta):
    """No camera jump over the whole story: at most 40 mm per 50 ms frame, and eased to rest at keys."""
    times = np.arange(0.0, story_duration_s(meta), STEP_S)
    positions = np.array([frame_at(meta, t).camera.position_mm for t in times])
    focal = np.array([frame_at(meta, t).camera.focal_point_mm for t in times])
    step_mm = np.linalg.norm(np.diff(positions, axis=0), axis=1) + np.linalg.norm(np.diff(focal, axis=0), axis=1)
    distances = np.linalg.norm(positions - focal, axis=1)
    assert step_mm.max() < 0.02 * distances.max() + 40.0
    key_times = [s["start_s"] + k["t_s"] for s in meta["stages"] for k in s["camera"]]
    for t in key_times[1:]:
        before = np.array(frame_at(meta, t - 0.01).camera.position_mm)
        after = np.array(frame_at(meta, t + 0.01).camera.position_mm)
        assert np.linalg.norm(after - before) < 5.0, t


def test_positions_are_continuous_across_stages(bundle):
    meta, data = bundle.meta, bundle.data
    for stage in meta["stages"][1:]:
        before = frame_at(meta, stage["start_s"] - 1e-4, data).positions_mm
        after = frame_at(meta, stage["start_s"] + 1e-4, data).positions_mm
        for name in before:
            assert np.abs(before[name] - after[name]).max() < 0.05, (stage["id"], name)


def test_removal_progress_hides_bites(bundle):
    meta = bundle.meta
    removal = next(s for s in meta["stages"] if s["id"] == "removal")
    part = next(p for p in meta["parts"] if p["bites"])
    faces = np.arange(3 * 30000).reshape(-1, 3) % max(b["stop"] for b in part["bites"])
    middle = frame_at(meta, removal["start_s"] + 0.5 * removal["duration_s"])
    kept_start = visible_faces(faces, part["bites"], 0.0)
    kept_middle = visible_faces(faces, part["bites"], middle.removal_progress)
    kept_end = visible_faces(faces, part["bites"], 1.0)
    assert len(kept_end) < len(kept_middle) <= len(kept_start) == len(faces)
    assert middle.removal_progress == pytest.approx(0.5)


def test_instrument_poses_are_continuous_while_visible(meta):
    stage = next(s for s in meta["stages"] if s["id"] == "removal")
    times = np.arange(stage["start_s"], stage["start_s"] + stage["duration_s"], STEP_S)
    frames = [frame_at(meta, t) for t in times]
    for name in ("portal", "bone_tool", "tissue_tool"):
        for a, b in zip(frames, frames[1:]):
            if a.instruments[name].visible and b.instruments[name].visible:
                jump_mm = np.linalg.norm(a.instruments[name].pose[:3, 3] - b.instruments[name].pose[:3, 3])
                assert jump_mm < 12.0, (name, a.t_s, jump_mm)


def test_opacity_fades_between_stages(meta):
    prepare = next(s for s in meta["stages"] if s["id"] == "prepare")
    at_start = frame_at(meta, prepare["start_s"] + 1e-3).opacity["torso"]
    halfway = frame_at(meta, prepare["start_s"] + 0.5).opacity["torso"]
    settled = frame_at(meta, prepare["start_s"] + 2.0).opacity["torso"]
    assert at_start < 0.01 < halfway < settled
    assert halfway == pytest.approx(settled * ease_in_out(0.5), rel=1e-3)


def test_positions_interpolate_linearly_between_states(bundle):
    from viz.scenes.timeline import read_array

    meta, data = bundle.meta, bundle.data
    stage = next(s for s in meta["stages"] if s["id"] == "stenosis")
    part = next(p for p in meta["parts"] if p["name"] == "dural_sac")
    frame = frame_at(meta, stage["start_s"] + 0.3 * stage["duration_s"], data)
    healthy = read_array(data, part["positions"]["healthy"]).reshape(-1, 3)
    stenosis = read_array(data, part["positions"]["stenosis"]).reshape(-1, 3)
    assert np.allclose(frame.positions_mm["dural_sac"], 0.7 * healthy + 0.3 * stenosis, atol=1e-4)
