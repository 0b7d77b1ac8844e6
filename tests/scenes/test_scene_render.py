"""Every stage renders off screen (pyvista) from the bundle without error, and shows something."""

from __future__ import annotations

import numpy as np
from PIL import Image

from viz.models.anatomy import STATES
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


def _project(renderer, point_mm) -> tuple[int, int]:
    """Image row and column (top row first) where VTK draws an LPS point."""
    vtk_renderer = renderer.plotter.renderer
    vtk_renderer.SetWorldPoint(*point_mm, 1.0)
    vtk_renderer.WorldToDisplay()
    x, y, _ = vtk_renderer.GetDisplayPoint()
    height = renderer.plotter.ren_win.GetSize()[1]
    return int(round(height - 1 - y)), int(round(x))


def _colour(meta, name):
    return 255.0 * np.asarray(next(p["color"] for p in meta["parts"] if p["name"] == name))


def _on_plane(point, origin, normal):
    normal = np.asarray(normal, float) / np.linalg.norm(normal)
    return np.asarray(point, float) - ((np.asarray(point, float) - origin) @ normal) * normal


def test_cut_faces_are_solid_in_the_part_colour(anatomy, bundle):
    """In the axial and sagittal cuts, a vertebral body and a disc cut by the plane show a
    flat cap in their own colour (not the background, nor the shaded inside of a hollow
    shell): the pixels around points of the cut inside them (the body's centre, the disc
    5 mm in front of its back), 3x3 each, match the part's colour within 4 of 255."""
    from viz.export.offscreen import OffscreenRenderer
    from viz.export.render import stage_end_frame

    meta, data = bundle.meta, bundle.data
    level, above = anatomy.levels["L4-L5"], anatomy.levels["L3-L4"]
    body_centre = 0.5 * (level.disc_centre_mm + above.disc_centre_mm)
    disc_back = [level.world(np.array([x, level.disc_back_mm - 5.0, 0.0])) for x in (0.0, 6.0)]
    checks = {"sagittal": [("L4", body_centre), ("L4-L5", disc_back[0])],
              "axial": [("L4-L5", disc_back[0]), ("L4-L5", disc_back[1])]}
    for view, points in checks.items():
        origin, normal = meta["views"][view]["clip_plane"]
        with OffscreenRenderer(meta, data, 320, 240) as renderer:
            image = renderer.draw(stage_end_frame(meta, "stenosis", view), view).astype(float)
            for name, point in points:
                row, col = _project(renderer, _on_plane(point, np.asarray(origin), normal))
                patch = image[row - 1:row + 2, col - 1:col + 2, :3].reshape(-1, 3)
                assert np.abs(patch - _colour(meta, name)).max() <= 4.0, (view, name, patch.mean(axis=0))


def test_sagittal_view_renders_from_the_command_line(tmp_path):
    import subprocess
    import sys

    out = tmp_path / "sagittal.png"
    done = subprocess.run([sys.executable, "-m", "viz", "render", "--stage", "stenosis", "--view", "sagittal",
                           "--out", str(out), "--width", "160", "--height", "120"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert np.asarray(Image.open(out)).shape == (120, 160, 3)


def test_sagittal_cut_shows_the_hourglass_and_its_relief(anatomy, meta):
    """In the sagittal view's cut plane the dural sac is narrowest front to back at the
    treated level in stenosis (under 70 % of its depth at the levels above and below, which
    keep their healthy depth), and MILD gives back at least 75 % of its healthy depth there."""
    origin, normal = (np.asarray(v, float) for v in meta["views"]["sagittal"]["clip_plane"])

    def depth_mm(state, level_name):
        level = anatomy.levels[level_name]
        section = anatomy.parts["dural_sac"].mesh(state).section(plane_origin=origin, plane_normal=normal)
        local = level.local(np.asarray(section.vertices))
        band = local[np.abs(local[:, 2]) < 1.0]
        return float(np.ptp(band[:, 1]))

    depth = {(s, n): depth_mm(s, n) for s in STATES for n in ("L3-L4", "L4-L5", "L5-S1")}
    neighbours = 0.5 * (depth[("stenosis", "L3-L4")] + depth[("stenosis", "L5-S1")])
    assert depth[("stenosis", "L4-L5")] < 0.7 * neighbours, depth
    for name in ("L3-L4", "L5-S1"):
        assert depth[("stenosis", name)] > 0.95 * depth[("healthy", name)], depth
    assert depth[("decompressed", "L4-L5")] > 0.75 * depth[("healthy", "L4-L5")], depth
    assert depth[("decompressed", "L4-L5")] > 1.3 * depth[("stenosis", "L4-L5")], depth
