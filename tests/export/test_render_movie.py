"""Still images and movies: real sizes, alpha, frame counts, and frames that change."""

from __future__ import annotations

import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

from viz.export.movie import GIF_MAX_FPS, write_movie
from viz.export.render import render_png
from viz.scenes.bundle import load_bundle
from viz.scenes.timeline import story_duration_s


def test_png_has_the_requested_size_and_shows_the_spine(tmp_path):
    out = render_png("stenosis", "back", tmp_path / "still.png", width=480, height=270)
    image = np.asarray(Image.open(out))
    assert image.shape == (270, 480, 3)
    centre = image[90:180, 200:280].astype(float)
    corner = image[:20, :20].astype(float)
    assert np.abs(centre.mean(axis=(0, 1)) - corner.mean(axis=(0, 1))).max() > 20, "spine not drawn"
    assert centre.std() > 10


def test_transparent_png_has_alpha_only_around_the_anatomy(tmp_path):
    out = render_png("healthy", "side", tmp_path / "clear.png", width=400, height=300, transparent=True)
    image = np.asarray(Image.open(out))
    assert image.shape == (300, 400, 4)
    alpha = image[..., 3]
    assert (alpha[:5, :5] == 0).all() and (alpha[-5:, -5:] == 0).all()
    assert (alpha == 255).mean() > 0.02, "no opaque anatomy pixels"


def test_caption_band_is_burned_in_and_every_still_carries_the_note(tmp_path):
    """At 640 × 360 the caption fills rows 216–320 and the learning-only note rows 326–346."""
    plain = np.asarray(Image.open(render_png("removal", "back", tmp_path / "a.png", width=640, height=360)))
    captioned = np.asarray(Image.open(render_png("removal", "back", tmp_path / "b.png", width=640, height=360,
                                                 caption=True, lang="es", mode="clinician")))
    caption_band, note_band = slice(220, 320), slice(328, 346)
    assert captioned[caption_band].mean() < plain[caption_band].mean() - 40, "dark caption band missing"
    for image in (plain, captioned):
        assert image[note_band].mean() < plain[caption_band].mean() - 40, "the learning-only note's band is missing"
    assert np.abs(captioned[100:250, 200:440].astype(int) - plain[100:250, 200:440]).mean() < 25


def test_short_mp4_has_expected_frames_size_and_motion(tmp_path):
    """A window across the camera's turn from the back view to the side view (healthy stage)."""
    out = write_movie(tmp_path / "clip.mp4", width=480, height=270, fps=8, start_s=2.0, duration_s=2.5)
    frames = np.stack(list(iio.imiter(out, plugin="FFMPEG")))
    assert frames.shape == (20, 270, 480, 3)
    scene = (slice(40, 180), slice(100, 380))
    change = np.abs(frames[0][scene].astype(int) - frames[-1][scene].astype(int)).mean()
    assert change > 5.0, f"first and last frame alike ({change:.1f})"
    note = load_bundle().meta["text"]["en"]["ui"]["disclaimer"]
    assert note.encode("utf-8") in out.read_bytes(), "the learning-only note in the file's metadata"


def test_gif_is_capped_in_rate_and_lasts_the_window(tmp_path):
    out = write_movie(tmp_path / "clip.gif", width=1280, height=720, fps=24, start_s=20.0, duration_s=1.5)
    with Image.open(out) as gif:
        assert gif.size == (640, 360)
        durations = []
        for index in range(gif.n_frames):
            gif.seek(index)
            durations.append(gif.info["duration"])
    assert sum(durations) == pytest.approx(1500, abs=10)
    assert max(durations) >= 1000 / GIF_MAX_FPS - 1
    with Image.open(out) as gif:
        assert gif.info["comment"].decode("utf-8") == load_bundle().meta["text"]["en"]["ui"]["disclaimer"]


def test_every_voice_burns_in_the_learning_note():
    """A clinician frame in Spanish carries the note under its caption, as a patient frame does."""
    from viz.export.burn_in import burn_text
    from viz.export.offscreen import OffscreenRenderer
    from viz.scenes.timeline import frame_at

    bundle = load_bundle()
    text = bundle.meta["text"]["es"]
    with OffscreenRenderer(bundle.meta, bundle.data, 480, 270, lang="es", mode="clinician", still=False) as renderer:
        frame = frame_at(bundle.meta, 30.0)
        shown = renderer.render(frame, caption=True)
        plain = renderer.draw(frame)
    stage = text["stages"][frame.stage_id]["clinician"]
    with_note = burn_text(plain, stage["title"], stage["caption"], note=text["ui"]["disclaimer"])
    without = burn_text(plain, stage["title"], stage["caption"])
    assert (shown == with_note).all() and not (shown == without).all()


def test_full_story_small_movie_has_round_duration_times_fps_frames(tmp_path):
    total_s = story_duration_s(load_bundle().meta)
    out = write_movie(tmp_path / "story.mp4", width=192, height=108, fps=2)
    count = sum(1 for _ in iio.imiter(out, plugin="FFMPEG"))
    assert count == round(total_s * 2)

