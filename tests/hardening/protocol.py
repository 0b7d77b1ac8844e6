"""A lightweight visitor: the Bokeh protocol without a browser.

What the page's script does, minus drawing: ``GET /app`` (gzip), read the
session token from the page, open ``/app/ws`` with the ``bokeh`` subprotocol and
permessage-deflate, wait for the server's ``ACK``, send ``PULL-DOC-REQ`` and
receive the whole document (the scene bundle included), then stay connected
until closed. Hundreds fit in one process, so they measure the server, not
the browsers (TRAPS.md, "Load testing on 2 cores"). Such clients do not run
``pn.state.onload`` callbacks.

Also a TCP relay that counts the bytes on the wire (compressed HTTP and
websocket frames as they travel), and the process's ``/status`` and resident size.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import WebSocketClientConnection, websocket_connect

TOKEN_PATTERN = re.compile(r'"token"\s*:\s*"([A-Za-z0-9_\-.]+)"')


@dataclass
class ProtocolSession:
    """One open session: its websocket, timings and payload sizes."""

    websocket: WebSocketClientConnection | None = None
    page_status: int = 0
    page_body: str = ""
    cookie: str = ""
    page_s: float = 0.0
    document_s: float = 0.0
    ws_payload_bytes: int = 0
    messages: list[str] = field(default_factory=list)
    document: dict | None = None
    """Content of the ``PULL-DOC-REPLY``: ``{"doc": {"roots": [...], ...}}``."""

    def close(self) -> None:
        """Close the websocket politely (close frame), as a browser tab does."""
        if self.websocket is not None:
            self.websocket.close()
            self.websocket = None

    def abort(self) -> None:
        """Drop the TCP connection without a close frame, as a tablet losing Wi-Fi does."""
        if self.websocket is not None:
            self.websocket.protocol.stream.close()
            self.websocket = None


def _frame(msgtype: str) -> list[str]:
    header = {"msgid": uuid.uuid4().hex, "msgtype": msgtype}
    return [json.dumps(header), "{}", "{}"]


async def _read_message(websocket: WebSocketClientConnection, session: ProtocolSession) -> dict:
    """Read one Bokeh message (header, metadata, content, buffer pairs); return its header.

    The content of a ``PULL-DOC-REPLY`` is kept in ``session.document``.
    """
    frames = []
    for _ in range(3):
        frames.append(await websocket.read_message())
    if frames[0] is None or frames[-1] is None:
        raise ConnectionError("the server closed the websocket")
    header = json.loads(frames[0])
    for _ in range(2 * header.get("num_buffers", 0)):
        frames.append(await websocket.read_message())
    session.ws_payload_bytes += sum(len(f) for f in frames if f is not None)
    session.messages.append(header["msgtype"])
    if header["msgtype"] == "PULL-DOC-REPLY":
        session.document = json.loads(frames[2])
    return header


async def open_session(url: str, *, origin: str | None = None, cookie: str = "",
                       timeout_s: float = 120.0) -> ProtocolSession:
    """Open one session of the app at ``url`` (``http://host:port/app?query``) and pull its document.

    Parameters
    ----------
    url : str
        The page URL; the websocket is ``/app/ws`` on the same host.
    origin : str, optional
        ``Origin`` header for the websocket (default: the page's own ``http://host:port``).
    cookie : str, optional
        ``Cookie`` header to send (e.g. a sticky-routing cookie from a previous visit).
    timeout_s : float, default: 120
        Give up after this long.

    Returns
    -------
    ProtocolSession
        Connected, with the whole document received, unless the page was not 200
        (then ``websocket`` is None and ``page_status`` tells why).
    """
    session = ProtocolSession()
    parts = urlparse(url)
    started = time.monotonic()
    headers = {"Accept-Encoding": "gzip"}
    if cookie:
        headers["Cookie"] = cookie
    client = AsyncHTTPClient(force_instance=True)
    try:
        response = await client.fetch(
            HTTPRequest(url, headers=headers, follow_redirects=False, request_timeout=timeout_s), raise_error=False)
    finally:
        client.close()
    session.page_status = response.code
    session.page_body = response.body.decode("utf-8", errors="replace") if response.body else ""
    session.page_s = time.monotonic() - started
    session.cookie = "; ".join(c.split(";")[0] for c in response.headers.get_list("Set-Cookie")) or cookie
    if response.code != 200:
        return session
    token = TOKEN_PATTERN.search(session.page_body).group(1)
    ws_headers = {"Origin": origin or f"{parts.scheme}://{parts.netloc}"}
    if session.cookie:
        ws_headers["Cookie"] = session.cookie
    ws_url = f"ws://{parts.netloc}{parts.path.rstrip('/')}/ws"
    request = HTTPRequest(ws_url, headers=ws_headers, request_timeout=timeout_s)
    websocket = await asyncio.wait_for(
        websocket_connect(request, subprotocols=["bokeh", token], compression_options={},
                          max_message_size=256 * 2**20), timeout_s)
    session.websocket = websocket
    header = await asyncio.wait_for(_read_message(websocket, session), timeout_s)
    if header["msgtype"] != "ACK":
        raise ConnectionError(f"expected ACK, got {header['msgtype']}")
    await pull_document(session, timeout_s)
    session.document_s = time.monotonic() - started
    return session


async def pull_document(session: ProtocolSession, timeout_s: float = 120.0) -> dict:
    """Ask for the whole document (``PULL-DOC-REQ``) and wait for it; return it."""
    session.document = None
    for frame in _frame("PULL-DOC-REQ"):
        await session.websocket.write_message(frame)
    while session.document is None:
        await asyncio.wait_for(_read_message(session.websocket, session), timeout_s)
    return session.document


async def drain(session: ProtocolSession, seconds: float) -> int:
    """Keep reading for ``seconds``; return the payload bytes the server sent meanwhile."""
    before = session.ws_payload_bytes
    deadline = time.monotonic() + seconds
    while session.websocket is not None and (remaining := deadline - time.monotonic()) > 0:
        try:
            await asyncio.wait_for(_read_message(session.websocket, session), remaining)
        except asyncio.TimeoutError:
            break
    return session.ws_payload_bytes - before


class ByteCountingRelay:
    """A TCP relay on a free loopback port that counts bytes each way (on the wire)."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.to_client = 0
        self.to_server = 0
        self.server: asyncio.base_events.Server | None = None
        self.port = 0
        self._writers: list[asyncio.StreamWriter] = []
        self._tasks: set[asyncio.Task] = set()

    async def start(self) -> "ByteCountingRelay":
        self.server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    async def _pipe(self, reader, writer, attribute: str) -> None:
        try:
            while data := await reader.read(65536):
                setattr(self, attribute, getattr(self, attribute) + len(data))
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _handle(self, client_reader, client_writer) -> None:
        self._tasks.add(asyncio.current_task())
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers += [client_writer, server_writer]
        await asyncio.gather(self._pipe(client_reader, server_writer, "to_server"),
                             self._pipe(server_reader, client_writer, "to_client"))

    async def aclose(self) -> None:
        """Stop listening, close every relayed connection and wait for the pipes to end."""
        self.server.close()
        for writer in self._writers:
            writer.close()
        await asyncio.gather(*self._tasks, return_exceptions=True)


def server_status(app_url: str) -> dict:
    """The app process's ``/status`` (``pid``, live ``sessions``, ``turned_away``), asked on loopback."""
    parts = urlparse(app_url)
    with urllib.request.urlopen(f"{parts.scheme}://{parts.netloc}/status", timeout=10) as response:
        return json.load(response)


def wait_sessions(app_url: str, at_most: int, timeout_s: float = 45.0) -> tuple[int, float]:
    """Wait until the process holds at most ``at_most`` live sessions; return (sessions, seconds waited)."""
    started = time.monotonic()
    while (sessions := server_status(app_url)["sessions"]) > at_most and time.monotonic() - started < timeout_s:
        time.sleep(0.5)
    return sessions, time.monotonic() - started


def resident_mb(pid: int) -> float:
    """Resident set size of a process, MB (``VmRSS`` from ``/proc``)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    raise ProcessLookupError(pid)


class VisitorLoop:
    """An event loop in a thread for protocol visitors, usable from synchronous code (e.g. beside Playwright).

    A visitor's websocket belongs to the loop that opened it: open, use and
    close it through :meth:`run`.
    """

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, awaitable, timeout_s: float = 300.0):
        """Run a coroutine on the loop and return its result."""
        return asyncio.run_coroutine_threadsafe(awaitable, self.loop).result(timeout_s)

    def call(self, function, *args):
        """Call a plain function (e.g. ``visitor.close``) on the loop's thread and return its result."""

        async def wrapper():
            return function(*args)

        return self.run(wrapper())

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()
