"""Clean stops (issue 19): what a service manager, a terminal or a script sends must end everything.

SIGTERM, SIGINT and SIGHUP end ``python -m viz serve`` (one process, or the
``--num-procs`` parent and its workers) and ``deploy/cluster.py`` (app
processes + nginx) with status 0 within the stated time (README: 10 s for an
app, 15 s for the cluster, plus ``--drain-seconds``); no process of theirs
survives (checked by session id in ``/proc``, see ``processes.py``) and every
port can be bound again. A second signal forces the stop at once (status 1).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
import time

import pytest

from deploy.cluster import free_port, wait_ok
from tests.hardening.processes import Subject, health, launch, port_is_free, wait_unready  # noqa: F401 (fixture)
from tests.hardening.protocol import open_session
from tests.web.browser import REPO

SIGNALS = pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP],
                                  ids=["SIGTERM", "SIGINT", "SIGHUP"])
APP_STOP_BUDGET_S = 10.0
CLUSTER_STOP_BUDGET_S = 15.0
FORCED_WITHIN_S = 3.0
"""A second signal ends everything in well under the drain the test configured (60 s)."""
FORCED_STATUS = 1
GOING_AWAY = 1001
LONG_DRAIN = ("--drain-seconds", "60")
START_TIMEOUT_S = 180.0


def start_serve(launch, *extra: str) -> Subject:
    """``python -m viz serve`` on a free port in its own session, answering ``/healthz``."""
    port = free_port()
    subject = launch([sys.executable, "-m", "viz", "serve", "--port", str(port), *extra], REPO)
    subject.ports = [port]
    wait_ok(f"http://127.0.0.1:{port}/healthz", subject.process)
    return subject


def start_cluster(launch, *extra: str) -> tuple[Subject, str]:
    """``deploy/cluster.py`` with two apps in its own session; return it and its nginx URL."""
    nginx_port = free_port()
    subject = launch([sys.executable, "deploy/cluster.py", "--apps", "2", "--port", str(nginx_port), *extra], REPO)
    deadline = time.monotonic() + START_TIMEOUT_S
    while not (ready := re.search(r"app ports \[(\d+), (\d+)\]", subject.log.read_text())):
        assert subject.process.poll() is None, subject.log.read_text()
        assert time.monotonic() < deadline, "the cluster did not start"
        time.sleep(0.3)
    subject.ports = [nginx_port, int(ready[1]), int(ready[2])]
    return subject, f"http://127.0.0.1:{nginx_port}/app"


async def close_code(visitor, timeout_s: float = 20.0) -> int | None:
    """Read a visitor's websocket until the server closes it; return the close code."""
    while await asyncio.wait_for(visitor.websocket.read_message(), timeout_s) is not None:
        pass
    return visitor.websocket.close_code


def assert_all_gone(subject: Subject) -> None:
    assert subject.survivors() == [], "processes of the stopped subject are still running"
    busy = [port for port in subject.ports if not port_is_free(port)]
    assert busy == [], f"ports still bound after the stop: {busy}"


@SIGNALS
def test_serve_stops_cleanly_and_closes_its_sessions(current_caches, launch, visitors, signum):
    subject = start_serve(launch)
    visitor = visitors.run(open_session(f"http://127.0.0.1:{subject.ports[0]}/app"))
    assert visitor.document is not None

    status, took_s = subject.stop_timed(signum, APP_STOP_BUDGET_S + 10)
    assert status == 0, subject.log.read_text()[-2000:]
    assert took_s <= APP_STOP_BUDGET_S
    assert visitors.run(close_code(visitor)) == GOING_AWAY, "the open session was closed as 'going away'"
    assert_all_gone(subject)


@SIGNALS
def test_num_procs_parent_stops_every_worker(current_caches, launch, signum):
    subject = start_serve(launch, "--num-procs", "2")
    assert len(subject.survivors(within_s=0)) == 3, "the parent and two workers"

    status, took_s = subject.stop_timed(signum, APP_STOP_BUDGET_S + 10)
    assert status == 0, subject.log.read_text()[-2000:]
    assert took_s <= APP_STOP_BUDGET_S
    assert_all_gone(subject)


