"""Burn titles, captions, the patient note and the X-ray panel into rendered frames.

Pure image work on RGB(A) ``uint8`` arrays with Pillow; no geometry (the scene
itself is rendered in millimetres, LPS+: +x patient's left, +y posterior,
+z superior, by :mod:`viz.export.offscreen`). Text uses the DejaVu Sans font
that matplotlib ships (a pyvista dependency), so nothing is downloaded and
Spanish accents render.
"""

from __future__ import annotations

import base64
import functools
import io
import math
from pathlib import Path

import matplotlib
import numpy as np
from PIL import Image, ImageDraw, ImageFont

PANEL_RGBA = (22, 30, 38, 190)
"""Caption band: a calm dark slate, ≈75 % opaque."""

TEXT_RGB = (245, 247, 250)
"""Caption text colour (near white on the dark band)."""

CAPTION_HEIGHT_FRACTION = 1 / 30
"""Caption font size as a fraction of the frame height (36 px at 1080 p)."""

XRAY_HEIGHT_FRACTION = 0.42
"""Height of the X-ray panel as a fraction of the frame height."""


@functools.lru_cache(maxsize=16)
def _font(size_px: int, bold: bool) -> ImageFont.FreeTypeFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name), size_px)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width_px: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}".strip()
            if line and draw.textlength(candidate, font=font) > width_px:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def _text_block(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont,
                left_px: int, top_px: int, line_px: int, padding_px: int, width_px: int) -> None:
    height_px = line_px * len(lines) + 2 * padding_px
    draw.rounded_rectangle((left_px, top_px, left_px + width_px, top_px + height_px),
                           radius=padding_px, fill=PANEL_RGBA)
    for row, line in enumerate(lines):
        draw.text((left_px + padding_px, top_px + padding_px + row * line_px), line,
                  font=font, fill=TEXT_RGB)


