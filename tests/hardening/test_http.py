"""The server's HTTP face: no file outside its folders, no listings, no tracebacks, origins enforced."""

from __future__ import annotations

import http.client
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from tornado.httpclient import HTTPClientError

from tests.hardening.protocol import open_session, server_status

TRAVERSALS = (
    "/static/../../etc/passwd", "/static/..%2f..%2f..%2fetc%2fpasswd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/extensions/panel/../../../../../../../../etc/passwd",
    "/static/extensions/panel/..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/extensions/panel/%2e%2e%5c%2e%2e%5c%2e%2e%5cetc%5cpasswd", "/static/js/bokeh.min.js%00.txt",
    "/components/..%2f..%2f..%2f..%2fetc%2fpasswd", "/components/panel/../../../../etc/passwd",
    "/components/viz.web.player/StoryPlayer/..%2f..%2f..%2fpyproject.toml",
    "/app/../../etc/passwd", "/app/..%2F..%2Fetc%2Fpasswd", "/app/static/../../pyproject.toml",
    "//etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/busy/../../etc/passwd", "/favicon.ico/../../etc/passwd",
    "/.git/config", "/pyproject.toml", "/assets/meshes/bundle.json", "/viz/web/server.py",
)
FOLDERS = ("/static/", "/static/js/", "/static/extensions/", "/static/extensions/panel/", "/app/static/",
           "/components/", "/assets/", "/assets/meshes/", "/tests/")
SECRETS = (b"root:x:0:0", b"[core]", b"[project]", b"import ", b"\"source_hash\"")


def raw_get(app_url: str, path: str) -> tuple[int, bytes]:
    """GET ``path`` exactly as written (no client-side normalisation)."""
    parts = urlparse(app_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_is_refused(roomy_server, path):
    status, body = raw_get(roomy_server.url, path)
    assert status in (403, 404), (path, status, body[:80])
    assert not any(secret in body for secret in SECRETS)
    assert b"Traceback" not in body


@pytest.mark.parametrize("path", FOLDERS)
def test_no_directory_listing(roomy_server, path):
    status, body = raw_get(roomy_server.url, path)
    assert status in (400, 403, 404), (path, status)
    assert b"<a href" not in body and b"Index of" not in body


def test_real_resources_still_served(roomy_server):
    status, body = raw_get(roomy_server.url, "/static/js/bokeh.min.js")
    assert status == 200 and len(body) > 100_000


def test_websocket_from_a_foreign_origin_is_refused(roomy_server, visitors):
    async def visit(origin: str | None) -> bool:
        visitor = await open_session(roomy_server.url, origin=origin)
        visitor.close()
        return visitor.document is not None

    with pytest.raises(HTTPClientError) as refused:
        visitors.run(visit("http://evil.example"))
    assert refused.value.code == 403
    assert visitors.run(visit(None))


def test_status_answers_loopback_only(roomy_server):
    status = server_status(roomy_server.url)
    assert status["pid"] == roomy_server.process.pid
    assert status["sessions"] >= 0 and status["max_sessions"] == 5000
    parts = urlparse(roomy_server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    connection.request("GET", "/status", headers={"X-Real-IP": "203.0.113.9"})
    spoofed = connection.getresponse()
    assert spoofed.status == 200, "without --use-xheaders the header must be ignored"
    connection.close()


def test_access_log_keeps_no_address_or_query(roomy_server):
    status, _ = raw_get(roomy_server.url, "/no-such-page-4711?focus=private-note-123")
    assert status == 404
    deadline = time.monotonic() + 10
    while "/no-such-page-4711" not in (log := Path(roomy_server.log.name).read_text(encoding="utf-8")):
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert "/no-such-page-4711" in log, "the 404 is logged (by path)"
    assert "private-note-123" not in log
    assert "(127.0.0.1)" not in log, "tornado quotes a client address as (a.b.c.d)"
