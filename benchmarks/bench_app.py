"""Measure the app as a visitor's browser sees it (issue 3 budgets).

Headless Debian Chromium, WebGL on the CPU (SwiftShader), 1024×768, one page
open at a time (a second page slows the first one's animation several-fold).

Prints a table and a JSON line: time to first 3D draw from navigation, bytes
over HTTP (on the wire, compressed) and over the websocket until then (payload),
playback frames/s always with the median pixel fraction it was drawn at
(drawing-buffer pixels ÷ on-screen device pixels) and the median triangle count,
websocket bytes/s during playback, requests to other hosts and console errors.

Usage: ``.venv/bin/python benchmarks/bench_app.py [--url URL] [--runs N]``
(without ``--url`` it starts ``python -m viz serve`` on a free port).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.budgets import verdict  # noqa: E402

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.web.browser import AppServer, launch, watch  # noqa: E402

BUDGETS = {
    "first_draw_s": ("<=", 1.2),
    "initial_transfer_mb": ("<=", 2.0),
    "playback_fps": (">=", 15.0),
    "playback_pixel_fraction": (">=", 0.25),
    "playback_ws_bytes_per_s": ("<=", 2048.0),
    "foreign_requests": ("<=", 0),
    "console_errors": ("<=", 0),
}
PLAYBACK_S = 6.0
SAMPLER = """(() => {
  const player = window.mildPlayers[0];
  window.benchSamples = [];
  const sample = () => {
    const s = player.stats;
    const last = window.benchSamples.at(-1);
    if (!last || last.draws !== s.draws) window.benchSamples.push({ draws: s.draws, fraction: s.pixelFraction, triangles: s.triangles, lod: s.lod, solid: s.solid });
    if (!window.benchStop) requestAnimationFrame(sample);
  };
  requestAnimationFrame(sample);
})()"""


def measure_once(browser, url: str, query: str = "") -> dict:
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    w = watch(page)
    started = time.monotonic()
    page.goto(url + query)
    page.wait_for_function("window.mildPlayers && window.mildPlayers[0] && window.mildPlayers[0].stats.draws > 0",
                           timeout=60_000)
    first_draw_ms = page.evaluate("window.mildPlayers[0].stats.firstDrawMs")
    loaded_at = time.monotonic()
    http_bytes = page.evaluate("""() => {
        const entries = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')];
        return entries.reduce((sum, e) => sum + (e.transferSize || 0), 0);
    }""")
    ws_initial = w.ws_bytes_between(started, loaded_at)
    page.wait_for_timeout(500)
    page.evaluate(SAMPLER)
    page.get_by_role("button", name="Play").click()
    draws0 = page.evaluate("window.mildPlayers[0].stats.draws")
    t0 = time.monotonic()
    page.wait_for_timeout(PLAYBACK_S * 1000)
    t1 = time.monotonic()
    draws1 = page.evaluate("window.mildPlayers[0].stats.draws")
    samples = page.evaluate("window.benchStop = true, window.benchSamples.filter((s) => s.lod === 'light')")
    stats = page.evaluate("JSON.stringify(window.mildPlayers[0].stats)")
    context.close()
    return {
        "first_draw_s": round(first_draw_ms / 1000.0, 3),
        "initial_transfer_mb": round((http_bytes + ws_initial) / 1e6, 3),
        "http_bytes": http_bytes,
        "ws_initial_bytes": ws_initial,
        "playback_fps": round((draws1 - draws0) / (t1 - t0), 1),
        "playback_pixel_fraction": round(statistics.median(s["fraction"] for s in samples), 3),
        "playback_triangles": int(statistics.median(s["triangles"] for s in samples)),
        "playback_solid_share": round(sum(s["solid"] for s in samples) / len(samples), 2),
        "playback_ws_bytes_per_s": round(w.ws_bytes_between(t0, t1) / (t1 - t0), 1),
        "foreign_requests": len(w.foreign_requests),
        "console_errors": len(w.errors),
        "player_stats": json.loads(stats),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app's /app URL")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--query", default="", help="query string, e.g. ?mode=clinician")
    args = parser.parse_args()
    server = None if args.url else AppServer()
    url = args.url or server.url
    try:
        with sync_playwright() as playwright:
            browser = launch(playwright)
            measure_once(browser, url, args.query)          # warm the server's caches
            runs = [measure_once(browser, url, args.query) for _ in range(args.runs)]
            browser.close()
    finally:
        if server:
            server.close()
    summary = {name: statistics.median(r[name] for r in runs) for name in BUDGETS}
    summary.update(http_bytes=statistics.median(r["http_bytes"] for r in runs),
                   ws_initial_bytes=statistics.median(r["ws_initial_bytes"] for r in runs),
                   playback_triangles=statistics.median(r["playback_triangles"] for r in runs),
                   playback_solid_share=statistics.median(r["playback_solid_share"] for r in runs),
                   load_average_1min=os.getloadavg()[0])
    print(f"{'measure':28} {'median':>12}  verdict")
    for name in BUDGETS:
        print(f"{name:28} {summary[name]:>12}  {verdict(BUDGETS[name], summary[name])}")
    for name in ("playback_triangles", "playback_solid_share", "http_bytes", "ws_initial_bytes", "load_average_1min"):
        print(f"{name:28} {summary[name]:>12}")
    print(json.dumps({"summary": summary, "runs": runs}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
