"""Every CLI subcommand's arguments under a few hundred random and hostile values.

Each run must end with exit status 0 or 2; on 2, exactly one plain line on
stderr (no traceback, no raw control characters); nothing written outside the
temporary working folder. Most runs call :func:`viz.cli.main` in-process (the
same code ``python -m viz`` runs); a handful go through a real process to
check exit codes and stderr end to end.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hardening.values import HOSTILE, random_values
from tests.web.browser import REPO
from viz.cli import main

SLOTS = (
    ("metrics", ["--stage", "{}"]),
    ("captions", ["--lang", "{}"]),
    ("captions", ["--mode", "{}"]),
    ("catalogue", ["--lang", "{}"]),
    ("export", ["--stage", "{}", "--format", "ply", "--out", "meshes"]),
    ("export", ["--stage", "healthy", "--format", "{}", "--out", "meshes"]),
    ("render", ["--stage", "{}", "--out", "still.png"]),
    ("render", ["--stage", "healthy", "--view", "{}", "--out", "still.png"]),
    ("render", ["--stage", "healthy", "--width", "{}", "--out", "still.png"]),
    ("render", ["--stage", "healthy", "--out", "{}"]),
    ("movie", ["--fps", "{}", "--out", "story.mp4"]),
    ("movie", ["--height", "{}", "--out", "story.mp4"]),
    ("movie", ["--out", "{}"]),
    ("html", ["--lang", "{}", "--out", "story.html"]),
    ("html", ["--mode", "{}", "--out", "story.html"]),
    ("html", ["--out", "{}"]),
    ("gltf", ["--out", "{}"]),
    ("qr", ["--url", "{}", "--out", "link.svg"]),
    ("qr", ["--url", "https://example.org/mild", "--out", "{}"]),
    ("import", ["{}", "--out", "scan"]),
    ("import", ["missing.nii.gz", "--out", "scan", "--format", "{}"]),
    ("import", ["missing.nii.gz", "--out", "scan", "--max-mb", "{}"]),
    ("serve", ["--port", "{}"]),
    ("serve", ["--num-procs", "{}", "--port", "0"]),
    ("serve", ["--max-sessions", "{}", "--port", "0"]),
    ("serve", ["--allow-websocket-origin", "{}", "--port", "0"]),
    ("serve", ["--address", "{}", "--port", "0"]),
    ("{}", []),
)
"""(subcommand, arguments) with ``{}`` where the value goes. Serve runs end with
an invalid ``--port 0`` so a value that happens to be valid never starts a server."""


RANDOM_SHARE = 4
"""Each slot gets every hostile value and one in four random values (a different quarter per slot)."""


def cli_values(slot: int) -> list[str]:
    """The fuzz values for one slot that a shell can pass (argv cannot hold NUL)."""
    values = list(HOSTILE) + random_values(200)[slot % RANDOM_SHARE::RANDOM_SHARE]
    return [v.replace("\x00", "") or "?" for v in values]


def tree_snapshot(folder: Path) -> set[Path]:
    return {p for p in folder.rglob("*")}


def outside_listing() -> set[Path]:
    """Entries of the root and /etc: where a climbing (``../../..``) or absolute path would land."""
    return {p for folder in (Path("/"), Path("/etc")) for p in folder.iterdir()}


def check_run(argv: list[str], capsys) -> int:
    status = main(argv)
    out, err = capsys.readouterr()
    assert status in (0, 2), (argv[:3], status)
    assert "Traceback" not in out + err
    if status == 2:
        assert err.endswith("\n") and err.count("\n") == 1 and err.strip(), (argv[:3], err[:200])
        assert all(ch.isprintable() for ch in err.rstrip("\n")), (argv[:3], err[:200])
    return status


def slot_id(slot: int) -> str:
    """``render--view``: the subcommand and the argument that gets the values."""
    command, arguments = SLOTS[slot]
    if not arguments:
        return "subcommand"
    where = arguments.index("{}")
    return f"{command}{arguments[where - 1] if where else '-scan'}"


@pytest.mark.parametrize("slot", range(len(SLOTS)), ids=slot_id)
def test_hostile_values_get_one_plain_line(slot, tmp_path, monkeypatch, capsys):
    command, arguments = SLOTS[slot]
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    outside_before = outside_listing()
    passwd = Path("/etc/passwd").read_bytes()
    statuses = []
    for value in cli_values(slot):
        argv = [value if command == "{}" else command] + [a.replace("{}", value) if a == "{}" else a for a in arguments]
        statuses.append(check_run(argv, capsys))
    assert statuses.count(2) >= len(statuses) * 0.9, "hostile values are mostly refused"
    assert outside_listing() == outside_before
    assert Path("/etc/passwd").read_bytes() == passwd
    for written in tree_snapshot(tmp_path):
        assert written.resolve().is_relative_to(tmp_path.resolve())


@pytest.mark.parametrize("out,status,lands", [
    ("../../etc/passwd", 2, None),
    ("../../etc/passwd.svg", 2, None),
    ("/etc/passwd", 2, None),
    ("../link.svg", 0, "a/link.svg"),
    ("./../b/../../deep.svg", 0, "deep.svg"),
])
def test_output_paths_land_only_where_asked(out, status, lands, tmp_path, monkeypatch, capsys):
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    passwd = Path("/etc/passwd").read_bytes()
    assert check_run(["qr", "--url", "https://example.org/mild", "--out", out, "--force"], capsys) == status
    assert Path("/etc/passwd").read_bytes() == passwd
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert files == ([lands] if lands else [])


def busy_port() -> tuple[socket.socket, int]:
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    return holder, holder.getsockname()[1]


@pytest.mark.parametrize("argv", [
    ["metrics", "--stage", "<script>alert(1)</script>"],
    ["render", "--stage", "healthy", "--width", "9" * 400, "--out", "x.png"],
    ["export", "--stage", "healthy", "--format", "ply", "--out", "~no-such-user-4711/meshes"],
    ["qr", "--url", "https://example.org/" + "A" * 10_000, "--out", "x.png"],
    ["import", "9" * 400, "--out", "scan"],
    ["serve", "--port", "99999999"],
    ["serve", "--address", "\"><script>", "--port", "5006"],
    ["serve", "--allow-websocket-origin", "evil.example:80:80"],
    ["serve", "--port", "{busy}"],
    ["no-such-command"],
], ids=lambda argv: "-".join(a[:12] for a in argv[:2]))
def test_real_process_exits_2_with_one_line(argv, tmp_path):
    holder, port = busy_port()
    try:
        result = subprocess.run([sys.executable, "-m", "viz", *[a.replace("{busy}", str(port)) for a in argv]],
                                cwd=tmp_path, capture_output=True, text=True, timeout=120,
                                env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    finally:
        holder.close()
    assert result.returncode == 2, (result.returncode, result.stderr[-400:])
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr[-400:]
    assert list(tmp_path.iterdir()) == []
