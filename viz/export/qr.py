"""QR codes for handouts: a link to the explainer (or one of its stages) as PNG or SVG.

No geometry here (for the record, the project's frame is millimetres, LPS+:
+x patient's left, +y posterior, +z superior). The code is made by segno with
error correction level M (15 % of the symbol may be damaged or covered) and a
quiet zone of four modules, as ISO/IEC 18004 requires.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import segno

from viz.errors import UserError
from viz.export.paths import atomic_file, output_file

MAX_URL_CHARS = 2000
"""Longest accepted link; longer links make dense codes that phones misread."""

MODULE_PX = 10
"""Size of one QR module in the PNG, px (a 25-module code is 330 px wide)."""

QUIET_ZONE_MODULES = 4
"""Blank border around the code, in modules (ISO/IEC 18004 minimum)."""


def validate_url(url: str) -> str:
    """Return ``url`` if it is a plain http(s) link, else raise UserError.

    Parameters
    ----------
    url : str
        The link, e.g. ``https://example.org/app?stage=stenosis``.
    """
    if any(ord(char) < 32 or ord(char) == 127 for char in url):
        raise UserError("The link contains control characters.")
    if len(url) > MAX_URL_CHARS:
        raise UserError(f"The link is longer than {MAX_URL_CHARS} characters.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UserError("The link must start with http:// or https:// and name a host.")
    return url


def make_qr(url: str) -> segno.QRCode:
    """Return the QR code (segno) for a validated ``url``."""
    return segno.make_qr(validate_url(url), error="m", boost_error=False)


def write_qr(url: str, out: str | os.PathLike, force: bool = False) -> Path:
    """Write a QR code for ``url`` to ``out`` (``.png`` or ``.svg``).

    Parameters
    ----------
    url : str
        An http or https link of at most 2000 characters.
    out : str or path-like
        Output file ending in ``.png`` or ``.svg``.
    force : bool, default: False
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    code = make_qr(url)
    path = output_file(out, (".png", ".svg"), force)
    kind = path.suffix.lower().lstrip(".")
    extra = {"title": "MILD explainer link"} if kind == "svg" else {}
    with atomic_file(path) as temp:
        code.save(str(temp), kind=kind, scale=MODULE_PX, border=QUIET_ZONE_MODULES, **extra)
    return path
