"""nginx in front of several app processes on loopback: start, inspect, stop.

``python deploy/cluster.py --apps 2 --port 8080`` starts ``--apps`` processes of
``python -m viz serve`` on free loopback ports and Debian's nginx on ``--port``
with ``deploy/nginx.conf`` (sticky sessions by a random routing cookie,
websocket proxying, gzip), prints each process's session count every few
seconds and stops everything on Ctrl-C. ``deploy/run_cluster.sh`` installs
nginx first when it is missing. The tests and ``benchmarks/bench_load.py
--nginx`` use :class:`Cluster` directly.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "deploy" / "nginx.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
START_TIMEOUT_S = 180.0


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_ok(url: str, process: subprocess.Popen | None = None, timeout_s: float = START_TIMEOUT_S) -> float:
    """Poll ``url`` until it answers 200 (or ``process`` exits); return the seconds waited."""
    started = time.monotonic()
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"{process.args[0]} exited with status {process.returncode}") from None
            if time.monotonic() - started > timeout_s:
                raise
        time.sleep(0.2)


def nginx_config(listen_port: int, app_ports: list[int], run_dir: Path) -> str:
    """``deploy/nginx.conf`` with its ``@@`` fields filled in."""
    servers = "\n".join(f"        server 127.0.0.1:{p} max_fails=2 fail_timeout=10s;" for p in app_ports)
    return (TEMPLATE.read_text(encoding="utf-8")
            .replace("@@RUN_DIR@@", str(run_dir))
            .replace("@@LISTEN@@", f"127.0.0.1:{listen_port}")
            .replace("@@UPSTREAM_SERVERS@@", servers))


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
    """

    def __init__(self, apps: int = 2, port: int | None = None, max_sessions: int = 200):
        if not Path(NGINX).exists():
            raise FileNotFoundError("nginx is not installed: run deploy/run_cluster.sh or apt-get install nginx")
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/app"
        self.run_dir = Path(tempfile.mkdtemp(prefix="viz-nginx-"))
        self.run_dir.chmod(0o755)
        self.app_ports = [free_port() for _ in range(apps)]
        self.processes: list[subprocess.Popen] = []
        self._logs = []
        try:
            for app_port in self.app_ports:
                self.processes.append(self._start_app(app_port, max_sessions))
            for app_port, process in zip(self.app_ports, self.processes):
                wait_ok(f"http://127.0.0.1:{app_port}/status", process)
            (self.run_dir / "nginx.conf").write_text(nginx_config(self.port, self.app_ports, self.run_dir))
            self.processes.append(subprocess.Popen(
                [NGINX, "-p", str(self.run_dir), "-c", str(self.run_dir / "nginx.conf"),
                 "-e", str(self.run_dir / "error.log"), "-g", "daemon off;"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            wait_ok(self.url, self.processes[-1])
        except Exception:
            self.close()
            raise

    def _start_app(self, app_port: int, max_sessions: int) -> subprocess.Popen:
        log = open(self.run_dir / f"app-{app_port}.log", "w")
        self._logs.append(log)
        return subprocess.Popen(
            [sys.executable, "-m", "viz", "serve", "--port", str(app_port), "--use-xheaders",
             "--max-sessions", str(max_sessions),
             "--allow-websocket-origin", f"127.0.0.1:{self.port}",
             "--allow-websocket-origin", f"localhost:{self.port}"],
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT)

    def status(self) -> list[dict]:
        """Each app process's ``/status`` (pid, live sessions), asked directly on loopback."""
        result = []
        for app_port in self.app_ports:
            with urllib.request.urlopen(f"http://127.0.0.1:{app_port}/status", timeout=10) as response:
                result.append({"port": app_port, **json.load(response)})
        return result

    def close(self) -> None:
        """Stop nginx first, then the apps; remove the run folder."""
        for process in reversed(self.processes):
            process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        for log in self._logs:
            log.close()
        shutil.rmtree(self.run_dir, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=2, help="app processes (default 2)")
    parser.add_argument("--port", type=int, default=8080, help="nginx port on loopback (default 8080)")
    parser.add_argument("--max-sessions", type=int, default=200, help="sessions per app process")
    args = parser.parse_args()
    cluster = Cluster(args.apps, args.port, args.max_sessions)
    print(f"serving {cluster.url} through nginx to app ports {cluster.app_ports}", flush=True)
    try:
        while True:
            print(json.dumps(cluster.status()), flush=True)
            time.sleep(10)
    except KeyboardInterrupt:
        return 0
    finally:
        cluster.close()


if __name__ == "__main__":
    sys.exit(main())
