"""The whole story as a video with captions burned in: ``python -m viz movie``.

MP4 is H.264 in yuv420p (plays on phones, tablets, slide software) written by
the ffmpeg that imageio-ffmpeg ships, so no system ffmpeg is needed. GIF is
for pages that cannot embed video: frames are scaled down to at most
:data:`GIF_MAX_WIDTH_PX` wide and at most :data:`GIF_MAX_FPS` frames per second,
each with its own 256-colour palette. Frames come from
:class:`viz.export.offscreen.OffscreenRenderer` at ``t_s = start_s + k / fps``;
the scene is in millimetres, LPS+ (+x patient's left, +y posterior,
+z superior). MP4 frames are handed to ffmpeg by a second thread, so the next
frame renders while ffmpeg takes the previous one. Every frame carries the
learning-only note ("your own doctor decides") under its caption
(:mod:`viz.export.burn_in`), in every voice, and the file says it again in its
metadata (MP4 ``comment``, GIF comment).
"""

from __future__ import annotations

import errno
import os
import queue
import threading
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
from PIL import Image

from viz.errors import UserError
from viz.export.paths import atomic_file, output_file, validate_lang, validate_mode

GIF_MAX_WIDTH_PX = 640
"""Widest GIF frame, px (GIF files grow fast with size)."""

GIF_MAX_FPS = 10
"""Highest GIF frame rate, frames per second."""

MP4_CRF = 20
"""x264 constant rate factor: visually clean; 10 s at 1080p measured 2.1 MB."""

ENCODE_QUEUE_FRAMES = 4
"""Frames waiting for the encoder thread at most (≈25 MB at 1080p)."""


def movie_plan(meta: dict, suffix: str, width: int, height: int, fps: int,
               start_s: float = 0.0, duration_s: float | None = None) -> tuple[int, int, int, np.ndarray]:
    """Return the output size, frame rate and frame times of a movie.

    Parameters
    ----------
    meta : dict
        Scene bundle metadata (its stages give the total duration).
    suffix : {".mp4", ".gif"}
    width, height : int
        Requested size, px.
    fps : int
        Requested frames per second.
    start_s : float, default: 0
        Start of the time window, s.
    duration_s : float, optional
        Length of the window, s; by default up to the end of the story.

    Returns
    -------
    width_px, height_px, fps, times_s
        ``times_s`` has ``round(duration_s * fps)`` entries.
    """
    from viz.scenes.timeline import story_duration_s

    total_s = story_duration_s(meta)
    if not 0.0 <= start_s < total_s:
        raise UserError(f"The start time must be between 0 and {total_s:g} seconds.")
    window_s = total_s - start_s if duration_s is None else min(duration_s, total_s - start_s)
    if window_s <= 0:
        raise UserError("The movie must last longer than zero seconds.")
    if suffix == ".gif":
        scale = min(1.0, GIF_MAX_WIDTH_PX / width)
        width, height, fps = round(width * scale), round(height * scale), min(fps, GIF_MAX_FPS)
    count = max(1, round(window_s * fps))
    return width, height, fps, start_s + np.arange(count) / fps


def _frames(meta: dict, data: bytes, width: int, height: int, times_s: np.ndarray,
            lang: str, mode: str) -> Iterator[np.ndarray]:
    from viz.export.offscreen import OffscreenRenderer
    from viz.scenes.timeline import frame_at

    with OffscreenRenderer(meta, data, width, height, False, lang, mode, still=False) as renderer:
        for t_s in times_s:
            yield renderer.render(frame_at(meta, float(t_s)), caption=True)


def consume_in_thread(items: Iterable, consume: Callable[[object], None],
                      depth: int = ENCODE_QUEUE_FRAMES) -> None:
    """Call ``consume(item)`` for every item in a second thread while ``items`` are produced here.

    At most ``depth`` items wait. An exception in either thread stops both and is
    raised here (the producer's first); the consumer finishes the items already
    queued before an exception in the producer propagates.
    """
    waiting: queue.Queue = queue.Queue(maxsize=depth)
    failures: list[BaseException] = []
    done = object()

    def work() -> None:
        try:
            while (item := waiting.get()) is not done:
                consume(item)
        except Exception as error:  # re-raised in the producer's thread below
            failures.append(error)
            while waiting.get() is not done:
                pass

    worker = threading.Thread(target=work, name="encode", daemon=True)
    worker.start()
    try:
        for item in items:
            if failures:
                break
            waiting.put(item)
    finally:
        waiting.put(done)
        worker.join()
    if failures:
        raise failures[0]


