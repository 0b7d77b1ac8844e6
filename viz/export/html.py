"""``python -m viz html``: one self-contained HTML file that plays the whole story offline.

The file holds everything: the same bundled player (vtk.js included) and stylesheet
the app uses (:mod:`viz.web.player`), the scene bundle in the same wire encoding the
app sends (:mod:`viz.web.wire`: meshoptimizer-encoded geometry) and the captions in
the chosen language. It opens straight from disk (``file://``) or from any static host
or CDN, makes no network request, and shows the app's embed-mode controls. The player
and the geometry are stored gzip-compressed and base64-encoded and unpacked by the
browser's ``DecompressionStream``; the player module is imported from a ``blob:`` URL.
"""

from __future__ import annotations

import base64
import gzip
import json
import pathlib

from viz.errors import UserError
from viz.export.paths import atomic_file, output_file, validate_lang, validate_mode
from viz.web.player import player_bundle, player_css
from viz.web.wire import encode_for_browser

MAX_HTML_BYTES = 2 * 1000 * 1000
"""Size budget of the standalone file (issue 18), bytes."""

TITLE = "MILD: how the procedure makes room for the nerves"


def _packed(data: bytes) -> str:
    """gzip (fixed mtime, so the output is reproducible) then base64."""
    return base64.b64encode(gzip.compress(data, compresslevel=9, mtime=0)).decode("ascii")


def _json_for_script(value) -> str:
    """JSON that is safe inside a <script> element (no closing tags, no comments)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


BOOT = """
const unpack = async (id) => {
  const bytes = Uint8Array.from(atob(document.getElementById(id).textContent.trim()), (c) => c.charCodeAt(0));
  return new Response(new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer();
};
const root = document.getElementById("mild");
try {
  const source = await unpack("mild-player");
  const player = await import(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
  const meta = JSON.parse(document.getElementById("mild-meta").textContent);
  const options = JSON.parse(document.getElementById("mild-options").textContent);
  await player.mountStandalone(root, meta, await unpack("mild-geometry"), options);
} catch (error) {
  console.warn("MILD player could not start:", error);
  root.textContent = "The 3D view could not start on this device. Please try another browser, or ask for the printed handout.";
}
"""


def standalone_html(meta: dict, data: bytes, lang: str, mode: str) -> str:
    """Return the whole standalone page as text.

    Parameters
    ----------
    meta, data : the scene bundle in its wire encoding (:func:`viz.web.wire.encode_for_browser`).
    lang : {"en", "es"}
    mode : {"patient", "clinician"}
    """
    options = {"mode": mode, "lang": lang, "embed": True, "autoplay": False, "view": "", "focus": "",
               "stage": meta["stages"][0]["id"], "problems": []}
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval' blob:; style-src 'unsafe-inline'; img-src data: blob:; connect-src data: blob:">
<title>{TITLE}</title>
<style>html, body, #mild {{ margin: 0; width: 100%; height: 100%; overflow: hidden; }}
{player_css()}</style>
</head>
<body>
<div id="mild" class="mild-host"></div>
<script type="application/json" id="mild-meta">{_json_for_script(meta)}</script>
<script type="application/json" id="mild-options">{_json_for_script(options)}</script>
<script type="application/octet-stream" id="mild-geometry">{_packed(data)}</script>
<script type="application/octet-stream" id="mild-player">{_packed(player_bundle().encode("utf-8"))}</script>
<script type="module">
{BOOT}
</script>
</body>
</html>
"""


def write_html(out: str, lang: str = "en", mode: str = "patient", force: bool = False, bundle=None) -> pathlib.Path:
    """Write the standalone HTML file; return its path.

    Raises :class:`UserError` for an unknown language or voice, an output that
    is not ``.html``, exists without ``force`` or cannot be written. Nothing is
    left behind on failure (written to a temporary file, then renamed).
    """
    lang, mode = validate_lang(lang), validate_mode(mode)
    path = output_file(out, (".html", ".htm"), force)
    if bundle is None:
        from viz.scenes.bundle import load_bundle

        bundle = load_bundle()
    wire = encode_for_browser(bundle, lang)
    text = standalone_html(wire.meta, wire.data, lang, mode)
    size = len(text.encode("utf-8"))
    if size > MAX_HTML_BYTES:
        raise UserError(f"The page would be {size / 1e6:.1f} MB, over the {MAX_HTML_BYTES / 1e6:.0f} MB limit.")
    with atomic_file(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return path
