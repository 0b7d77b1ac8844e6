"""Keep one app process healthy under a crowd: session cap, busy page, status, quiet logs.

No geometry here (the app's frame, millimetres in LPS+, is untouched); this is
the HTTP side of :mod:`viz.web.server`:

- :class:`SessionGate` counts the live Bokeh sessions of ``/app``; when the cap
  is reached, or the process is stopping (:mod:`viz.web.shutdown`), a new
  visitor is redirected to ``/busy`` instead of getting a session (Panel's
  ``authorize_callback`` may return a redirect URL).
- :class:`BusyHandler` answers ``/busy`` with a calm plain-HTML page (status
  503, ``Retry-After``) that reloads the app by itself a few seconds later,
  with the visitor's page options re-encoded from a closed list.
- :class:`HealthHandler` answers ``/healthz`` for load balancers and service
  managers: 200 while the process would admit a new session, 503 at its cap
  or while it stops; the same two short bodies whatever the count (nothing
  leaks), and no Bokeh session is made.
- :class:`StatusHandler` answers ``/status`` with this process's session
  count, to callers on this machine only (load tests, operators): the
  socket's peer address decides, so a forged ``X-Real-IP`` cannot.
- :class:`NotFoundHandler` answers 404 to file paths that try to climb out
  of their folder (Bokeh's and Panel's own handlers refuse most, but answer
  500 to some).
- :func:`quiet_log` is the access log: method, path, status and time — no
  client address, no query string, nothing about a person;
  :func:`keep_addresses_out_of_logs` blanks the addresses tornado's own
  warnings would quote.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
from typing import Callable
from urllib.parse import urlencode

import panel as pn
import tornado.web

from viz.web.params import shown

BUSY_PATH = "/busy"
STATUS_PATH = "/status"
HEALTH_PATH = "/healthz"
HEALTH_TEXT = {True: "ok\n", False: "unavailable\n"}
"""``/healthz`` bodies: ready or not, nothing else."""
BUSY_RETRY_S = 5
"""Seconds before the busy page tries the app again."""
APP_PATH = "/app"
PAGE_PARAMETERS = ("stage", "mode", "lang", "view", "focus", "embed", "autoplay")
"""URL parameters carried over from ``/app`` to ``/busy`` and back (docs/INTERFACE.md)."""
LOOPBACK = ("127.0.0.1", "::1")
TRAVERSAL_PATTERN = r"/(?:static|components)/.*(?:\.\.|%2[eE]|%5[cC]|\\|%00|\x00).*"
"""File-serving paths with a parent step (plain or percent-encoded), a backslash or a NUL."""

BUSY_TEXT = {
    "title": "Please wait a moment",
    "heading": "Many people are watching right now.",
    "body": "The 3D spine story will open by itself in a few seconds. You do not need to do anything.",
    "link": "Try now",
}
"""Busy page words (6th-grade English, calm, no error talk)."""

access_log = logging.getLogger("viz.web.access")


def carried_query(arguments: dict[str, list[bytes]]) -> str:
    """Re-encode the page options of a request, dropping everything else.

    Parameters
    ----------
    arguments : dict of str to list of bytes
        A tornado request's query arguments.

    Returns
    -------
    str
        ``""`` or ``"?name=value&..."``, percent-encoded, at most one value per
        known parameter, each shortened like a rejected value (so it stays short).
    """
    pairs = []
    for name in PAGE_PARAMETERS:
        values = arguments.get(name)
        if values:
            pairs.append((name, shown(values[0].decode("utf-8", errors="replace"))))
    return "?" + urlencode(pairs) if pairs else ""


def busy_html(retry_url: str, retry_s: int = BUSY_RETRY_S) -> str:
    """The busy page: plain HTML, no script, reloads ``retry_url`` after ``retry_s`` seconds."""
    url = html.escape(retry_url, quote=True)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        f"<meta http-equiv=\"refresh\" content=\"{retry_s}; url={url}\">"
        f"<title>{BUSY_TEXT['title']}</title>"
        "<style>body{font-family:system-ui,sans-serif;background:#f4f7fa;color:#1d2b36;"
        "display:flex;min-height:100vh;margin:0;align-items:center;justify-content:center;text-align:center}"
        "main{max-width:32em;padding:2em}h1{font-size:1.5em;font-weight:600}p{font-size:1.15em;line-height:1.5}"
        "a{color:#1f5f99}</style></head>"
        f"<body><main><h1>{BUSY_TEXT['heading']}</h1><p>{BUSY_TEXT['body']}</p>"
        f"<p><a href=\"{url}\">{BUSY_TEXT['link']}</a></p></main></body></html>\n"
    )


class SessionGate:
    """Admit a new session while fewer than ``max_sessions`` are live in this process.

    Parameters
    ----------
    max_sessions : int
        Sessions held at once by one process (each holds one player, ≈ a few MB).
    count : callable returning int, optional
        Live sessions now; set by the server once it exists.

    Attributes
    ----------
    stopping : bool
        Set when the process begins to stop: no new session from then on.
    """

    def __init__(self, max_sessions: int, count: Callable[[], int] | None = None):
        self.max_sessions = max_sessions
        self.count = count or (lambda: 0)
        self.turned_away = 0
        self.stopping = False

    def admits(self) -> bool:
        """Whether a new visitor would get a session now (not stopping, below the cap)."""
        return not self.stopping and self.count() < self.max_sessions

    def authorize(self, user_info, request_path: str) -> bool | str:
        """Panel ``authorize_callback``: ``True`` or the ``/busy`` URL to redirect to."""
        if request_path.rstrip("/") != APP_PATH or self.admits():
            return True
        self.turned_away += 1
        request = pn.state.curdoc.session_context.request
        return BUSY_PATH + carried_query(request.arguments)


class PlainErrors(tornado.web.RequestHandler):
    """Our own handlers: no ``Server`` version header; errors are the status line only, never a traceback."""

    def set_default_headers(self) -> None:
        self.clear_header("Server")

    def write_error(self, status_code: int, **kwargs) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code}: {self._reason}\n")


class BusyHandler(PlainErrors):
    """``GET /busy``: the calm "many people are watching" page, status 503."""

    def get(self) -> None:
        self.set_status(503)
        self.set_header("Retry-After", str(BUSY_RETRY_S))
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(busy_html(APP_PATH + carried_query(self.request.arguments)))


class HealthHandler(PlainErrors):
    """``GET``/``HEAD /healthz``: 200 ``ok`` when a new session would be admitted, else 503 ``unavailable``."""

    def initialize(self, gate: SessionGate) -> None:
        self.gate = gate

    def compute_etag(self) -> None:
        return None

    def _answer(self) -> str:
        ready = self.gate.admits()
        self.set_status(200 if ready else 503)
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        if not ready:
            self.set_header("Retry-After", str(BUSY_RETRY_S))
        return HEALTH_TEXT[ready]

    def get(self) -> None:
        self.finish(self._answer())

    def head(self) -> None:
        self.set_header("Content-Length", len(self._answer()))
        self.finish()


class StatusHandler(PlainErrors):
    """``GET /status``: ``{"pid", "sessions", "max_sessions", "turned_away"}`` for callers on this machine.

    The caller is judged by the connection's peer address, not ``remote_ip``
    (which ``--use-xheaders`` takes from a header a client can write).
    """

    def initialize(self, gate: SessionGate) -> None:
        self.gate = gate

    def get(self) -> None:
        if self.request.connection.context.address[0] not in LOOPBACK:
            raise tornado.web.HTTPError(404)
        self.set_header("Cache-Control", "no-store")
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"pid": os.getpid(), "sessions": self.gate.count(),
                                "max_sessions": self.gate.max_sessions,
                                "turned_away": self.gate.turned_away}))


class RedactAddresses(logging.Filter):
    """Blank out IPv4/IPv6 client addresses in a logger's records (tornado's warnings quote them)."""

    ADDRESS = re.compile(r"\((?:\d{1,3}\.){3}\d{1,3}\)|\([0-9a-fA-F:]*:[0-9a-fA-F:]+\)")

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.ADDRESS.sub("(address withheld)", record.getMessage())
        record.args = ()
        return True


def keep_addresses_out_of_logs() -> None:
    """Attach :class:`RedactAddresses` to tornado's loggers (access log: :func:`quiet_log`)."""
    for name in ("tornado.general", "tornado.application", "tornado.access"):
        logging.getLogger(name).addFilter(RedactAddresses())


def quiet_log(handler: tornado.web.RequestHandler) -> None:
    """Tornado ``log_function``: method, path (no query), status, milliseconds; no address."""
    status = handler.get_status()
    level = logging.INFO if status < 400 else logging.WARNING if status < 500 else logging.ERROR
    access_log.log(level, "%d %s %s %.0fms", status, handler.request.method,
                   handler.request.path, 1000.0 * handler.request.request_time())


class NotFoundHandler(PlainErrors):
    """A plain 404 for any method."""

    def prepare(self) -> None:
        raise tornado.web.HTTPError(404)


def patterns(gate: SessionGate) -> list[tuple]:
    """Tornado routes for ``/busy``, ``/healthz``, ``/status`` and the traversal guard (``extra_patterns``).

    Bokeh places these before its own ``/static`` and Panel's ``/components``
    file handlers, so the guard answers 404 before they see a path with an
    (encoded) parent step, backslash or NUL — they would answer 500.
    """
    return [(TRAVERSAL_PATTERN, NotFoundHandler), (BUSY_PATH, BusyHandler),
            (HEALTH_PATH, HealthHandler, {"gate": gate}), (STATUS_PATH, StatusHandler, {"gate": gate})]
