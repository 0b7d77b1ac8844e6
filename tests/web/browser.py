"""Helpers for browser tests: serve the app, drive Debian's Chromium, read pixels.

Chromium runs headless with WebGL on the CPU (SwiftShader). A page counts as
drawn when the player reports a WebGL draw AND the canvas pixels are not
blank (a single colour): a blank canvas fails.
"""

from __future__ import annotations

import functools
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist",
    "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
FIRST_DRAW_TIMEOUT_MS = 30_000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.3)


class AppServer:
    """``python -m viz serve`` on a free loopback port, stopped on close."""

    def __init__(self, extra_args: tuple[str, ...] = ()):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/app"
        self.log = open(REPO / "test-artifacts" / f"server-{self.port}.log", "w") if (REPO / "test-artifacts").is_dir() else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [sys.executable, "-m", "viz", "serve", "--port", str(self.port), *extra_args],
            cwd=REPO, stdout=self.log, stderr=subprocess.STDOUT)
        try:
            wait_http(self.url)
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@dataclass
class PageWatch:
    """What a page did: console errors, requests to other hosts, websocket bytes."""

    errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)
    ws_frames: list[tuple[float, int]] = field(default_factory=list)

    def ws_bytes_between(self, t0: float, t1: float) -> int:
        return sum(n for t, n in self.ws_frames if t0 <= t <= t1)


def _payload_size(payload) -> int:
    return len(payload.encode("utf-8")) if isinstance(payload, str) else len(payload)


def watch(page, allowed_hosts=("127.0.0.1", "localhost")) -> PageWatch:
    """Attach listeners that record errors, foreign requests and websocket traffic."""
    w = PageWatch()
    page.on("console", lambda m: w.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.errors.append(str(e)))

    def on_request(request):
        host = urlparse(request.url).hostname
        if request.url.startswith(("http:", "https:", "ws:", "wss:")) and host not in allowed_hosts:
            w.foreign_requests.append(request.url)

    page.on("request", on_request)

    def on_ws(ws):
        ws.on("framereceived", lambda p: w.ws_frames.append((time.monotonic(), _payload_size(p))))
        ws.on("framesent", lambda p: w.ws_frames.append((time.monotonic(), _payload_size(p))))

    page.on("websocket", on_ws)
    return w


def wait_drawn(page, index: int = 0, timeout_ms: int = FIRST_DRAW_TIMEOUT_MS) -> None:
    """Wait for the player's first WebGL draw, then check the canvas is not blank."""
    page.wait_for_function(
        f"window.mildPlayers && window.mildPlayers[{index}] && window.mildPlayers[{index}].stats.draws > 0",
        timeout=timeout_ms)
    settle(page, index)
    image = canvas_pixels(page, index)
    assert not_blank(image), "the 3D canvas is blank"


def settle(page, index: int = 0, timeout_ms: int = 15_000) -> None:
    """Wait until the player is at rest at full detail and has drawn that."""
    page.wait_for_function(
        f"(() => {{ const p = window.mildPlayers[{index}]; return !p.playing && p.stats.lod === 'full' && !p.dirty; }})()",
        timeout=timeout_ms)
    page.wait_for_timeout(150)


def element_pixels(locator) -> np.ndarray:
    """RGB pixels of an element as shown on screen (with what shows through it), (h, w, 3) uint8."""
    return np.asarray(Image.open(io.BytesIO(locator.screenshot())).convert("RGB"))


def canvas_pixels(page, index: int = 0) -> np.ndarray:
    """RGB pixels of the player's 3D canvas as shown on screen, (h, w, 3) uint8."""
    return element_pixels(page.locator(".mild-view canvas").nth(index))


def background_share(image: np.ndarray) -> float:
    """Share of pixels (0..1) within 30 grey levels of the most common colour (the background)."""
    flat = image.reshape(-1, 3).astype(np.int16)
    values, counts = np.unique(flat, axis=0, return_counts=True)
    return float((np.abs(flat - values[counts.argmax()]).sum(axis=1) <= 30).mean())