@functools.lru_cache(maxsize=8)
def _text_layer(height_px: int, width_px: int, title: str | None, caption: str | None,
                note: str | None) -> tuple[tuple[int, int, np.ndarray, np.ndarray], ...]:
    """Draw the text panels once per frame size and text.

    Returns ``(top, left, alpha, premultiplied)`` patches: ``alpha`` (h, w, 1) and
    ``premultiplied = rgba × alpha`` (h, w, 4, alpha channel 255 × alpha), both
    uint16 on the 0..255 scale, ready for :func:`burn_text`'s integer blend.
    """
    layer = Image.new("RGBA", (width_px, height_px), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size_px = max(10, round(height_px * CAPTION_HEIGHT_FRACTION))
    margin_px = size_px
    padding_px = size_px // 2
    boxes = []
    if title:
        font = _font(round(size_px * 1.2), bold=True)
        text_px = math.ceil(draw.textlength(title, font=font)) + 1
        box_px = min(width_px - 2 * margin_px, text_px + 2 * padding_px)
        lines = _wrap(draw, title, font, box_px - 2 * padding_px)
        line_px = round(size_px * 1.5)
        _text_block(draw, lines, font, margin_px, margin_px, line_px, padding_px, box_px)
        boxes.append((margin_px, margin_px, margin_px + box_px + 1, margin_px + line_px * len(lines) + 2 * padding_px + 1))
    blocks: list[tuple[list[str], ImageFont.FreeTypeFont, int]] = []
    inner_px = width_px - 2 * margin_px - 2 * padding_px
    if caption:
        font = _font(size_px, bold=False)
        blocks.append((_wrap(draw, caption, font, inner_px), font, round(size_px * 1.35)))
    if note:
        font = _font(max(8, round(size_px * 0.6)), bold=False)
        blocks.append((_wrap(draw, note, font, inner_px), font, round(size_px * 0.85)))
    if blocks:
        band_px = sum(line_px * len(lines) for lines, _, line_px in blocks) + 2 * padding_px
        top_px = height_px - margin_px - band_px
        draw.rounded_rectangle((margin_px, top_px, width_px - margin_px, top_px + band_px),
                               radius=padding_px, fill=PANEL_RGBA)
        row_px = top_px + padding_px
        for lines, font, line_px in blocks:
            for line in lines:
                draw.text((margin_px + padding_px, row_px), line, font=font, fill=TEXT_RGB)
                row_px += line_px
        boxes.append((margin_px, max(0, top_px), width_px - margin_px + 1, top_px + band_px + 1))
    pixels = np.asarray(layer).astype(np.uint16)
    patches = []
    for left, top, right, bottom in boxes:
        patch = pixels[top:bottom, left:right]
        alpha = patch[..., 3:4].copy()
        premultiplied = np.concatenate([patch[..., :3] * alpha, np.full_like(alpha, 255) * alpha], axis=2)
        patches.append((top, left, alpha, premultiplied))
    return tuple(patches)


def burn_text(image: np.ndarray, title: str | None = None, caption: str | None = None,
              note: str | None = None) -> np.ndarray:
    """Return a copy of ``image`` with a title (top left), caption (bottom) and note.

    Parameters
    ----------
    image : (h, w, 3) or (h, w, 4) uint8
        The rendered frame; an alpha channel is kept (text panels are opaque
        enough to read on a transparent background).
    title : str, optional
        Stage title, bold, top left.
    caption : str, optional
        Caption, wrapped to the frame width, in a band at the bottom.
    note : str, optional
        Small line under the caption (the learning-only note: "your own doctor
        decides").

    Returns
    -------
    (h, w, c) uint8
        Each panel pixel is ``round(image × (1 − a) + panel × a)`` with the panel's
        alpha ``a``, computed in integers (the text layer is drawn once per text).
    """
    out = np.array(image, dtype=np.uint8)
    channels = out.shape[2]
    for top, left, alpha, premultiplied in _text_layer(image.shape[0], image.shape[1], title, caption, note):
        rows, cols = slice(top, top + alpha.shape[0]), slice(left, left + alpha.shape[1])
        region = out[rows, cols].astype(np.uint16)
        region *= 255 - alpha
        region += premultiplied[..., :channels]
        region += 127
        out[rows, cols] = region // 255
    return out


def decode_data_uri(uri: str) -> np.ndarray:
    """Decode a ``data:image/png;base64,...`` URI into an RGB uint8 array."""
    payload = uri.split(",", 1)[1]
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(payload))).convert("RGB"))


def burn_xray(image: np.ndarray, pictures: list[np.ndarray]) -> np.ndarray:
    """Return a copy of ``image`` with X-ray pictures in framed panels along the top right.

    Parameters
    ----------
    image : (h, w, 3) or (h, w, 4) uint8
        The rendered frame.
    pictures : list of (hx, wx, 3) uint8
        Simulated fluoroscopy images (from the scene bundle), drawn right to left.
    """
    height_px, width_px = image.shape[:2]
    margin_px = max(10, round(height_px * CAPTION_HEIGHT_FRACTION))
    frame_px = max(2, margin_px // 6)
    panel_h_px = round(height_px * XRAY_HEIGHT_FRACTION * (1.0 if len(pictures) < 2 else 0.85))
    base = Image.fromarray(image).convert("RGBA")
    draw = ImageDraw.Draw(base)
    right_px = width_px - margin_px
    for xray in pictures:
        panel_w_px = round(panel_h_px * xray.shape[1] / xray.shape[0])
        left_px = right_px - panel_w_px
        picture = Image.fromarray(xray).resize((panel_w_px, panel_h_px), Image.LANCZOS).convert("RGBA")
        draw.rectangle((left_px - frame_px, margin_px - frame_px, right_px + frame_px - 1,
                        margin_px + panel_h_px + frame_px - 1), fill=PANEL_RGBA[:3] + (255,))
        base.paste(picture, (left_px, margin_px))
        right_px = left_px - margin_px // 2
    return np.asarray(base.convert("RGBA" if image.shape[2] == 4 else "RGB"))
