"""Stop a serving process cleanly on SIGTERM, SIGINT or SIGHUP, within a stated time.

A service manager (systemd's ``systemctl stop``), a terminal (Ctrl-C, a closed
window) or a script stops ``python -m viz serve`` with one of these signals.
No geometry here; this is the process side of :mod:`viz.web.server`.

One serving process (the usual case, or each ``--num-procs`` worker):

1. The signal reaches the event loop through asyncio's signal handling
   (``loop.add_signal_handler``: a wakeup fd, the handler runs in the loop).
2. The process turns unready at once: ``/healthz`` answers 503 and a new
   visitor gets the calm busy page (:class:`viz.web.limits.SessionGate`).
3. It keeps answering for ``drain_s`` seconds (default 0), so a load balancer
   that probes ``/healthz`` can take it out of rotation first.
4. It stops listening, closes every session's websocket with code 1001
   ("going away") and waits until they are closed, at most
   :data:`CLOSE_SESSIONS_S`, then stops its loop and exits with status 0.

A watchdog ends the process with status :data:`FORCED_EXIT_STATUS` if all of
that takes longer than ``drain_s`` + :data:`STOP_WITHIN_S`; a second signal
ends it at once with the same status.

With ``--num-procs N`` tornado forks N workers from a parent that only waits
for them. The parent forwards the first signal to its workers as SIGTERM and
exits 0 once all have stopped (tornado's ``fork_processes`` does that);
a second signal, or the same watchdog, kills the workers and ends it. A worker
ignores repeated signals (a terminal's Ctrl-C or systemd's default kill mode
signal the whole group, and the parent forwards the signal as well) and stops
by itself if the parent dies (Linux parent-death signal).

A process started with SIGHUP ignored (``nohup``) keeps ignoring it: the
operator asked it to outlive its terminal.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import signal
import sys
import threading
from pathlib import Path

from tornado.process import task_id

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
STOP_WITHIN_S = 10.0
"""A stopping process exits within this many seconds after its drain, s."""
CLOSE_SESSIONS_S = 3.0
"""Longest wait for browsers to answer the websocket close, s."""
SESSIONS_CLOSED_POLL_S = 0.05
FORCED_EXIT_STATUS = 1
"""Exit status of a stop that had to be forced (second signal or watchdog)."""
GOING_AWAY = 1001
"""Websocket close code: the server is going away (RFC 6455, section 7.4.1)."""
PR_SET_PDEATHSIG = 1
"""``prctl`` option: the signal this process gets when its parent dies (Linux)."""


class StopBeforeServing(Exception):
    """A stop signal arrived while the process was still starting."""


def stop_signals() -> tuple[signal.Signals, ...]:
    """The stop signals to handle: :data:`STOP_SIGNALS`, less SIGHUP when this process was started ignoring it.

    Call it before installing handlers (it reads the current disposition).
    """
    return tuple(s for s in STOP_SIGNALS if not (s == signal.SIGHUP and signal.getsignal(s) == signal.SIG_IGN))


def child_pids(pid: int) -> list[int]:
    """Process ids whose parent is ``pid``, read from ``/proc/<pid>/stat`` (Linux).

    Parameters
    ----------
    pid : int
        The parent process id.

    Returns
    -------
    list of int
        Living (or not yet reaped) children; empty where ``/proc`` is missing.
    """
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def signal_all(pids: list[int], signum: int) -> None:
    """Send ``signum`` to each of ``pids``; one that has already gone is skipped."""
    for pid in pids:
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass


def die_with_parent() -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (no-op elsewhere)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)


def say(text: str) -> None:
    """One line on stderr (the journal under systemd), prefixed with this process id."""
    os.write(2, f"[{os.getpid()}] {text}\n".encode())


def forced_exit(reason: str) -> None:
    """End this process now with :data:`FORCED_EXIT_STATUS`, saying why in one sentence."""
    say(f"Stopped by force: {reason}.")
    os._exit(FORCED_EXIT_STATUS)


class GracefulStop:
    """Signal handling for ``python -m viz serve``: before, while and after serving.

    Parameters
    ----------
    gate : viz.web.limits.SessionGate
        Turned unready (``stopping``) as soon as a stop begins.
    drain_s : float, default: 0
        Seconds to keep answering, unready, before closing.

    Notes
    -----
    Call :meth:`install_early` before the server forks or binds its port, then
    :meth:`serve_forever` with the server in each serving process.
    """

    def __init__(self, gate, drain_s: float = 0.0):
        self.gate = gate
        self.drain_s = drain_s
        self.signals = 0
        self.parent_pid = os.getpid()
        self.server = None
        self.handled = stop_signals()
        self._stopping: asyncio.Future | None = None

    def install_early(self) -> None:
        """Handle stop signals from now on (plain handlers; the loop does not run yet)."""
        for signum in self.handled:
            signal.signal(signum, self._early_signal)

    def _early_signal(self, signum: int, frame) -> None:
        self.signals += 1
        if task_id() is not None:
            return
        workers = child_pids(os.getpid())
        if workers:
            self._supervise(workers)
        elif self.signals == 1:
            raise StopBeforeServing(f"{signal.Signals(signum).name} received while starting: not serving")

    def _supervise(self, workers: list[int]) -> None:
        """The ``--num-procs`` parent: forward the first stop, force on the second."""
        if self.signals == 1:
            say(f"stopping {len(workers)} worker processes")
            signal_all(workers, signal.SIGTERM)
            timer = threading.Timer(self.drain_s + STOP_WITHIN_S + CLOSE_SESSIONS_S, self._kill_workers,
                                    ("the worker processes did not stop in time",))
            timer.daemon = True
            timer.start()
        else:
            self._kill_workers("a second stop signal arrived")

    def _kill_workers(self, reason: str) -> None:
        signal_all(child_pids(os.getpid()), signal.SIGKILL)
        forced_exit(reason)

    def serve_forever(self, server) -> None:
        """Run ``server`` (a started Bokeh server) until a stop signal has been handled."""
        self.server = server
        if task_id() is not None:
            die_with_parent()
            if self.signals or os.getppid() != self.parent_pid:
                # a worker told to stop before it served: it has no session to close, and
                # returning leaves the started server's exit handlers to hold the process
                # past the parent's deadline
                say("stopped before serving")
                os._exit(0)
        for signum in self.handled:
            server.io_loop.asyncio_loop.add_signal_handler(signum, self._signal, signum)
        if self.signals and task_id() is not None:
            # the stop arrived while the handlers above were being installed
            self.signals = 0
            server.io_loop.asyncio_loop.call_soon(self._signal, signal.SIGTERM)
        server.io_loop.start()

    def _signal(self, signum: int) -> None:
        self.signals += 1
        if self.signals == 1:
            say(f"{signal.Signals(signum).name} received: stopping (new visitors see the busy page)")
            self._stopping = asyncio.ensure_future(self._stop())
        elif task_id() is None:
            forced_exit("a second stop signal arrived")

    async def _stop(self) -> None:
        self.gate.stopping = True
        watchdog = threading.Timer(self.drain_s + STOP_WITHIN_S, forced_exit, ("the stop took too long",))
        watchdog.daemon = True
        watchdog.start()
        await asyncio.sleep(self.drain_s)
        self.server.unlisten()
        await close_sessions(self.server)
        self.server.stop(wait=False)
        self.server.io_loop.stop()
        say("stopped: sessions closed")


async def close_sessions(server) -> None:
    """Close every session's websocket with code 1001; wait for them, at most :data:`CLOSE_SESSIONS_S`.

    Bokeh offers no public list of open connections, so this reads the
    server's ``_tornado._clients`` (each a ``ServerConnection`` around its
    websocket handler, ``_socket``).
    """
    connections = list(server._tornado._clients)
    for connection in connections:
        connection._socket.close(GOING_AWAY, "The server is stopping.")
    deadline = asyncio.get_running_loop().time() + CLOSE_SESSIONS_S
    while server._tornado._clients and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(SESSIONS_CLOSED_POLL_S)
