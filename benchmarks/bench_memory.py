"""Measure the server's memory: per extra session, and after many sessions came and went (issue 8).

Starts ``python -m viz serve`` on a free port and drives it with lightweight
protocol visitors (``tests/hardening/protocol.py``: GET the page, open the
websocket, receive the whole document). Resident size (``VmRSS``) of the
server process is read from ``/proc`` once its live-session count has settled.

1. Per extra session: RSS with ``--sessions`` visitors connected minus RSS
   with none (after one warm-up visit), divided by the count; then all close
   and RSS is read again once the server has dropped their sessions.
2. Open/close cycles: ``--cycles`` visits (``--concurrency`` at a time), each
   opening, pulling the document and closing. RSS after the first 50 and after
   all of them, both read once the server has dropped every session.

Budgets: ≤ 40 MB per extra session; RSS after all cycles ≤ 1.1 × RSS after 50.
Prints a table and a JSON line.

Usage: ``.venv/bin/python benchmarks/bench_memory.py [--sessions 20] [--cycles 1000] [--concurrency 4]``
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.budgets import verdict  # noqa: E402

from tests.hardening.protocol import open_session, resident_mb, wait_sessions  # noqa: E402
from tests.web.browser import AppServer  # noqa: E402
from viz.scenes.bundle import load_bundle  # noqa: E402

BUDGETS = {"mb_per_extra_session": ("<=", 40.0), "rss_growth_ratio": ("<=", 1.1), "errors": ("<=", 0)}
FIRST_CYCLES = 50


def settled_rss(server: AppServer, sessions: int = 0) -> float:
    """RSS (MB) once the server holds at most ``sessions`` live sessions."""
    wait_sessions(server.url, sessions, timeout_s=90.0)
    time.sleep(1.0)
    return resident_mb(server.process.pid)


async def per_session(server: AppServer, count: int) -> dict:
    """RSS with ``count`` visitors connected, relative to none."""
    (await open_session(server.url)).close()
    idle_mb = settled_rss(server)
    visitors = await asyncio.gather(*[open_session(server.url) for _ in range(count)])
    open_mb = resident_mb(server.process.pid)
    for visitor in visitors:
        visitor.close()
    closed_mb = settled_rss(server)
    return {"idle_mb": round(idle_mb, 1), "open_mb": round(open_mb, 1), "closed_mb": round(closed_mb, 1),
            "mb_per_extra_session": round((open_mb - idle_mb) / count, 2)}


async def cycles(server: AppServer, total: int, concurrency: int) -> dict:
    """``total`` open/pull/close visits, ``concurrency`` at a time; RSS after 50 and after all."""
    errors = 0
    done = 0
    rss_first = None
    started = time.monotonic()

    async def one_visit() -> None:
        nonlocal errors
        try:
            visitor = await open_session(server.url)
            if visitor.document is None:
                errors += 1
            visitor.close()
        except (OSError, asyncio.TimeoutError, ConnectionError):
            errors += 1

    while done < total:
        limit = FIRST_CYCLES if done < FIRST_CYCLES else total
        batch = min(concurrency, limit - done)
        await asyncio.gather(*[one_visit() for _ in range(batch)])
        done += batch
        if done == FIRST_CYCLES:
            rss_first = settled_rss(server)
    rss_last = settled_rss(server)
    return {"cycles": total, "errors": errors, "cycles_s": round(time.monotonic() - started, 1),
            "rss_after_first_50_mb": round(rss_first, 1), "rss_after_all_mb": round(rss_last, 1),
            "rss_growth_ratio": round(rss_last / rss_first, 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="visitors held open at once (default 20)")
    parser.add_argument("--cycles", type=int, default=1000, help="open/close visits (default 1000, at least 50)")
    parser.add_argument("--concurrency", type=int, default=4, help="visits at a time during the cycles")
    args = parser.parse_args()
    load_bundle()
    server = AppServer(("--max-sessions", "10000"))
    try:
        results = asyncio.run(per_session(server, args.sessions))
        results.update(asyncio.run(cycles(server, max(args.cycles, FIRST_CYCLES), args.concurrency)))
    finally:
        server.close()
    results["load_average"] = os.getloadavg()
    print(f"{'measure':28} {'value':>10}  verdict")
    for name, value in results.items():
        print(f"{name:28} {str(value):>10}  {verdict(BUDGETS[name], value) if name in BUDGETS else ''}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
