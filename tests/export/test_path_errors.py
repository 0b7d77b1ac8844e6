"""Paths the operating system refuses to look at, on every CLI output and input.

An unknown ``~user``, a name longer than the file system's 255 bytes, a path
longer than its 4096, a loop of symbolic links and a denied permission must all
end like any other bad input: exit status 2, one plain sentence on stderr, no
traceback, nothing written. Runs :func:`viz.cli.main` in-process (the code
``python -m viz`` runs); the refusals come before any bundle is loaded, so each
case takes milliseconds.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from viz.cli import main
from viz.errors import UserError
from viz.export.paths import atomic_file, atomic_folder, input_path, output_file, output_folder

COMMANDS = {
    "render": ["render", "--stage", "healthy", "--out", "{path}.png"],
    "movie": ["movie", "--out", "{path}.mp4"],
    "html": ["html", "--out", "{path}.html"],
    "gltf": ["gltf", "--out", "{path}.glb"],
    "qr": ["qr", "--url", "https://example.org/mild", "--out", "{path}.svg"],
    "export": ["export", "--stage", "healthy", "--format", "stl", "--out", "{path}"],
    "import-out": ["import", "{tmp}/scan.nii.gz", "--out", "{path}"],
    "import-scan": ["import", "{path}.nii.gz", "--out", "{tmp}/scan-out"],
    "import-labels": ["import", "{tmp}/scan.nii.gz", "--labels", "{path}.json", "--out", "{tmp}/scan-out"],
}
"""Every CLI argument that names a file or folder, with ``{path}`` where the bad path goes."""

BAD_PATHS = {
    "unknown user": ("~no-such-user-4711/out", "home folder"),
    "name too long": ("{tmp}/" + "n" * 300, "too long"),
    "path too long": ("{tmp}/" + "/".join(["d" * 200] * 25), "too long"),
    "loop of links as folder": ("{tmp}/loop/out", "loop of symbolic links"),
}
"""Bad path (``{tmp}`` is the test folder) and a word the one-line message must contain."""


def _work_folder(tmp_path: Path) -> list[str]:
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    (tmp_path / "scan.nii.gz").write_bytes(b"not read before the paths are checked")
    return sorted(p.name for p in tmp_path.iterdir())


def _argv(command: str, path: str, tmp_path: Path) -> list[str]:
    path = path.format(tmp=tmp_path)
    return [arg.format(tmp=tmp_path, path=path) for arg in COMMANDS[command]]


def _refused(argv: list[str], capsys) -> str:
    status = main(argv)
    err = capsys.readouterr().err
    assert status == 2, err
    assert err.count("\n") == 1 and "Traceback" not in err and err.rstrip().endswith("."), err
    return err


@pytest.mark.parametrize("kind", list(BAD_PATHS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_refused_paths_exit_2_with_one_sentence(command, kind, tmp_path, capsys):
    before = _work_folder(tmp_path)
    path, word = BAD_PATHS[kind]
    assert word in _refused(_argv(command, path, tmp_path), capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize("command", ["render", "qr", "import-scan"])
def test_a_link_looping_onto_itself_is_refused(command, tmp_path, capsys):
    before = _work_folder(tmp_path)
    suffix = {"render": ".png", "qr": ".svg", "import-scan": ".nii.gz"}[command]
    (tmp_path / f"self{suffix}").symlink_to(tmp_path / f"self{suffix}")
    before = sorted(before + [f"self{suffix}"])
    assert "loop of symbolic links" in _refused(_argv(command, "{tmp}/self", tmp_path), capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def _deny(monkeypatch, target: Path) -> None:
    """Make the OS refuse ``stat`` on ``target`` as it does for a folder without search permission.

    The tests run as root, who may look everywhere, so the refusal is simulated.
    """
    real_stat = Path.stat

    def stat(self, *args, **kwargs):
        if self == target or target in self.parents:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", stat)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_denied_permission_is_refused(command, tmp_path, capsys, monkeypatch):
    before = _work_folder(tmp_path)
    _deny(monkeypatch, tmp_path / "locked")
    path = "{tmp}/locked" if command in ("export", "import-out") else "{tmp}/locked/out"
    assert "Permission denied" in _refused(_argv(command, path, tmp_path), capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_unlistable_output_folder_is_refused(tmp_path, monkeypatch):
    (tmp_path / "meshes").mkdir()

    def scandir(path):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))

    monkeypatch.setattr(os, "scandir", scandir)
    with pytest.raises(UserError, match="Permission denied"):
        output_folder(tmp_path / "meshes", force=False)


def test_longest_allowed_name_is_written_through_a_short_temporary_name(tmp_path):
    name = "é" * 125 + ".png"
    assert len(name.encode("utf-8")) == 254
    path = output_file(tmp_path / name, (".png",), force=False)
    with atomic_file(path) as temp:
        assert len(temp.name.encode("utf-8")) < 255
        temp.write_bytes(b"png")
    folder = output_folder(tmp_path / ("m" * 255), force=False)
    with atomic_folder(folder) as temp:
        (temp / "L4.stl").write_text("solid")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, "m" * 255])


def test_input_path_expands_home_and_refuses_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "scan.nii.gz").write_bytes(b"x")
    assert input_path("~/scan.nii.gz", "scan") == tmp_path / "scan.nii.gz"
    with pytest.raises(UserError, match="The scan .* does not exist"):
        input_path("~/missing.nii.gz", "scan")


def test_unreadable_scan_folder_contents_are_refused(tmp_path, monkeypatch, capsys):
    """An OS refusal while reading a scan folder (after the checks passed) is one sentence too."""
    import viz.export.scan_import as scan_import

    (tmp_path / "scan").mkdir()

    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "scan" / "L4.stl"))

    monkeypatch.setattr(scan_import, "read_scan_path", refuse)
    err = _refused(["import", str(tmp_path / "scan"), "--out", str(tmp_path / "out")], capsys)
    assert "cannot be read: Permission denied" in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan"]