def _write_mp4(temp: Path, frames: Iterator[np.ndarray], fps: int, note: str) -> None:
    import imageio.v2 as imageio

    writer = imageio.get_writer(temp, format="FFMPEG", fps=fps, codec="libx264", pixelformat="yuv420p",
                                macro_block_size=1, quality=None, ffmpeg_log_level="quiet",
                                output_params=["-crf", str(MP4_CRF), "-preset", "veryfast",
                                               "-movflags", "+faststart", "-metadata", f"comment={note}"])
    try:
        consume_in_thread(frames, writer.append_data)
    finally:
        writer.close()


def _check_every_frame_arrived(temp: Path, expected: int) -> None:
    """Raise ``OSError(EPIPE)`` unless the MP4 at ``temp`` holds ``expected`` frames.

    The encoder runs in its own process and its exit status is not passed on
    (imageio-ffmpeg does not check it), so a video cut short by a full disk
    would otherwise be saved as if complete. Counting copies the stream
    without decoding it.
    """
    from imageio_ffmpeg import count_frames_and_secs

    try:
        frames, _ = count_frames_and_secs(str(temp))
    except (RuntimeError, OSError):
        frames = 0
    if frames != expected:
        raise OSError(errno.EPIPE, f"the video holds {frames} of {expected} frames")


def _write_gif(temp: Path, frames: Iterator[np.ndarray], fps: int, note: str) -> None:
    paletted = (Image.fromarray(frame).quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                                dither=Image.Dither.NONE) for frame in frames)
    first = next(paletted)
    first.save(temp, format="GIF", save_all=True, append_images=paletted, duration=round(1000 / fps),
               loop=0, optimize=False, disposal=1, comment=note.encode("utf-8"))


def write_movie(out: str | os.PathLike, width: int = 1920, height: int = 1080, fps: int = 24,
                lang: str = "en", mode: str = "patient", force: bool = False, *,
                start_s: float = 0.0, duration_s: float | None = None) -> Path:
    """Render the story (or a time window of it) to an MP4 or GIF with captions.

    Parameters
    ----------
    out : str or path-like
        ``.mp4`` or ``.gif``.
    width, height : int, default: 1920, 1080
        Frame size, px; MP4 needs even numbers (yuv420p). GIFs are scaled down to
        at most 640 px wide.
    fps : int, default: 24
        Frames per second (GIF: at most 10).
    lang, mode : str, default: "en", "patient"
        Caption language and voice.
    force : bool, default: False
        Replace an existing file.
    start_s, duration_s : float, optional
        Keyword-only time window (for tests and benchmarks); the whole story by default.

    Returns
    -------
    pathlib.Path
        The written file; it holds ``round(duration_s * fps)`` frames.
    """
    from viz.scenes.bundle import load_bundle

    validate_lang(lang)
    validate_mode(mode)
    path = output_file(out, (".mp4", ".gif"), force)
    suffix = path.suffix.lower()
    if suffix == ".mp4" and (width % 2 or height % 2):
        raise UserError("MP4 width and height must be even numbers of pixels.")
    bundle = load_bundle()
    width, height, fps, times_s = movie_plan(bundle.meta, suffix, width, height, fps, start_s, duration_s)
    frames = _frames(bundle.meta, bundle.data, width, height, times_s, lang, mode)
    note = bundle.meta["text"][lang]["ui"]["disclaimer"]
    with atomic_file(path) as temp:
        if suffix == ".mp4":
            _write_mp4(temp, frames, fps, note)
            _check_every_frame_arrived(temp, len(times_s))
        else:
            _write_gif(temp, frames, fps, note)
    return path
