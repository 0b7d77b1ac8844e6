"""The committed anatomy cache equals what the code builds, byte for byte.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior).
Regenerate with ``python -c 'from viz.models.cache import regenerate; regenerate()'``.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np

from viz.models.cache import CACHE_DIR, anatomy_from_file, anatomy_to_bytes, cache_path, code_version, is_current


def test_serialisation_is_deterministic_and_round_trips(anatomy, tmp_path):
    blob = anatomy_to_bytes(anatomy)
    assert blob == anatomy_to_bytes(anatomy)
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


def test_committed_web_cache_equals_a_fresh_build(anatomy):
    assert cache_path("web").read_bytes() == anatomy_to_bytes(anatomy)


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
