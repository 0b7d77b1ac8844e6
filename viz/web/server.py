"""Serve the app with the settings a clinic network needs.

``python -m viz serve`` (and ``python app.py``) is ``panel serve app.py`` plus
gzip on every HTTP response and permessage-deflate on the websocket, which
cut the first load from ≈6 MB to ≈2 MB on the wire. Page at ``/app``.
"""

from __future__ import annotations

import panel as pn

from viz.web.page import PAGE_TITLE, serve_page

WEBSOCKET_COMPRESSION_LEVEL = 6
"""zlib level for websocket frames (the bundle is sent once per session)."""


def app_page():
    """Build the page for one session (what ``app.py`` serves)."""
    pn.extension("vtk", design=None, notifications=False)
    pn.config.raw_css = ["html, body { margin: 0; height: 100%; overflow: hidden; }"]
    return serve_page()


def serve(port: int = 5006, address: str = "127.0.0.1", allow_websocket_origin: list[str] | None = None,
          num_procs: int = 1, max_sessions: int = 200, show: bool = False) -> None:
    """Serve ``/app`` until interrupted.

    Parameters
    ----------
    port, address : where to listen.
    allow_websocket_origin : list of str, optional
        ``host[:port]`` values allowed to open the websocket (default: this address).
    num_procs : int, default: 1
        Worker processes sharing the port (``0`` = one per core).
    max_sessions : int, default: 200
        Sessions served at once per process before new visitors see a "busy" page.
    """
    origins = allow_websocket_origin or [f"{address}:{port}", f"localhost:{port}"]
    pn.serve(
        {"app": app_page},
        port=port,
        address=address,
        websocket_origin=origins,
        num_procs=num_procs,
        show=show,
        title=PAGE_TITLE,
        compress_response=True,
        websocket_compression_level=WEBSOCKET_COMPRESSION_LEVEL,
        websocket_compression_mem_level=9,
    )
