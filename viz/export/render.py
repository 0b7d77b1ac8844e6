"""Still images of a stage for slides: ``python -m viz render``.

The picture shows the anatomy as it is at the end of the stage, seen from a
named view (:mod:`viz.scenes.cameras`), rendered off screen by
:class:`viz.export.offscreen.OffscreenRenderer` up to 8K (7680 px a side),
optionally on a transparent background and with the stage's title and caption
burned in. Frame and units of the scene: millimetres, LPS+ (+x patient's left,
+y posterior, +z superior).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from PIL import Image

from viz.scenes.cameras import Camera
from viz.scenes.timeline import Frame, frame_at

from viz.export.paths import atomic_file, output_file, validate_lang, validate_mode, validate_stage, validate_view

PNG_COMPRESS_LEVEL = 3
"""zlib level: level 6 took ≈2.8 s to encode a 4K frame here; 3 is faster for slightly larger files."""

STAGE_END_MARGIN_S = 1e-3
"""A stage's end state is sampled this long before the next stage starts, s."""


def stage_end_frame(meta: dict, stage: str, view: str) -> Frame:
    """Return the timeline frame at the end of ``stage``, seen from the named ``view``.

    Parameters
    ----------
    meta : dict
        Scene bundle metadata.
    stage : str
        Stage id.
    view : str
        Named view; its camera (``meta["views"]``) replaces the stage's own camera.
    """
    entry = next(s for s in meta["stages"] if s["id"] == stage)
    frame = frame_at(meta, entry["start_s"] + entry["duration_s"] - STAGE_END_MARGIN_S)
    return dataclasses.replace(frame, camera=Camera(**meta["views"][view]))


def render_png(stage: str, view: str, out: str | os.PathLike, width: int = 1920, height: int = 1080,
               transparent: bool = False, caption: bool = False, lang: str = "en",
               mode: str = "patient", force: bool = False) -> Path:
    """Render a stage's end state from a named view to a PNG file.

    Parameters
    ----------
    stage : str
        Stage id (``python -m viz stages``).
    view : str
        ``back``, ``side``, ``axial``, ``sagittal``, ``xray`` or ``oblique`` (also ``room``, ``closeup``, ``skin``).
    out : str or path-like
        Output ``.png``.
    width, height : int, default: 1920, 1080
        Image size in px, 16..7680 each.
    transparent : bool, default: False
        RGBA with a transparent background instead of the calm gradient.
    caption : bool, default: False
        Burn the stage title and caption (in ``lang`` and ``mode``) into the image.
    lang, mode : str, default: "en", "patient"
        Caption language and voice.
    force : bool, default: False
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        The written PNG.
    """
    from viz.export.offscreen import OffscreenRenderer
    from viz.scenes.bundle import load_bundle

    validate_stage(stage)
    validate_view(view)
    validate_lang(lang)
    validate_mode(mode)
    path = output_file(out, (".png",), force)
    bundle = load_bundle()
    frame = stage_end_frame(bundle.meta, stage, view)
    with OffscreenRenderer(bundle.meta, bundle.data, width, height, transparent, lang, mode) as renderer:
        image = renderer.render(frame, caption=caption, view=view)
    with atomic_file(path) as temp:
        Image.fromarray(image).save(temp, format="PNG", compress_level=PNG_COMPRESS_LEVEL)
    return path
