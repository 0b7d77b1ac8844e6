"""nginx in front of several app processes on one machine: start, inspect, stop cleanly.

``python deploy/cluster.py --apps 2 --port 8080`` starts ``--apps`` processes of
``python -m viz serve`` on free ports and Debian's nginx on ``--port`` with the
site file ``deploy/mild-explainer.nginx`` (sticky sessions by a random routing
cookie, websocket proxying, gzip) and ``deploy/nginx.conf``, then prints each
process's session count every few seconds. ``deploy/run_cluster.sh`` installs
nginx first when it is missing. The tests and ``benchmarks/bench_load.py
--nginx`` use :class:`Cluster` directly.

Stopping: SIGTERM, SIGINT (Ctrl-C) or SIGHUP. nginx stops accepting (SIGQUIT;
open connections get at most 5 s) while each app closes its sessions
(SIGTERM, :mod:`viz.web.shutdown`); all are gone within :data:`STOP_WITHIN_S`
and the script exits 0. What is still running then is killed (exit 1); a
second signal kills everything at once (exit 1). Each child runs in its own
process group, so a terminal's Ctrl-C reaches only this script, which stops
them in order; if this script dies without stopping them, Linux sends each
child SIGTERM (``setpriv --pdeathsig``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Callable

from viz.web import shutdown
from viz.web.shutdown import FORCED_EXIT_STATUS, child_pids, forced_exit, stop_signals

REPO = Path(__file__).resolve().parents[1]
MAIN_CONFIG = REPO / "deploy" / "nginx.conf"
SITE = REPO / "deploy" / "mild-explainer.nginx"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SETPRIV = shutil.which("setpriv")
START_TIMEOUT_S = 180.0
NGINX_SHUTDOWN_S = 5.0
"""``worker_shutdown_timeout`` in ``deploy/nginx.conf``."""
STOP_WITHIN_S = shutdown.STOP_WITHIN_S + shutdown.CLOSE_SESSIONS_S + 2.0
"""After its apps' drain, the whole cluster is stopped within this many seconds, s."""
STATUS_EVERY_S = 10.0
UPSTREAM_SERVER = re.compile(r"^(?P<indent>[ \t]*)server[ \t]+\S+:\d+(?P<options>[^;\n]*);\n", re.MULTILINE)
LISTEN = re.compile(r"^(?P<indent>[ \t]*)listen[ \t]+[^;\n]+;\n", re.MULTILINE)


class StopRequested(Exception):
    """A stop signal arrived while the cluster was starting."""


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ok(url: str, process: subprocess.Popen | None = None, timeout_s: float = START_TIMEOUT_S,
            stop_requested: Callable[[], bool] = lambda: False) -> float:
    """Poll ``url`` until it answers 200 (or ``process`` exits, or a stop is requested); return the seconds waited."""
    started = time.monotonic()
    while True:
        if stop_requested():
            raise StopRequested()
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"the process behind {url} exited with status {process.returncode}") from None
            if time.monotonic() - started > timeout_s:
                raise
        time.sleep(0.2)


def site_config(listen: str, upstreams: list[str]) -> str:
    """``deploy/mild-explainer.nginx`` listening on ``listen``, its upstream listing ``upstreams`` (``host:port``).

    The server options of the file's first upstream line (``max_fails`` ...) are kept for each.
    """
    text = SITE.read_text(encoding="utf-8")
    first = UPSTREAM_SERVER.search(text)
    servers = "".join(f"{first['indent']}server {u}{first['options']};\n" for u in upstreams)
    text = text[:first.start()] + servers + UPSTREAM_SERVER.sub("", text[first.start():])
    listen_line = LISTEN.search(text)
    return (text[:listen_line.start()] + f"{listen_line['indent']}listen {listen};\n"
            + LISTEN.sub("", text[listen_line.start():]))


def main_config(run_dir: Path) -> str:
    """``deploy/nginx.conf`` with its run folder filled in."""
    return MAIN_CONFIG.read_text(encoding="utf-8").replace("@@RUN_DIR@@", str(run_dir))


