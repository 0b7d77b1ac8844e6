"""``/healthz`` (issue 19): what a load balancer or orchestrator probes.

200 while the process would give a new visitor a session; 503 at its session
cap and while it stops. The answer is one of two fixed responses: nothing in
the body or headers varies with the number of sessions, no server version,
and probing makes no Bokeh session.
"""

from __future__ import annotations

import http.client
import os
import signal
import sys

from deploy.cluster import free_port, wait_ok
from tests.hardening.processes import launch, wait_unready  # noqa: F401 (fixture)
from tests.hardening.protocol import open_session, server_status, wait_sessions
from tests.web.browser import REPO

ALLOWED_HEADERS = {"content-type", "content-length", "date", "cache-control", "vary", "retry-after"}
PROBES = 30


def probe(port: int, method: str = "GET", path: str = "/healthz") -> tuple[int, dict, bytes]:
    """(status, headers without Date, body) of one request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders() if name.lower() != "date"}
        return response.status, headers, response.read()
    finally:
        connection.close()


def test_ready_below_the_cap_unavailable_at_it(small_server, visitors):
    port = small_server.port
    wait_sessions(small_server.url, 0)
    assert probe(port)[0] == 200
    holders = [visitors.run(open_session(small_server.url)) for _ in range(2)]
    assert all(h.document is not None for h in holders)
    status, headers, body = probe(port)
    assert status == 503 and body == b"unavailable\n"
    assert headers["retry-after"].isdigit()
    for holder in holders:
        visitors.call(holder.close)
    sessions, _ = wait_sessions(small_server.url, 0)
    assert sessions == 0
    assert probe(port)[0] == 200


def test_health_tells_nothing_and_makes_no_session(small_server, visitors):
    port = small_server.port
    wait_sessions(small_server.url, 0)
    idle = [probe(port, method) for method in ("GET", "HEAD")]
    holder = visitors.run(open_session(small_server.url))
    busier = [probe(port, method) for method in ("GET", "HEAD")]
    assert idle == busier, "the answer does not change with the number of sessions"

    (status, headers, body), (head_status, head_headers, head_body) = busier
    assert status == head_status == 200 and body == b"ok\n" and head_body == b""
    assert headers == head_headers
    assert set(headers) <= ALLOWED_HEADERS, headers
    assert "server" not in headers, "no server name or version"

    for _ in range(PROBES):
        probe(port)
    assert server_status(small_server.url)["sessions"] == 1, "probes made no Bokeh session"
    visitors.call(holder.close)


def test_unavailable_while_stopping_and_indistinguishable_from_full(current_caches, launch, small_server, visitors):
    full_port = small_server.port
    wait_sessions(small_server.url, 0)
    holders = [visitors.run(open_session(small_server.url)) for _ in range(2)]
    at_cap = probe(full_port)
    for holder in holders:
        visitors.call(holder.close)

    port = free_port()
    subject = launch([sys.executable, "-m", "viz", "serve", "--port", str(port), "--drain-seconds", "30"], REPO)
    wait_ok(f"http://127.0.0.1:{port}/healthz", subject.process)
    assert probe(port)[0] == 200
    os.kill(subject.pid, signal.SIGTERM)
    wait_unready(port)
    assert probe(port) == at_cap, "stopping and full give the same answer"
    status, headers, _ = probe(port, path="/app")
    assert status == 302 and headers["location"].startswith("/busy"), "a newcomer gets the busy page, not a session"
    assert server_status(f"http://127.0.0.1:{port}/app")["sessions"] == 0
