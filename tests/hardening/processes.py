"""Whole process trees for the stop tests: who is still alive, whether a port is free or ready, no leftovers.

A subject (``python -m viz serve``, ``deploy/cluster.py``) is started in a new
session (``setsid``). Everything it starts, however deep and in whatever
process group, keeps that session id unless it makes its own session; nothing
here does (nginx with ``daemon off`` does not). So "no child survives" is
checked from ``/proc/<pid>/stat`` by session id, independently of how the
subject finds its own children, and the fixture's finalizer kills the whole
session even when a test fails half-way.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def session_members(session_id: int) -> list[str]:
    """``"pid name state"`` of every process (zombies included) whose session id is ``session_id``."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        state, _ppid, _pgrp, session = text[text.rindex(")") + 2:].split()[:4]
        if int(session) == session_id:
            members.append(f"{stat.parent.name} {name} {state}")
    return members


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a new server could listen on ``host:port`` now (as a restart would: SO_REUSEADDR)."""
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
            s.listen()
        except OSError:
            return False
    return True


def health(port: int) -> int:
    """Status of ``/healthz`` on ``port`` (0 when nothing answers)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def wait_unready(port: int, timeout_s: float = 20.0) -> None:
    """Wait until ``/healthz`` on ``port`` answers 503 (a stop has begun); fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while health(port) != 503:
        assert time.monotonic() < deadline, "/healthz did not turn 503 after the stop signal"
        time.sleep(0.1)


@dataclass
class Subject:
    """A process started in its own session, with its output in ``log``."""

    process: subprocess.Popen
    log: Path
    ports: list[int] = field(default_factory=list)

    @property
    def pid(self) -> int:
        return self.process.pid

    def survivors(self, within_s: float = 5.0) -> list[str]:
        """Processes of the subject's session still present after waiting up to ``within_s`` for them to go."""
        deadline = time.monotonic() + within_s
        while (members := session_members(self.pid)) and time.monotonic() < deadline:
            time.sleep(0.1)
        return members

    def stop_timed(self, signum: int, timeout_s: float) -> tuple[int | None, float]:
        """Send ``signum`` to the subject's main process; return (exit status or None, seconds to exit)."""
        started = time.monotonic()
        os.kill(self.pid, signum)
        try:
            status = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            status = None
        return status, time.monotonic() - started

    def kill_session(self) -> None:
        """SIGKILL everything left in the subject's session (also stopped processes) and reap the subject."""
        for member in session_members(self.pid):
            try:
                os.kill(int(member.split()[0]), signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass


@pytest.fixture
def launch(tmp_path):
    """``launch(command, cwd, env=None)`` starts a :class:`Subject` in a new session; all are killed afterwards."""
    subjects: list[Subject] = []

    def start(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> Subject:
        log = tmp_path / f"subject-{len(subjects)}.log"
        with open(log, "w") as out:
            process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        subjects.append(Subject(process, log))
        return subjects[-1]

    yield start
    for subject in subjects:
        subject.kill_session()
