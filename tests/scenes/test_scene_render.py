"""Every stage renders off screen (pyvista) from the bundle without error, and shows something."""

from __future__ import annotations

import numpy as np
from PIL import Image

from viz.scenes.story import stage_ids


def test_every_stage_renders(tmp_path):
    from viz.export.render import render_png

    images = {}
    for stage in stage_ids():
        out = render_png(stage, "back", tmp_path / f"{stage}.png", width=160, height=120, transparent=True)
        images[stage] = np.asarray(Image.open(out).convert("RGBA")).astype(int)
        drawn = images[stage][:, :, 3] > 0
        assert 0.03 < drawn.mean(), stage
    assert np.abs(images["prepare"] - images["healthy"]).sum() > 0, "the body appears"
    assert np.abs(images["removal"] - images["decompressed"]).sum() > 0, "tools are shown while removing"


def test_axial_view_shows_the_canal_change(tmp_path):
    from viz.export.render import render_png

    narrow = np.asarray(Image.open(render_png("stenosis", "axial", tmp_path / "s.png", width=200, height=160)))
    wide = np.asarray(Image.open(render_png("decompressed", "axial", tmp_path / "d.png", width=200, height=160)))
    changed = np.abs(narrow.astype(int) - wide.astype(int)).sum(axis=2) > 30
    assert changed.mean() > 0.005
