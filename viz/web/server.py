"""Serve the app with the settings a clinic network needs.

``python -m viz serve`` (and ``python app.py``) is ``panel serve app.py`` plus:

- gzip on every HTTP response and permessage-deflate on the websocket, which
  cut the first load from ≈6 MB to ≈2 MB on the wire;
- the scene bundle (geometry in millimetres, LPS+: +x patient's left, +y
  posterior, +z superior) loaded once before the port opens and shared by every
  session (and, with ``num_procs > 1``, by every forked worker, copy-on-write);
- a cap on live sessions per process with a calm "busy" page
  (:mod:`viz.web.limits`), sessions dropped a few seconds after their browser
  leaves, dead connections detected by websocket pings;
- websocket origins restricted (loopback by default), no directory listings,
  no tracebacks to the client, an access log without addresses or queries;
- no ``pn.state.location`` sync: the page reads its options once from the
  request (:mod:`viz.web.params`), and Panel's own query parser fails with a
  500 on some values (e.g. a 5,000-digit number);
- a clean, bounded stop on SIGTERM, SIGINT or SIGHUP, workers included
  (:mod:`viz.web.shutdown`).

Page at ``/app``; ``/busy``, ``/healthz`` and (loopback only) ``/status`` beside it.
"""

from __future__ import annotations

import logging

import panel as pn

from viz.errors import UserError
from viz.web.limits import APP_PATH, SessionGate, keep_addresses_out_of_logs, patterns, quiet_log
from viz.web.page import PAGE_TITLE, serve_page, warm_shared_bundles
from viz.web.shutdown import GracefulStop, StopBeforeServing, say

WEBSOCKET_COMPRESSION_LEVEL = 6
"""zlib level for websocket frames (the bundle is sent once per session)."""
UNUSED_SESSION_LIFETIME_MS = 8_000
"""A session whose browser left (or never connected) is dropped after this long."""
CHECK_UNUSED_SESSIONS_MS = 2_000
WEBSOCKET_PING_INTERVAL_S = 20
"""Ping every open websocket this often; a peer silent for the timeout after a ping is closed."""
WEBSOCKET_PING_TIMEOUT_S = 20
FAILED_PAGE_TEXT = "Sorry, the 3D story could not be shown right now. Please reload the page in a minute."

log = logging.getLogger(__name__)


def app_page():
    """Build the page for one session (what ``app.py`` serves); a failure shows one plain sentence."""
    pn.extension(design=None, notifications=False)
    pn.config.raw_css = ["html, body { margin: 0; height: 100%; overflow: hidden; }"]
    try:
        return serve_page()
    except Exception:
        log.exception("the app page could not be built")
        return pn.pane.Str(FAILED_PAGE_TEXT, margin=24)


def server_settings(port: int, address: str, allow_websocket_origin: list[str] | None,
                    num_procs: int, gate: SessionGate, use_xheaders: bool = False) -> dict:
    """Keyword arguments for :func:`panel.serve` (Bokeh server + tornado settings)."""
    return {
        "port": port,
        "address": address,
        "websocket_origin": allow_websocket_origin or [f"{address}:{port}", f"localhost:{port}"],
        "num_procs": num_procs,
        "title": PAGE_TITLE,
        "location": False,
        "compress_response": True,
        "websocket_compression_level": WEBSOCKET_COMPRESSION_LEVEL,
        "websocket_compression_mem_level": 9,
        "unused_session_lifetime_milliseconds": UNUSED_SESSION_LIFETIME_MS,
        "check_unused_sessions_milliseconds": CHECK_UNUSED_SESSIONS_MS,
        "websocket_ping_interval": WEBSOCKET_PING_INTERVAL_S,
        "websocket_ping_timeout": WEBSOCKET_PING_TIMEOUT_S,
        "extra_patterns": patterns(gate),
        "log_function": quiet_log,
        "use_xheaders": use_xheaders,
    }


def serve(port: int = 5006, address: str = "127.0.0.1", allow_websocket_origin: list[str] | None = None,
          num_procs: int = 1, max_sessions: int = 200, use_xheaders: bool = False, show: bool = False,
          drain_s: float = 0.0) -> None:
    """Serve ``/app`` until a stop signal (SIGTERM, SIGINT, SIGHUP); return once stopped cleanly.

    Parameters
    ----------
    port, address : where to listen.
    allow_websocket_origin : list of str, optional
        ``host[:port]`` values allowed to open the websocket (default: this address and localhost).
    num_procs : int, default: 1
        Worker processes sharing the port (``0`` = one per core); each has its own session cap.
    max_sessions : int, default: 200
        Sessions served at once per process before new visitors see the "busy" page.
    use_xheaders : bool, default: False
        Trust ``X-Real-IP``/``X-Forwarded-For`` (only behind a reverse proxy such as ``deploy/nginx.conf``).
    drain_s : float, default: 0
        After a stop signal, keep answering this long (``/healthz`` 503, new visitors the busy page)
        before closing, so a load balancer probing ``/healthz`` can stop sending visitors first.
    """
    gate = SessionGate(max_sessions)
    stop = GracefulStop(gate, drain_s)
    stop.install_early()
    try:
        warm_shared_bundles()
        keep_addresses_out_of_logs()
        pn.config.authorize_callback = gate.authorize
        try:
            server = pn.serve({APP_PATH.strip("/"): app_page}, show=show, start=False,
                              **server_settings(port, address, allow_websocket_origin, num_procs, gate, use_xheaders))
        except OSError as error:
            raise UserError(f"Cannot listen on {address} port {port}: {error.strerror or error}.") from None
        gate.count = lambda: len(server.get_sessions(APP_PATH))
        server.start()
        stop.serve_forever(server)
    except StopBeforeServing as stopped:
        say(str(stopped))