def foreground_centre(image: np.ndarray) -> tuple[float, float]:
    """Mean (x, y), pixels, of what differs from the most common colour (the drawn model)."""
    flat = image.reshape(-1, 3).astype(np.int16)
    values, counts = np.unique(flat, axis=0, return_counts=True)
    ys, xs = np.nonzero(np.abs(image.astype(np.int16) - values[counts.argmax()]).sum(axis=2) > 30)
    return float(xs.mean()), float(ys.mean())


@functools.cache
def catalogue_meta() -> dict:
    """The scene bundle's JSON part as the server has it: stage ids and the words the page shows."""
    from viz.scenes.bundle import load_bundle

    return load_bundle().meta


def stage_ids() -> list[str]:
    return [stage["id"] for stage in catalogue_meta()["stages"]]


def stage_title(stage: str, lang: str = "en", mode: str = "patient") -> str:
    """The title the page shows for a stage, from the text catalogue."""
    return catalogue_meta()["text"][lang]["stages"][stage][mode]["title"]


def wait_stage(page, stage: str, lang: str = "en", mode: str = "patient", timeout_ms: int = 15_000) -> None:
    """Wait until the page's heading holds the stage's title (embed mode hides the heading)."""
    page.locator(".mild-title", has_text=stage_title(stage, lang, mode)).first.wait_for(state="attached", timeout=timeout_ms)
    assert page.locator(".mild-title").text_content() == stage_title(stage, lang, mode)


def screenshot(page) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(page.screenshot())).convert("RGB"))


def not_blank(image: np.ndarray, min_share: float = 0.02) -> bool:
    """True when more than ``min_share`` of the pixels differ from the most common colour."""
    flat = image.reshape(-1, 3).astype(np.int16)
    values, counts = np.unique(flat, axis=0, return_counts=True)
    background = values[counts.argmax()]
    differs = np.abs(flat - background).sum(axis=1) > 30
    return differs.mean() > min_share


MIN_CONTRAST = 4.5
"""WCAG AA contrast for body text."""


def contrast_ratio(image: np.ndarray) -> float:
    """Contrast (WCAG) between an element's most common shade (its background) and the shade
    farthest from it (the core of its letters, dark on light or light on dark)."""
    srgb = image.reshape(-1, 3) / 255.0
    linear = np.where(srgb <= 0.03928, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ [0.2126, 0.7152, 0.0722]
    paper = np.median(luminance)
    ink = max(np.percentile(luminance, [0.5, 99.5]), key=lambda value: abs(value - paper))
    return float((max(ink, paper) + 0.05) / (min(ink, paper) + 0.05))


def _common(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both images cropped to their common top-left area: the 3D view's height
    follows the caption's length, so two steps' canvases may differ by a few lines."""
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    return a[:h, :w].astype(np.int16), b[:h, :w].astype(np.int16)


def mean_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two images over their common area, in grey levels (0..255)."""
    a, b = _common(a, b)
    return float(np.abs(a - b).mean())


def changed_share(a: np.ndarray, b: np.ndarray, threshold: int = 24) -> float:
    """Share of pixels (0..1) of the common area whose summed RGB difference exceeds ``threshold``."""
    a, b = _common(a, b)
    return float((np.abs(a - b).sum(axis=2) > threshold).mean())


def save_artifact(name: str, image: np.ndarray) -> None:
    """Keep a screenshot under test-artifacts/ for a person to look at."""
    folder = REPO / "test-artifacts"
    folder.mkdir(exist_ok=True)
    Image.fromarray(image).save(folder / name)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def external_url() -> str | None:
    """A running app to test instead of starting one (``VIZ_APP_URL``), e.g. behind nginx."""
    return os.environ.get("VIZ_APP_URL")
