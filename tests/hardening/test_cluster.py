"""Scale out with standard parts: nginx (Debian package) in front of two app processes, and --num-procs.

Also the several-machines layout on one machine: nginx reaching the apps by
this machine's network address (not loopback), as it reaches other hosts.
``scripts/test.sh`` installs nginx when it is missing; this test installs nothing.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from tornado.httpclient import HTTPClientError

from deploy.cluster import NGINX, Cluster, free_port, wait_ok
from tests.hardening.protocol import open_session, server_status, wait_sessions
from tests.web.browser import REPO
from viz.web.limits import BUSY_RETRY_S, BUSY_TEXT

VISITORS = 12


@pytest.fixture(scope="module")
def cluster(current_caches):
    if not os.path.exists(NGINX):
        pytest.fail("nginx is missing: scripts/test.sh installs it (apt-get install nginx)")
    running = Cluster(apps=2)
    yield running
    running.close()


def test_nginx_spreads_sticky_sessions_over_both_apps(cluster, visitors):
    for app_port in cluster.app_ports:
        wait_sessions(f"http://127.0.0.1:{app_port}/app", 0)

    async def crowd():
        people = await asyncio.gather(*[open_session(cluster.url) for _ in range(VISITORS)])
        counts = [s["sessions"] for s in cluster.status()]
        for person in people:
            person.close()
        return people, counts

    people, counts = visitors.run(crowd())
    assert all(p.document is not None for p in people), "every websocket went through nginx"
    assert all(p.cookie.startswith("viz_route=") for p in people)
    assert sum(counts) == VISITORS, f"sticky: each page and its websocket reach one process ({counts})"
    assert min(counts) >= 1, f"both app processes hold sessions: {counts}"


def test_nginx_compresses_hides_status_and_checks_origins(cluster, visitors):
    request = urllib.request.Request(cluster.url.replace("/app", "/static/js/bokeh.min.js"),
                                     headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert response.headers["Server"] == "nginx"
    with pytest.raises(urllib.error.HTTPError) as hidden:
        urllib.request.urlopen(cluster.url.replace("/app", "/status"), timeout=30)
    assert hidden.value.code == 404
    with pytest.raises(HTTPClientError) as refused:
        visitors.run(open_session(cluster.url, origin="http://evil.example"))
    assert refused.value.code == 403


def test_num_procs_serves_from_two_processes(current_caches, visitors):
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "viz", "serve", "--port", str(port), "--num-procs", "2"],
                              cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/app"
        wait_ok(url, server)
        pids, deadline = set(), time.monotonic() + 60.0   # the second process may start later on a busy machine
        while len(pids) < 2 and time.monotonic() < deadline:
            pids.add(server_status(url)["pid"])
        assert len(pids) == 2 and server.pid not in pids, pids

        async def visit():
            person = await open_session(url)
            person.close()
            return person.document

        assert all(visitors.run(visit()) is not None for _ in range(4))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def network_address() -> str | None:
    """This machine's first IPv4 address that is not loopback (``hostname -I``), or None."""
    addresses = subprocess.run(["hostname", "-I"], capture_output=True, text=True).stdout.split()
    return next((a for a in addresses if "." in a and not a.startswith("127.")), None)


def status_code_from(address: str, port: int, headers: dict) -> int:
    """``GET /status`` on ``address:port`` over a connection from ``address`` itself."""
    connection = http.client.HTTPConnection(address, port, timeout=30, source_address=(address, 0))
    try:
        connection.request("GET", "/status", headers=headers)
        return connection.getresponse().status
    finally:
        connection.close()


def test_upstream_by_host_address_keeps_visitors_sticky(current_caches, visitors):
    host = network_address()
    if host is None:
        pytest.skip("this machine has no network address besides loopback")
    cluster = Cluster(apps=2, upstream_host=host)
    try:
        site = (cluster.run_dir / "site.conf").read_text()
        assert all(f"server {host}:{port} " in site for port in cluster.app_ports)
        assert "127.0.0.1:" not in site.split("upstream", 1)[1].split("}", 1)[0]

        async def return_visits():
            first = await open_session(cluster.url)
            first.close()
            return first.cookie

        cookie = visitors.run(return_visits())
        for app_port in cluster.app_ports:
            wait_sessions(f"http://127.0.0.1:{app_port}/app", 0)

        async def same_visitor_four_tabs():
            tabs = await asyncio.gather(*[open_session(cluster.url, cookie=cookie) for _ in range(4)])
            counts = sorted(s["sessions"] for s in cluster.status())
            for tab in tabs:
                tab.close()
            return tabs, counts

        tabs, counts = visitors.run(same_visitor_four_tabs())
        assert all(tab.document is not None for tab in tabs)
        assert counts == [0, 4], f"one routing cookie, one process: {counts}"

        app_port = cluster.app_ports[0]
        assert status_code_from(host, app_port, {"X-Real-IP": "127.0.0.1"}) == 404, \
            "/status refuses a caller from another address even when it claims to be loopback"
        assert status_code_from("127.0.0.1", app_port, {}) == 200
    finally:
        cluster.close()


def test_no_app_answering_gives_the_calm_busy_page_not_a_gateway_error(current_caches):
    cluster = Cluster(apps=1)
    try:
        app = cluster.apps[0]
        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=30) == 0
        with pytest.raises(urllib.error.HTTPError) as unavailable:
            urllib.request.urlopen(cluster.url + "?lang=es", timeout=30)
        body = unavailable.value.read().decode("utf-8")
        assert unavailable.value.code == 503 and unavailable.value.headers["Retry-After"] == str(BUSY_RETRY_S)
        assert BUSY_TEXT["heading"] in body and "Bad Gateway" not in body
        assert 'http-equiv="refresh"' in body
    finally:
        cluster.close()
