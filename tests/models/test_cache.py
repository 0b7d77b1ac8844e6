"""The anatomy caches: serialisation, the committed manifest, and running never writing the repository.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior).
The committed files are compared with a fresh build in ``tests/test_assets.py``;
they are rebuilt only by ``python -m viz build-assets``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest

from viz.models.cache import (CACHE_DIR, REPO_ROOT, anatomy_from_file, anatomy_to_bytes, cache_path, code_version,
                              is_current)

CONSTANTS = Path("viz") / "models" / "constants.py"


def test_serialisation_is_deterministic_and_round_trips(anatomy, tmp_path):
    blob = anatomy_to_bytes(anatomy)
    assert hashlib.sha256(blob).digest() == hashlib.sha256(anatomy_to_bytes(anatomy)).digest()
    path = tmp_path / "anatomy.npz"
    path.write_bytes(blob)
    loaded = anatomy_from_file(path)
    assert list(loaded.parts) == list(anatomy.parts)
    for name, part in anatomy.parts.items():
        other = loaded.parts[name]
        assert other.group == part.group and other.bites == part.bites
        assert np.array_equal(other.faces, part.faces)
        for state, positions in part.positions_mm.items():
            assert np.array_equal(other.positions_mm[state], positions)
    assert np.allclose(loaded.levels["L4-L5"].frame, anatomy.levels["L4-L5"].frame)


def test_manifest_matches_files_and_code():
    manifest = json.loads((CACHE_DIR / "manifest.json").read_text())
    assert manifest["units"] == "mm" and manifest["frame"] == "LPS"
    assert manifest["code_version"] == code_version()
    for lod in ("web", "high"):
        entry = manifest["files"][cache_path(lod).name]
        blob = cache_path(lod).read_bytes()
        assert entry["bytes"] == len(blob) and entry["sha256"] == hashlib.sha256(blob).hexdigest()
        assert is_current(lod)
        assert len(blob) < 8_000_000
    assert manifest["files"]["anatomy-web.npz"]["triangles"] <= 150_000
    assert manifest["files"]["anatomy-high.npz"]["triangles"] > manifest["files"]["anatomy-web.npz"]["triangles"]


def _git(clone: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=clone, capture_output=True, text=True, check=True).stdout


def _viz(clone: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m viz`` run from ``clone`` (its own code on sys.path before the editable install)."""
    environment = dict(os.environ, PYTHONPATH=str(clone), **(env or {}))
    environment.pop("VIZ_CACHE_DIR", None)
    return subprocess.run([sys.executable, "-m", "viz", *args], cwd=clone, env=environment,
                          capture_output=True, text=True, timeout=240)


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """A clone of this repository's HEAD plus its working-tree changes: edits there stay there."""
    path = tmp_path_factory.mktemp("clone") / "repo"
    subprocess.run(["git", "clone", "--quiet", "--shared", str(REPO_ROOT), str(path)], check=True)
    diff = subprocess.run(["git", "diff", "HEAD", "--binary"], cwd=REPO_ROOT, capture_output=True, check=True).stdout
    if diff:
        subprocess.run(["git", "apply", "--whitespace=nowarn"], cwd=path, input=diff, check=True)
    untracked = _git(REPO_ROOT, "ls-files", "--others", "--exclude-standard").split()
    for name in untracked:
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_bytes((REPO_ROOT / name).read_bytes())
    _git(path, "add", "-A")
    _git(path, "-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "--quiet", "--allow-empty",
         "-m", "working tree")
    return path


@contextlib.contextmanager
def _edited(clone: Path, appended: str):
    """The clone's ``viz/models/constants.py`` with ``appended`` at its end, as a person edits it;
    restored afterwards."""
    path = clone / CONSTANTS
    original = path.read_text()
    path.write_text(original + appended)
    try:
        yield
    finally:
        path.write_text(original)


def _metrics_leaving_only_the_edit(clone: Path):
    """``python -m viz metrics --stage stenosis`` in the clone: it succeeds and ``git status``
    shows only the edited file."""
    result = _viz(clone, "metrics", "--stage", "stenosis")
    assert result.returncode == 0, result.stderr
    assert _git(clone, "status", "--porcelain").split() == ["M", CONSTANTS.as_posix()]
    return result


def test_a_comment_only_edit_leaves_the_committed_caches_current(clone):
    with _edited(clone, "# a comment a person added\n"):
        result = _metrics_leaving_only_the_edit(clone)
        assert json.loads(result.stdout)["levels"]["L4-L5"]["dural_sac_csa_mm2"] > 0
        assert not (clone / "build" / "cache").exists(), "a comment must not make the caches stale"


def test_a_code_edit_builds_into_the_ignored_runtime_cache_not_the_repository(clone):
    with _edited(clone, "EDITED_BY_A_PERSON = 1\n"):
        result = _metrics_leaving_only_the_edit(clone)
        cached = sorted(p.name for p in (clone / "build" / "cache").iterdir())
        assert len(cached) == 1 and cached[0].startswith("anatomy-web-") and cached[0].endswith(".npz")
        again = _viz(clone, "metrics", "--stage", "stenosis")
        assert again.returncode == 0 and json.loads(again.stdout) == json.loads(result.stdout)


def test_two_processes_building_at_once_leave_one_whole_file(tmp_path):
    """Both build the (stale) web anatomy into one runtime cache at the same moment."""
    script = ("import hashlib, viz.models.cache as c; c.is_current = lambda lod: False; "
              "c.load_anatomy('web'); p = c._runtime_path('web'); "
              "print(hashlib.sha256(p.read_bytes()).hexdigest())")
    env = dict(os.environ, VIZ_CACHE_DIR=str(tmp_path))
    runs = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True)
            for _ in range(2)]
    digests = [run.communicate(timeout=240)[0].strip() for run in runs]
    assert all(run.returncode == 0 for run in runs)
    files = sorted(tmp_path.iterdir())
    assert [f.suffix for f in files] == [".npz"], f"only one whole file, no temporary left: {files}"
    with zipfile.ZipFile(files[0]) as archive:
        assert archive.testzip() is None
    assert anatomy_from_file(files[0]).parts
    assert digests[0] == digests[1] == hashlib.sha256(files[0].read_bytes()).hexdigest()
