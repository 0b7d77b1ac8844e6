"""The committed assets in ``assets/meshes`` are what the code builds today.

Geometry is compared with a stated tolerance (``tests/asset_compare.py``) so the test
survives a library release and names the part, the state and the largest deviation;
byte equality is asserted only when the venv holds exactly the locked versions.
Rebuild the assets with ``python -m viz build-assets``.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from tests.asset_compare import compare_anatomies, compare_bundles
from tests.lockfile import venv_matches_lock
from viz.models.anatomy import build_anatomy
from viz.models.cache import LODS, anatomy_from_file, anatomy_to_bytes, cache_path, is_current, load_anatomy
from viz.scenes.bundle import ASSET_DIR, BUNDLE_BIN, BUNDLE_JSON, SceneBundle, bundle_files
from viz.scenes.bundle import is_current as bundle_is_current

UNDER_LOCK = pytest.mark.skipif(not venv_matches_lock(), reason="byte equality holds only under the locked versions")


@pytest.fixture(scope="module")
def fresh():
    """Each level of detail built from scratch, and the bundle built from the fresh web anatomy."""
    anatomies = {lod: build_anatomy(lod) for lod in LODS}
    return anatomies, bundle_files(anatomies["web"])


def _as_bundle(files: dict[str, bytes]) -> SceneBundle:
    meta = json.loads(files[BUNDLE_JSON].decode("utf-8"))
    meta.pop("source_hash", None)
    return SceneBundle(meta, files[BUNDLE_BIN])


@pytest.mark.parametrize("lod", LODS)
def test_committed_anatomy_matches_a_fresh_build_geometrically(fresh, lod):
    problems = compare_anatomies(anatomy_from_file(cache_path(lod)), fresh[0][lod], f"anatomy-{lod}")
    assert not problems, "rebuild with python -m viz build-assets:\n" + "\n".join(problems)


def test_committed_bundle_matches_a_fresh_build(fresh):
    committed = _as_bundle({name: (ASSET_DIR / name).read_bytes() for name in (BUNDLE_BIN, BUNDLE_JSON)})
    problems = compare_bundles(committed, _as_bundle(fresh[1]))
    assert not problems, "rebuild with python -m viz build-assets:\n" + "\n".join(problems[:40])


@UNDER_LOCK
def test_committed_assets_are_byte_equal_to_a_fresh_build_under_the_lock(fresh):
    anatomies, bundle = fresh
    expected = {cache_path(lod).name: anatomy_to_bytes(anatomies[lod]) for lod in LODS} | bundle
    differ = [name for name, content in expected.items()
              if hashlib.sha256((ASSET_DIR / name).read_bytes()).hexdigest() != hashlib.sha256(content).hexdigest()]
    assert not differ, f"not byte-equal to a fresh build under the locked versions: {differ}"


def test_the_code_reads_the_committed_assets_as_current():
    """A fresh clone serves the committed files: nothing is rebuilt at run time."""
    assert all(is_current(lod) for lod in LODS)
    assert bundle_is_current(load_anatomy())
