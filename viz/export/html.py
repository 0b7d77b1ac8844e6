"""``python -m viz html``: one self-contained HTML file that plays the whole story offline.

The file holds everything: vtk.js (the copy Panel bundles), the same player
script and stylesheet the app uses (:mod:`viz.web.player`), the scene bundle
(JSON + geometry) and the captions in both languages. It opens straight from
disk (``file://``) or from any static host or CDN, makes no network request,
and shows the app's embed-mode controls. vtk.js and the geometry are stored
gzip-compressed and base64-encoded and unpacked by the browser's
``DecompressionStream``, which keeps the file under the 8 MB budget.
"""

from __future__ import annotations

import base64
import gzip
import json
import pathlib

import panel

from viz.errors import UserError
from viz.export.paths import atomic_file, output_file, validate_lang, validate_mode
from viz.web.player import player_css, player_script

MAX_HTML_BYTES = 8 * 1024 * 1024
"""Size budget of the standalone file (issue 7), bytes."""

TITLE = "MILD: how the procedure makes room for the nerves"


def vtk_js_path() -> pathlib.Path:
    """The vtk.js bundle that ships with Panel (no download)."""
    found = sorted((pathlib.Path(panel.__file__).parent / "dist" / "bundled" / "abstractvtkplot").glob("vtk.js@*/vtk.js"))
    if not found:
        raise UserError("The vtk.js library that comes with Panel was not found; reinstall the project.")
    return found[-1]


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
  const vtkSource = new TextDecoder().decode(await unpack("mild-vtk"));
  const script = document.createElement("script");
  script.textContent = vtkSource;
  document.head.append(script);
  const meta = JSON.parse(document.getElementById("mild-meta").textContent);
  const options = JSON.parse(document.getElementById("mild-options").textContent);
  const geometry = await unpack("mild-geometry");
  mountStandalone(root, meta, geometry, options);
} catch (error) {
  failGently(root, error);
}
"""


def standalone_html(meta: dict, data: bytes, lang: str, mode: str) -> str:
    """Return the whole standalone page as text.

    Parameters
    ----------
    meta, data : the scene bundle (``docs/CONTRACTS.md`` §3).
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
<script type="application/octet-stream" id="mild-vtk">{_packed(vtk_js_path().read_bytes())}</script>
<script type="module">
{player_script()}
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
    text = standalone_html(bundle.meta, bundle.data, lang, mode)
    size = len(text.encode("utf-8"))
    if size > MAX_HTML_BYTES:
        raise UserError(f"The page would be {size / 1e6:.1f} MB, over the {MAX_HTML_BYTES / 1e6:.0f} MB limit.")
    with atomic_file(path) as temp:
        temp.write_text(text, encoding="utf-8")
    return path
