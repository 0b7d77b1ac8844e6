"""Scale out with standard parts: nginx (Debian package) in front of two app processes, and --num-procs.

``scripts/test.sh`` installs nginx when it is missing; this test installs nothing.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from tornado.httpclient import HTTPClientError

from deploy.cluster import NGINX, Cluster, free_port, wait_ok
from tests.hardening.protocol import open_session, server_status, wait_sessions
from tests.web.browser import REPO

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
        pids = {server_status(url)["pid"] for _ in range(40)}
        assert len(pids) == 2 and server.pid not in pids, pids

        async def visit():
            person = await open_session(url)
            person.close()
            return person.document

        assert all(visitors.run(visit()) is not None for _ in range(4))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
