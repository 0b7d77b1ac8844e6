"""One timeline: the browser player and viz.scenes.timeline.frame_at agree (issue 18).

The player evaluates the story at 200 times spread over the whole story; each must match
the Python twin (used by the movie, PNG and glTF exports) within:

- camera position and focal point: 0.002 mm, view-up direction: 0.001 (Python rounds every
  interpolated camera vector to 0.001);
- opacity of every part, body piece and instrument: 1e-5 (Python rounds to 1e-6);
- morph states exactly, morph weight, removal progress and glow: 1e-9.
"""

from __future__ import annotations

import numpy as np

from tests.web.browser import catalogue_meta
from viz.scenes.timeline import frame_at, story_duration_s

SAMPLES = 200
POSITION_TOLERANCE_MM = 0.002
DIRECTION_TOLERANCE = 0.001
OPACITY_TOLERANCE = 1e-5
WEIGHT_TOLERANCE = 1e-9


def test_player_frames_match_the_python_twin(open_page):
    page, w = open_page("?embed=1")
    meta = catalogue_meta()
    times = np.linspace(0.0, story_duration_s(meta), SAMPLES).round(4).tolist()
    frames = page.evaluate("(times) => times.map((t) => window.mildPlayers[0].timelineAt(t))", times)
    for t, js in zip(times, frames):
        py = frame_at(meta, t)
        where = f"at {t:.2f} s ({py.stage_id})"
        assert js["stageId"] == py.stage_id, where
        assert js["morph"][:2] == list(py.morph[:2]), where
        assert abs(js["morph"][2] - py.morph[2]) < WEIGHT_TOLERANCE, where
        assert abs(js["removal"] - py.removal_progress) < WEIGHT_TOLERANCE, where
        assert abs(js["glow"] - py.glow) < WEIGHT_TOLERANCE, where
        assert set(js["opacity"]) == set(py.opacity), where
        worst = max(py.opacity, key=lambda name: abs(js["opacity"][name] - py.opacity[name]))
        assert abs(js["opacity"][worst] - py.opacity[worst]) < OPACITY_TOLERANCE, (where, worst, js["opacity"][worst], py.opacity[worst])
        camera = js["camera"]
        assert np.abs(np.subtract(camera["position_mm"], py.camera.position_mm)).max() < POSITION_TOLERANCE_MM, where
        assert np.abs(np.subtract(camera["focal_point_mm"], py.camera.focal_point_mm)).max() < POSITION_TOLERANCE_MM, where
        assert np.abs(np.subtract(camera["view_up"], py.camera.view_up)).max() < DIRECTION_TOLERANCE, where
        assert (camera["clip_plane"] is None) == (py.camera.clip_plane is None), where
    assert w.errors == []