def test_num_procs_stops_cleanly_when_the_whole_group_is_signalled(current_caches, launch):
    """Ctrl-C in a terminal and systemd's default kill mode signal every process at once: still one clean stop."""
    subject = start_serve(launch, "--num-procs", "2")
    started = time.monotonic()
    os.killpg(subject.pid, signal.SIGINT)
    assert subject.process.wait(timeout=APP_STOP_BUDGET_S + 10) == 0, subject.log.read_text()[-2000:]
    assert time.monotonic() - started <= APP_STOP_BUDGET_S
    assert "by force" not in subject.log.read_text()
    assert_all_gone(subject)


def test_started_under_nohup_it_outlives_a_hangup_and_still_stops_on_sigterm(current_caches, launch):
    port = free_port()
    subject = launch(["nohup", sys.executable, "-m", "viz", "serve", "--port", str(port)], REPO)
    subject.ports = [port]
    wait_ok(f"http://127.0.0.1:{port}/healthz", subject.process)
    os.kill(subject.pid, signal.SIGHUP)
    time.sleep(1.0)
    assert subject.process.poll() is None and health(port) == 200, "nohup asked it to ignore the hangup"

    status, took_s = subject.stop_timed(signal.SIGTERM, APP_STOP_BUDGET_S + 10)
    assert status == 0 and took_s <= APP_STOP_BUDGET_S
    assert_all_gone(subject)


def test_drain_keeps_sessions_then_stops_cleanly(current_caches, launch, visitors):
    subject = start_serve(launch, "--drain-seconds", "3")
    port = subject.ports[0]
    visitor = visitors.run(open_session(f"http://127.0.0.1:{port}/app"))
    os.kill(subject.pid, signal.SIGTERM)
    wait_unready(port, timeout_s=2.0)
    assert subject.process.poll() is None, "still answering while it drains"
    assert visitors.run(close_code(visitor)) == GOING_AWAY
    assert subject.process.wait(timeout=3 + APP_STOP_BUDGET_S) == 0
    assert_all_gone(subject)


@pytest.mark.parametrize("workers", [(), ("--num-procs", "2")], ids=["one-process", "num-procs"])
def test_second_signal_forces_the_stop(current_caches, launch, workers):
    subject = start_serve(launch, *LONG_DRAIN, *workers)
    os.kill(subject.pid, signal.SIGTERM)
    wait_unready(subject.ports[0])
    assert subject.process.poll() is None, "draining for 60 s"

    status, took_s = subject.stop_timed(signal.SIGTERM, 30)
    assert status == FORCED_STATUS and took_s <= FORCED_WITHIN_S, (status, took_s)
    assert_all_gone(subject)


@SIGNALS
def test_cluster_stops_apps_and_nginx(current_caches, launch, visitors, signum):
    subject, url = start_cluster(launch)
    assert len(subject.survivors(within_s=0)) >= 4, "cluster.py, two apps, nginx master and worker"
    visitor = visitors.run(open_session(url))
    assert visitor.document is not None, "a visitor is connected through nginx"

    status, took_s = subject.stop_timed(signum, CLUSTER_STOP_BUDGET_S + 15)
    assert status == 0, subject.log.read_text()[-2000:]
    assert took_s <= CLUSTER_STOP_BUDGET_S
    assert visitors.run(close_code(visitor)) == GOING_AWAY, "the app's 'going away' passed through nginx"
    assert_all_gone(subject)


def test_cluster_second_signal_kills_everything(current_caches, launch):
    subject, _ = start_cluster(launch, *LONG_DRAIN)
    os.kill(subject.pid, signal.SIGTERM)
    wait_unready(subject.ports[1])

    status, took_s = subject.stop_timed(signal.SIGTERM, 30)
    assert status == FORCED_STATUS and took_s <= FORCED_WITHIN_S, (status, took_s)
    assert_all_gone(subject)


def test_cluster_killed_outright_takes_its_children_along(current_caches, launch):
    """SIGKILL cannot be handled: Linux's parent-death signal still stops the apps and nginx."""
    subject, _ = start_cluster(launch)
    status, _ = subject.stop_timed(signal.SIGKILL, 10)
    assert status == -signal.SIGKILL
    assert subject.survivors(within_s=CLUSTER_STOP_BUDGET_S) == []
    assert all(port_is_free(port) for port in subject.ports)
