"""The browser player as a Panel component.

One :class:`StoryPlayer` per browser session. The scene bundle
(``docs/CONTRACTS.md`` §3) is sent once, when the session opens: ``meta`` as
JSON and ``geometry`` as one binary buffer. Everything that moves (morphing,
tissue removal, instruments, camera flights, captions, metrics, the axial
inset) is computed in the browser by the player script in
``requestAnimationFrame``; the server only hears about stage changes.
"""

from __future__ import annotations

import pathlib

import param
from panel.custom import JSComponent

WEB_DIR = pathlib.Path(__file__).parent
PLAYER_CSS = WEB_DIR / "player.css"


def player_script() -> str:
    """The player's ES module: ``viz/web/js/*.js`` joined in file-name order.

    The parts share one module scope; the last one exports ``render`` (Panel)
    and ``mountStandalone`` (the offline HTML export).
    """
    parts = sorted((WEB_DIR / "js").glob("*.js"))
    return "\n".join(f"// ---- {p.name}\n{p.read_text(encoding='utf-8')}" for p in parts)


def player_css() -> str:
    """The player's stylesheet."""
    return PLAYER_CSS.read_text(encoding="utf-8")


class StoryPlayer(JSComponent):
    """vtk.js scene + story timeline + captions, all driven client-side."""

    meta = param.Dict(default={}, doc="Scene bundle JSON part (docs/CONTRACTS.md §3).")
    geometry = param.Bytes(default=b"", doc="Scene bundle binary part: little-endian arrays.")
    options = param.Dict(default={}, doc="Page options: mode, lang, view, focus, embed, autoplay, problems.")
    stage = param.String(default="healthy", doc="Current stage id; set by the browser as the story moves.")

    _esm = player_script()
    _stylesheets = [player_css()]
