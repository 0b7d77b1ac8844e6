"""The bundle as the browser receives it (viz.web.wire): smaller, and the same meshes.

Decoded with meshoptimizer's own decoder (the Python binding of the library whose npm
decoder the player uses), every level of detail of every part must give back the same
triangles (as corner positions, within the stated quantisation error), the same bite
shells and pinch values, while the Python bundle keeps its raw arrays.
"""

from __future__ import annotations

import json

import meshopt
import numpy as np
import pytest
import scipy.spatial

from viz.scenes.bundle import load_bundle
from viz.scenes.timeline import read_array
from viz.web.wire import GRID_MM, PINCH_LEVELS, encode_for_browser

WIRE_BUDGET_BYTES = 700_000
"""Geometry + JSON of one page's bundle (issue 18: the whole first load within 2 MB)."""


@pytest.fixture(scope="module")
def bundles():
    bundle = load_bundle()
    return bundle, encode_for_browser(bundle, "en")


def decoded(wire_data: bytes, mesh: dict) -> tuple[dict[int, np.ndarray], np.ndarray, np.ndarray | None]:
    def chunk(ref):
        return wire_data[ref["offset"]:ref["offset"] + ref["bytes"]]

    rows = meshopt.decode_vertex_buffer(chunk(mesh["vertex_data"]), mesh["vertices"], mesh["stride"])
    faces = meshopt.decode_index_buffer(chunk(mesh["index_data"]), 3 * mesh["triangles"], 4).reshape(-1, 3)
    values = rows[:, :6 * mesh["columns"]].copy().view("<i2").astype(np.int64).reshape(-1, mesh["columns"], 3)
    base = values[:, 0]
    columns = {c: np.asarray(mesh["origin_mm"]) + (base + (values[:, c] if c else 0)) * mesh["step_mm"] for c in range(mesh["columns"])}
    pinch = rows[:, 6 * mesh["columns"]] / PINCH_LEVELS if mesh["pinch"] else None
    return columns, faces, pinch


def features(points: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Per triangle: the centroid in every state (points hold xyz per state side by side) and the
    first state's edge cross product (twice the area along the normal: the winding)."""
    corners = points[faces]                                                  # (m, 3, 3 × states)
    cross = np.cross(corners[:, 1, :3] - corners[:, 0, :3], corners[:, 2, :3] - corners[:, 0, :3])
    return np.hstack([corners.mean(axis=1), cross])


def max_edge(points: np.ndarray, faces: np.ndarray) -> float:
    corners = points[faces][:, :, :3]
    return float(np.linalg.norm(corners - np.roll(corners, 1, axis=1), axis=2).max())


def test_every_mesh_comes_back_within_the_quantisation_error(bundles):
    bundle, wire = bundles
    error_mm = wire.meta["wire"]["max_error_mm"]
    assert error_mm <= 0.05
    for raw_entry, wire_entry in zip(bundle.meta["parts"] + bundle.meta["instruments"], wire.meta["parts"] + wire.meta["instruments"]):
        assert raw_entry["name"] == wire_entry["name"]
        pairs = [(raw_entry, wire_entry["mesh"])] + ([(raw_entry["light"], wire_entry["light"]["mesh"])] if raw_entry.get("light") else [])
        for raw, mesh in pairs:
            columns, faces, pinch = decoded(wire.data, mesh)
            raw_faces = read_array(bundle.data, raw["faces"]).reshape(-1, 3)
            states = list(raw["positions"])
            original = np.hstack([read_array(bundle.data, raw["positions"][s]).reshape(-1, 3) for s in states]).astype(np.float64)
            mine = np.hstack([columns[mesh["positions"][s]] for s in states])
            assert np.abs(np.sort(mine, axis=0) - np.sort(original, axis=0)).max() <= error_mm + 1e-6, raw_entry["name"]
            # the same triangles, winding included: each one's corners' centroid (every state) and
            # its edge cross product, matched both ways within what quantisation can move them
            mine_features, original_features = features(mine, faces), features(original, raw_faces)
            tolerance = 4 * error_mm * (1 + max_edge(original, raw_faces))
            for a, b in ((mine_features, original_features), (original_features, mine_features)):
                distance, _ = scipy.spatial.cKDTree(b).query(a)
                assert distance.max() <= tolerance, (raw_entry["name"], distance.max(), tolerance)
            for bite in raw.get("bites") or []:
                shell = read_array(bundle.data, raw["positions"]["healthy"]).reshape(-1, 3)[bite["start"]:bite["stop"]]
                mine = columns[mesh["positions"]["healthy"]][bite["start"]:bite["stop"]]
                assert np.abs(np.sort(mine, axis=0) - np.sort(shell, axis=0)).max() <= error_mm + 1e-6, (raw_entry["name"], bite["order"])
            if raw.get("pinch"):
                assert np.abs(np.sort(pinch) - np.sort(read_array(bundle.data, raw["pinch"]))).max() <= 0.5 / PINCH_LEVELS + 1e-6


def test_quantisation_grid_and_error(bundles):
    _, wire = bundles
    steps = [entry["mesh"]["step_mm"] for entry in wire.meta["parts"]]
    assert max(steps) == GRID_MM, "anatomy is quantised on the grid"
    assert wire.meta["wire"]["max_error_mm"] >= GRID_MM / 2 * 0.9


def test_the_wire_is_small_and_python_keeps_raw_arrays(bundles):
    bundle, wire = bundles
    size = len(wire.data) + len(json.dumps(wire.meta, separators=(",", ":")).encode())
    raw = len(bundle.data) + len(json.dumps(bundle.meta, separators=(",", ":")).encode())
    assert size <= WIRE_BUDGET_BYTES and size < raw / 3, (size, raw)
    assert "faces" in bundle.meta["parts"][0] and "mesh" not in bundle.meta["parts"][0]
    assert set(wire.meta["text"]) == {"en"}
    assert all(url.startswith("data:image/webp;base64,") for url in wire.meta["images"].values())
