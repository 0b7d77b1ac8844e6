"""Output-path checks and atomic writes shared by every exporter."""

from __future__ import annotations

import os

import pytest

from viz.errors import UserError
from viz.export.paths import atomic_file, atomic_folder, output_file, output_folder


def test_output_file_rejects_unknown_suffix(tmp_path):
    with pytest.raises(UserError, match="must end with .png"):
        output_file(tmp_path / "image.jpg", (".png",), force=False)


def test_output_file_accepts_upper_case_suffix(tmp_path):
    assert output_file(tmp_path / "IMAGE.PNG", (".png",), force=False) == tmp_path / "IMAGE.PNG"


def test_output_file_refuses_existing_file_without_force(tmp_path):
    target = tmp_path / "image.png"
    target.write_bytes(b"old")
    with pytest.raises(UserError, match="already exists"):
        output_file(target, (".png",), force=False)
    assert output_file(target, (".png",), force=True) == target


def test_output_file_refuses_missing_parent_and_file_as_parent(tmp_path):
    with pytest.raises(UserError, match="does not exist"):
        output_file(tmp_path / "missing" / "image.png", (".png",), force=False)
    (tmp_path / "plain").write_text("x")
    with pytest.raises(UserError, match="is not a folder"):
        output_file(tmp_path / "plain" / "image.png", (".png",), force=False)


def test_output_file_refuses_unwritable_folder():
    with pytest.raises(UserError, match="Cannot write"):
        output_file("/proc/image.png", (".png",), force=True)


def test_atomic_file_replaces_only_on_success(tmp_path):
    target = tmp_path / "out.png"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError):
        with atomic_file(target) as temp:
            temp.write_bytes(b"half")
            raise RuntimeError("render failed")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]
    with atomic_file(target) as temp:
        assert temp.suffix == ".png" and temp.parent == tmp_path
        temp.write_bytes(b"new")
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def test_atomic_file_cleans_up_after_keyboard_interrupt(tmp_path):
    with pytest.raises(KeyboardInterrupt):
        with atomic_file(tmp_path / "movie.mp4") as temp:
            temp.write_bytes(b"frames")
            raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_output_folder_and_atomic_folder(tmp_path):
    target = tmp_path / "meshes"
    target.mkdir()
    (target / "old.stl").write_text("old")
    with pytest.raises(UserError, match="not empty"):
        output_folder(target, force=False)
    output_folder(target, force=True)
    with pytest.raises(KeyboardInterrupt):
        with atomic_folder(target) as temp:
            (temp / "half.stl").write_text("half")
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meshes"]
    assert [p.name for p in target.iterdir()] == ["old.stl"]
    with atomic_folder(target) as temp:
        (temp / "new.stl").write_text("new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meshes"]
    assert [p.name for p in target.iterdir()] == ["new.stl"]
    (tmp_path / "file").write_text("x")
    with pytest.raises(UserError, match="is a file"):
        output_folder(tmp_path / "file", force=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