def kill_group(pid: int) -> None:
    """SIGKILL the process group led by ``pid`` (a child started with its own group), if any is left."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class Cluster:
    """``apps`` app processes behind one nginx on loopback; :meth:`close` stops them all.

    Parameters
    ----------
    apps : int, default: 2
        App processes (each ``python -m viz serve`` on its own port).
    port : int, optional
        nginx's port (default: a free one).
    max_sessions : int, default: 200
        Per-process session cap passed to each app.
    drain_s : int, default: 0
        Each app's ``--drain-seconds``.
    upstream_host : str, default: "127.0.0.1"
        The address nginx uses to reach the apps. Any other address of this
        machine makes the apps listen on all addresses, as app machines on a
        network do (``/status`` still answers loopback callers only).
    stop_requested : callable returning bool, optional
        Polled while starting; when it turns true, :class:`StopRequested` is raised.
    """

    def __init__(self, apps: int = 2, port: int | None = None, max_sessions: int = 200, drain_s: int = 0,
                 upstream_host: str = "127.0.0.1", stop_requested: Callable[[], bool] = lambda: False):
        if not Path(NGINX).exists():
            raise FileNotFoundError("nginx is not installed: run deploy/run_cluster.sh or apt-get install nginx")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/app"
        self.run_dir = Path(tempfile.mkdtemp(prefix="viz-nginx-"))
        self.run_dir.chmod(0o755)
        self.app_ports = [free_port() for _ in range(apps)]
        self.apps: list[subprocess.Popen] = []
        self.nginx: subprocess.Popen | None = None
        self.drain_s = drain_s
        self._logs = []
        app_address = "127.0.0.1" if upstream_host == "127.0.0.1" else "0.0.0.0"
        try:
            for app_port in self.app_ports:
                self.apps.append(self._spawn(
                    [sys.executable, "-m", "viz", "serve", "--port", str(app_port), "--address", app_address,
                     "--use-xheaders", "--max-sessions", str(max_sessions), "--drain-seconds", str(drain_s),
                     "--allow-websocket-origin", f"127.0.0.1:{self.port}",
                     "--allow-websocket-origin", f"localhost:{self.port}"], f"app-{app_port}.log"))
            for app_port, process in zip(self.app_ports, self.apps):
                wait_ok(f"http://127.0.0.1:{app_port}/healthz", process, stop_requested=stop_requested)
            (self.run_dir / "site.conf").write_text(
                site_config(f"127.0.0.1:{self.port}", [f"{upstream_host}:{p}" for p in self.app_ports]))
            (self.run_dir / "nginx.conf").write_text(main_config(self.run_dir))
            self.nginx = self._spawn(
                [NGINX, "-p", str(self.run_dir), "-c", str(self.run_dir / "nginx.conf"),
                 "-e", str(self.run_dir / "error.log"), "-g", "daemon off;"], "nginx.log")
            wait_ok(self.url, self.nginx, stop_requested=stop_requested)
        except BaseException:
            self.close()
            raise

    @property
    def processes(self) -> list[subprocess.Popen]:
        """nginx (when started) and the app processes."""
        return ([self.nginx] if self.nginx else []) + self.apps

    def _spawn(self, command: list[str], log_name: str) -> subprocess.Popen:
        """Start ``command`` in its own process group, to die with this process, logging to the run folder."""
        log = open(self.run_dir / log_name, "w")
        self._logs.append(log)
        guard = [SETPRIV, "--pdeathsig", "TERM", "--"] if SETPRIV else []
        return subprocess.Popen(guard + command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, process_group=0)

    def status(self) -> list[dict]:
        """Each app process's ``/status`` (pid, live sessions), asked directly on loopback."""
        result = []
        for app_port in self.app_ports:
            with urllib.request.urlopen(f"http://127.0.0.1:{app_port}/status", timeout=10) as response:
                result.append({"port": app_port, **json.load(response)})
        return result

    def close(self) -> bool:
        """Stop nginx (SIGQUIT) and the apps (SIGTERM) at once; kill what is left after the drain + :data:`STOP_WITHIN_S`.

        Returns
        -------
        bool
            True when every process stopped by itself in time.
        """
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGQUIT if process is self.nginx else signal.SIGTERM)
        deadline = time.monotonic() + self.drain_s + STOP_WITHIN_S
        clean = True
        for process in self.processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                clean = False
            kill_group(process.pid)
            process.wait()
        for log in self._logs:
            log.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)
        return clean


class StopSignals:
    """SIGTERM, SIGINT, SIGHUP (unless started under ``nohup``): the first asks for a stop, a second kills all."""

    def __init__(self):
        self.received = 0
        self._wake_read, self._wake_write = socket.socketpair()
        self._wake_write.setblocking(False)

    def install(self) -> None:
        """Handle the stop signals; each also wakes :meth:`wait` (``signal.set_wakeup_fd``)."""
        signal.set_wakeup_fd(self._wake_write.fileno())
        for signum in stop_signals():
            signal.signal(signum, self._handle)

    def _handle(self, signum: int, frame) -> None:
        self.received += 1
        if self.received > 1:
            for pid in child_pids(os.getpid()):
                kill_group(pid)
            forced_exit("a second stop signal arrived")

    def requested(self) -> bool:
        """Whether a stop signal has arrived."""
        return self.received > 0

    def wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` or until a stop signal; return whether one has arrived."""
        if not self.received:
            select.select([self._wake_read], [], [], seconds)
        return self.requested()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=2, help="app processes (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx port on loopback (default 8080)")
    parser.add_argument("--max-sessions", type=int, default=200, help="sessions per app process")
    parser.add_argument("--drain-seconds", type=int, default=0,
                        help="each app answers /healthz 503 this long after a stop signal before closing")
    args = parser.parse_args()
    stop = StopSignals()
    stop.install()
    try:
        cluster = Cluster(args.apps, args.port, args.max_sessions, args.drain_seconds, stop_requested=stop.requested)
    except StopRequested:
        return 0
    except (OSError, RuntimeError) as error:
        print(f"The cluster could not start: {error}.", file=sys.stderr)
        return FORCED_EXIT_STATUS
    print(f"serving {cluster.url} through nginx to app ports {cluster.app_ports}", flush=True)
    try:
        while not stop.wait(STATUS_EVERY_S):
            try:
                print(json.dumps(cluster.status()), flush=True)
            except OSError as error:
                print(f"An app process does not answer: {error}.", file=sys.stderr, flush=True)
    finally:
        clean = cluster.close()
    return 0 if clean else FORCED_EXIT_STATUS


if __name__ == "__main__":
    sys.exit(main())
