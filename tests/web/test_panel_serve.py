"""The plain Panel way from docs/INTERFACE.md: ``panel serve app.py`` serves a drawing page at /app."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.web.browser import REPO, free_port, wait_drawn, wait_http, wait_stage, watch


def test_panel_serve_app_py_draws(browser):
    port = free_port()
    panel = Path(sys.executable).with_name("panel")
    process = subprocess.Popen([str(panel), "serve", "app.py", "--port", str(port), "--address", "127.0.0.1",
                                "--allow-websocket-origin", f"127.0.0.1:{port}"],
                               cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_http(f"http://127.0.0.1:{port}/app")
        context = browser.new_context(viewport={"width": 800, "height": 600})
        page = context.new_page()
        w = watch(page)
        page.goto(f"http://127.0.0.1:{port}/app?stage=stenosis")
        wait_drawn(page)
        wait_stage(page, "stenosis")
        assert w.errors == [] and w.foreign_requests == []
        context.close()
    finally:
        process.terminate()
        process.wait(timeout=10)
