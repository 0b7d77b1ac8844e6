"""The browser player as a Panel component.

One :class:`StoryPlayer` per browser session. The scene bundle is sent once, when the
session opens, in its wire encoding (:mod:`viz.web.wire`): ``meta`` as JSON and
``geometry`` as one binary buffer of meshoptimizer-encoded meshes. Everything that moves
(morphing, tissue removal, instruments, camera flights, captions, metrics, the axial
inset) is computed in the browser by the player in ``requestAnimationFrame``; the server
only hears about stage changes.

The player's code is the ES modules under ``viz/web/js/`` (entry ``entry.js``), bundled
with vtk.js and meshoptimizer's decoder by esbuild into the committed
``viz/web/dist/player.bundle.js`` (``npm run build``); Panel serves that file as a
cacheable URL (``_bundle``) and calls its ``render``. The standalone HTML export inlines
the same file (:mod:`viz.export.html`).
"""

from __future__ import annotations

import pathlib

import param
from panel.custom import JSComponent

WEB_DIR = pathlib.Path(__file__).parent
PLAYER_BUNDLE = WEB_DIR / "dist" / "player.bundle.js"
PLAYER_CSS = WEB_DIR / "player.css"


def player_bundle() -> str:
    """The bundled player (an ES module exporting ``render`` and ``mountStandalone``)."""
    return PLAYER_BUNDLE.read_text(encoding="utf-8")


def player_css() -> str:
    """The player's stylesheet."""
    return PLAYER_CSS.read_text(encoding="utf-8")


class StoryPlayer(JSComponent):
    """vtk.js scene + story timeline + captions, all driven client-side."""

    meta = param.Dict(default={}, doc="Scene bundle JSON part, wire encoding (viz.web.wire).")
    geometry = param.Bytes(default=b"", doc="Scene bundle binary part: meshoptimizer-encoded meshes.")
    options = param.Dict(default={}, doc="Page options: mode, lang, view, focus, embed, autoplay, problems.")
    stage = param.String(default="healthy", doc="Current stage id; set by the browser as the story moves.")
    scan_status = param.List(default=["idle", ""], doc="Patient scan upload: [state, plain message].")

    _bundle = PLAYER_BUNDLE
    _esm = PLAYER_BUNDLE
    _stylesheets = [player_css()]

    def __init__(self, **params):
        super().__init__(**params)
        self._scan = None

    def accept_scans(self, max_bytes: int, lang: str) -> None:
        """Let the clinician load a patient's scan into this session (memory only)."""
        from viz.scan.upload import ACCEPTED_SUFFIXES, PRIVACY_NOTES
        from viz.web.upload import CHUNK_BYTES, ScanReceiver

        self._scan = ScanReceiver(on_status=self._scan_status, on_bundle=self._scan_bundle, max_bytes=max_bytes)
        self.options = {**self.options, "scan": {"max_bytes": max_bytes, "chunk_bytes": CHUNK_BYTES,
                                                 "accept": list(ACCEPTED_SUFFIXES), "privacy": PRIVACY_NOTES[lang]}}

    def _handle_msg(self, msg) -> None:
        if self._scan is not None and isinstance(msg, dict):
            self._scan.handle(msg)

    def _scan_status(self, state: str, message: str) -> None:
        self.scan_status = [state, message]

    def _scan_bundle(self, bundle, scan) -> None:
        from viz.web.wire import encode_for_browser

        wire = encode_for_browser(bundle, self.options["lang"])
        self.param.update(meta=wire.meta, geometry=wire.data)
