"""Bad input to every export subcommand: exit 2, one plain sentence, nothing left behind.

Every case runs through :func:`viz.cli.main` (the code ``python -m viz`` runs);
a few also run as real subprocesses to check the process exit status and that no
traceback reaches stderr.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from viz.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run_viz(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "viz", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)


CASES = {
    "render unknown stage": ["render", "--stage", "nowhere", "--out", "{tmp}/a.png"],
    "render unknown view": ["render", "--stage", "stenosis", "--view", "upside", "--out", "{tmp}/a.png"],
    "render unknown language": ["render", "--stage", "stenosis", "--lang", "fr", "--out", "{tmp}/a.png"],
    "render unknown mode": ["render", "--stage", "stenosis", "--mode", "doctor", "--out", "{tmp}/a.png"],
    "render wrong suffix": ["render", "--stage", "stenosis", "--out", "{tmp}/a.jpg"],
    "render zero width": ["render", "--stage", "stenosis", "--width", "0", "--out", "{tmp}/a.png"],
    "render negative height": ["render", "--stage", "stenosis", "--height", "-5", "--out", "{tmp}/a.png"],
    "render beyond 8K": ["render", "--stage", "stenosis", "--width", "7681", "--out", "{tmp}/a.png"],
    "render text size": ["render", "--stage", "stenosis", "--width", "big", "--out", "{tmp}/a.png"],
    "render missing folder": ["render", "--stage", "stenosis", "--out", "{tmp}/missing/a.png"],
    "render unwritable folder": ["render", "--stage", "stenosis", "--out", "/proc/a.png"],
    "movie wrong suffix": ["movie", "--out", "{tmp}/story.avi"],
    "movie zero height": ["movie", "--height", "0", "--out", "{tmp}/story.mp4"],
    "movie beyond 8K": ["movie", "--width", "10000", "--out", "{tmp}/story.mp4"],
    "movie zero fps": ["movie", "--fps", "0", "--out", "{tmp}/story.mp4"],
    "movie unknown language": ["movie", "--lang", "xx", "--out", "{tmp}/story.mp4"],
    "movie unwritable folder": ["movie", "--out", "/proc/story.mp4"],
    "gltf wrong suffix": ["gltf", "--out", "{tmp}/story.gltf"],
    "gltf unwritable folder": ["gltf", "--out", "/proc/story.glb"],
    "export unknown format": ["export", "--stage", "stenosis", "--format", "fbx", "--out", "{tmp}/meshes"],
    "export unknown stage": ["export", "--stage", "nowhere", "--format", "stl", "--out", "{tmp}/meshes"],
    "export out is a file": ["export", "--stage", "stenosis", "--format", "stl", "--out", "{tmp}/existing.png"],
    "qr bad scheme": ["qr", "--url", "file:///etc/passwd", "--out", "{tmp}/q.png"],
    "qr wrong suffix": ["qr", "--url", "https://example.org", "--out", "{tmp}/q.jpg"],
    "qr existing file": ["qr", "--url", "https://example.org", "--out", "{tmp}/existing.png"],
}


def _check_refused(status: int, stderr: str, folder: Path, before: list[str]) -> None:
    assert status == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert lines[0].endswith("."), lines[0]
    assert sorted(p.name for p in folder.iterdir()) == before
    assert (folder / "existing.png").read_bytes() == b"keep me"


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_exits_2_with_one_sentence(case, tmp_path, capsys):
    (tmp_path / "existing.png").write_bytes(b"keep me")
    before = sorted(p.name for p in tmp_path.iterdir())
    status = main([arg.format(tmp=tmp_path) for arg in CASES[case]])
    _check_refused(status, capsys.readouterr().err, tmp_path, before)


@pytest.mark.parametrize("case", ["render beyond 8K", "export unknown stage", "movie unwritable folder"])
def test_bad_input_as_a_real_process(case, tmp_path):
    (tmp_path / "existing.png").write_bytes(b"keep me")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = run_viz(*(arg.format(tmp=tmp_path) for arg in CASES[case]))
    _check_refused(result.returncode, result.stderr, tmp_path, before)


def test_qr_writes_and_refuses_to_overwrite_without_force(tmp_path):
    out = tmp_path / "link.svg"
    assert run_viz("qr", "--url", "https://example.org/app?stage=healthy", "--out", str(out)).returncode == 0
    first = out.read_bytes()
    again = run_viz("qr", "--url", "https://example.org/app?stage=removal", "--out", str(out))
    assert again.returncode == 2 and out.read_bytes() == first
    forced = run_viz("qr", "--url", "https://example.org/app?stage=removal", "--out", str(out), "--force")
    assert forced.returncode == 0 and out.read_bytes() != first
