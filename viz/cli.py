"""``python -m viz``: everything that runs without the browser.

Argument parsing and exit codes only; the work is done in :mod:`viz.models`,
:mod:`viz.scenes` and :mod:`viz.export`. Any :class:`viz.errors.UserError`
(or a bad argument) ends with exit status 2 and one plain sentence on stderr,
never a traceback. The contract is ``../shared/INTERFACE.md`` (kept in
``docs/INTERFACE.md``).
"""

from __future__ import annotations

import argparse
import json
import string
import sys
from typing import Callable, Sequence

from viz.errors import UserError
from viz.web.params import shown

MAX_IMAGE_SIDE_PX = 7680
"""Largest width or height accepted for images and movies (8K UHD), px."""
_HOST_CHARS = frozenset(string.ascii_letters + string.digits + ".-*")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one plain sentence and exit 2."""

    def error(self, message: str) -> None:  # noqa: D401 - argparse API
        raise UserError(f"{self.prog}: {message}.")


def _whole_number(unit: str, low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number of ``unit`` from ``low`` to ``high``, else a plain error."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of {unit}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} {unit} is outside the supported range {low} to {high}")
        return value

    return parse


_size_px = _whole_number("pixels", 16, MAX_IMAGE_SIDE_PX)
_fps = _whole_number("frames per second", 1, 60)
_megabytes = _whole_number("megabytes", 1, 4096)


def _print_json(value: object) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _cmd_stages(args: argparse.Namespace) -> None:
    from viz.scenes.story import stage_ids

    _print_json(list(stage_ids()))


def _cmd_metrics(args: argparse.Namespace) -> None:
    from viz.scenes.story import stage_metrics

    _print_json(stage_metrics(args.stage))


def _cmd_captions(args: argparse.Namespace) -> None:
    from viz.scenes.text import captions

    _print_json(captions(lang=args.lang, mode=args.mode))


def _cmd_catalogue(args: argparse.Namespace) -> None:
    from viz.scenes.text import catalogue

    _print_json(catalogue(args.lang))


def _cmd_export(args: argparse.Namespace) -> None:
    from viz.export.meshes import export_meshes

    export_meshes(stage=args.stage, fmt=args.format, out_dir=args.out, force=args.force)


def _cmd_render(args: argparse.Namespace) -> None:
    from viz.export.render import render_png

    render_png(stage=args.stage, view=args.view, out=args.out, width=args.width,
               height=args.height, transparent=args.transparent, caption=args.caption,
               lang=args.lang, mode=args.mode, force=args.force)


def _cmd_movie(args: argparse.Namespace) -> None:
    from viz.export.movie import write_movie

    write_movie(out=args.out, width=args.width, height=args.height, fps=args.fps,
                lang=args.lang, mode=args.mode, force=args.force)


def _cmd_html(args: argparse.Namespace) -> None:
    from viz.export.html import write_html

    write_html(out=args.out, lang=args.lang, mode=args.mode, force=args.force)


def _cmd_gltf(args: argparse.Namespace) -> None:
    from viz.export.gltf import write_gltf

    write_gltf(out=args.out, force=args.force)


def _cmd_qr(args: argparse.Namespace) -> None:
    from viz.export.qr import write_qr

    write_qr(url=args.url, out=args.out, force=args.force)


def _cmd_import(args: argparse.Namespace) -> None:
    from viz.export.scan_import import import_scan

    import_scan(scan=args.scan, out_dir=args.out, force=args.force, fmt=args.format.lower(),
                label_table=args.labels, max_bytes=args.max_mb * 2**20)


def _cmd_build_assets(args: argparse.Namespace) -> None:
    from viz.assets import build_assets

    for line in build_assets(check=args.check):
        print(line)


def _cmd_serve(args: argparse.Namespace) -> None:
    from viz.web.server import serve

    serve(port=args.port, address=args.address, allow_websocket_origin=args.allow_websocket_origin,
          num_procs=args.num_procs, max_sessions=args.max_sessions, use_xheaders=args.use_xheaders, show=False,
          drain_s=args.drain_seconds)


def _origin(text: str) -> str:
    """A websocket origin ``host`` or ``host:port`` (letters, digits, ``.-*`` in the host)."""
    host, _, port = text.partition(":")
    if not (0 < len(text) <= 255 and host and _HOST_CHARS.issuperset(host)
            and (":" not in text or port.isdigit() or port == "*")):
        raise argparse.ArgumentTypeError(f"{shown(text)!r} is not a host or host:port")
    return text


def _address(text: str) -> str:
    """An address to listen on: a host name or IPv4/IPv6 address."""
    if not (0 < len(text) <= 255 and _HOST_CHARS.union(":").issuperset(text)):
        raise argparse.ArgumentTypeError(f"{shown(text)!r} is not an address to listen on")
    return text


def _add_common_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--force", action="store_true", help="overwrite an existing output")


def _add_voice(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", default="en", help="caption language: en or es (default en)")
    parser.add_argument("--mode", default="patient", help="caption voice: patient or clinician")


def build_parser() -> argparse.ArgumentParser:
    """Return the ``python -m viz`` argument parser with every subcommand."""
    parser = _Parser(prog="python -m viz", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    commands: dict[str, tuple[Callable[[argparse.Namespace], None], str]] = {}

    def add(name: str, func: Callable[[argparse.Namespace], None], help_text: str) -> argparse.ArgumentParser:
        commands[name] = (func, help_text)
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(func=func)
        return p

    add("stages", _cmd_stages, "print the story's stage ids in timeline order (JSON)")

    p = add("metrics", _cmd_metrics, "print canal metrics per level for a stage (JSON)")
    p.add_argument("--stage", required=True)

    p = add("captions", _cmd_captions, "print every stage's title and caption (JSON)")
    _add_voice(p)

    p = add("catalogue", _cmd_catalogue, "print every word the app shows: captions, structure names, hotspots (JSON)")
    p.add_argument("--lang", default="en", help="en or es (default en)")

    p = add("export", _cmd_export, "write one mesh per structure and manifest.json")
    p.add_argument("--stage", required=True)
    p.add_argument("--format", required=True, help="stl, ply, obj or glb")
    p.add_argument("--out", required=True, help="output folder")
    _add_common_output(p)

    p = add("render", _cmd_render, "render a still image of a stage (PNG)")
    p.add_argument("--stage", required=True)
    p.add_argument("--view", default="back", help="back, side, axial, sagittal, xray or oblique")
    p.add_argument("--out", required=True)
    p.add_argument("--width", type=_size_px, default=1920)
    p.add_argument("--height", type=_size_px, default=1080)
    p.add_argument("--transparent", action="store_true", help="transparent background")
    p.add_argument("--caption", action="store_true", help="burn the stage caption in")
    _add_voice(p)
    _add_common_output(p)

    p = add("movie", _cmd_movie, "render the whole story as a video with captions (MP4 or GIF)")
    p.add_argument("--out", required=True)
    p.add_argument("--width", type=_size_px, default=1920)
    p.add_argument("--height", type=_size_px, default=1080)
    p.add_argument("--fps", type=_fps, default=24)
    _add_voice(p)
    _add_common_output(p)

    p = add("html", _cmd_html, "write one self-contained HTML file that plays the story offline")
    p.add_argument("--out", required=True)
    _add_voice(p)
    _add_common_output(p)

    p = add("gltf", _cmd_gltf, "write the story as an animated glTF (.glb)")
    p.add_argument("--out", required=True)
    _add_common_output(p)

    p = add("qr", _cmd_qr, "write a QR code for a link (PNG or SVG)")
    p.add_argument("--url", required=True)
    p.add_argument("--out", required=True)
    _add_common_output(p)

    p = add("import", _cmd_import, "import a patient's segmented scan (NIfTI label map, mask folder or meshes)")
    p.add_argument("scan", help="a .nii/.nii.gz label map, a folder of masks or meshes, or a zip/tar of one")
    p.add_argument("--out", required=True)
    p.add_argument("--format", default="ply", help="stl, ply or obj (default ply)")
    p.add_argument("--labels", default=None,
                   help="label table (JSON or CSV, value and name) or conventions file overriding viz/scan/labels.json")
    p.add_argument("--max-mb", type=_megabytes, default=300, help="largest scan accepted, MB (default 300)")
    _add_common_output(p)

    p = add("build-assets", _cmd_build_assets, "regenerate the mesh and scene caches in assets/meshes")
    p.add_argument("--check", action="store_true", help="only check that the committed caches are current")

    p = add("serve", _cmd_serve, "serve the app (same as panel serve app.py, with compression); "
                                 "SIGTERM, SIGINT or SIGHUP stop it cleanly")
    p.add_argument("--port", type=_whole_number("port", 1, 65535), default=5006)
    p.add_argument("--address", type=_address, default="127.0.0.1", help="address to listen on (default loopback)")
    p.add_argument("--allow-websocket-origin", type=_origin, action="append", default=None,
                   help="host[:port] pages may connect from (repeatable; default this address)")
    p.add_argument("--num-procs", type=_whole_number("processes", 0, 64), default=1,
                   help="worker processes sharing the port (0 = one per core)")
    p.add_argument("--max-sessions", type=_whole_number("sessions", 1, 10_000), default=200,
                   help="sessions per process before visitors see a busy page (default 200)")
    p.add_argument("--use-xheaders", action="store_true", help="trust X-Real-IP (only behind a reverse proxy)")
    p.add_argument("--drain-seconds", type=_whole_number("seconds", 0, 300), default=0,
                   help="after a stop signal, answer /healthz 503 this long before closing (default 0)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; return the process exit status (0 ok, 2 bad input)."""
    try:
        args = build_parser().parse_args(argv)
        args.func(args)
    except UserError as error:
        print(str(error).splitlines()[0] if str(error) else "Invalid input.", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    return 0
