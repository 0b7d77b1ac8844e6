"""The scene bundle (docs/CONTRACTS.md §3): array refs, equal vertex counts, budgets, determinism."""

from __future__ import annotations

import hashlib
import json

import numpy as np

from viz.scenes.bundle import bundle_files
from viz.scenes.cameras import VIEW_NAMES
from viz.scenes.timeline import read_array, story_duration_s

DATA_BUDGET_BYTES = 5_000_000
LIGHT_BUDGET_TRIANGLES = 12_500
FULL_BUDGET_TRIANGLES = 150_000


def _refs(value):
    if isinstance(value, dict):
        if set(value) == {"offset", "count", "dtype"}:
            yield value
        else:
            for item in value.values():
                yield from _refs(item)
    elif isinstance(value, list):
        for item in value:
            yield from _refs(item)


def _entries(meta):
    return meta["parts"] + meta["instruments"]


def test_array_refs_are_aligned_and_in_range(bundle):
    refs = list(_refs(bundle.meta))
    assert len(refs) > 100
    for ref in refs:
        assert ref["dtype"] in ("f4", "u4") and ref["offset"] % 4 == 0 and ref["count"] > 0
        assert ref["offset"] + 4 * ref["count"] <= len(bundle.data)
    covered = np.zeros(len(bundle.data) // 4, dtype=bool)
    for ref in refs:
        covered[ref["offset"] // 4: ref["offset"] // 4 + ref["count"]] = True
    assert covered.all(), "no unused bytes"


def test_every_state_has_the_same_vertices(bundle):
    meta, data = bundle.meta, bundle.data
    for entry in _entries(meta):
        for level in (entry, entry["light"]) if entry["light"] else (entry,):
            counts = {read_array(data, ref).size for ref in level["positions"].values()}
            assert len(counts) == 1 and counts.pop() % 3 == 0, entry["name"]
            vertices = read_array(data, next(iter(level["positions"].values()))).size // 3
            faces = read_array(data, level["faces"])
            assert faces.size % 3 == 0 and faces.max() < vertices, entry["name"]
            for bite in level["bites"]:
                assert 0 <= bite["start"] < bite["stop"] <= vertices
            if level.get("pinch"):
                pinch = read_array(data, level["pinch"])
                assert pinch.size == vertices and 0.0 <= pinch.min() and pinch.max() <= 1.0
    for part in meta["parts"]:
        assert set(part["positions"]) == set(meta["states"])


def test_light_bites_match_the_full_bites(bundle):
    for part in bundle.meta["parts"]:
        full, light = part["bites"], part["light"]["bites"]
        assert [(b["order"], b["t"], b["side"], b["tissue"]) for b in full] == \
            [(b["order"], b["t"], b["side"], b["tissue"]) for b in light]


def test_light_mesh_morphs_like_the_full_mesh(bundle):
    """Light vertices follow the full surface in every state (within 1.5 mm)."""
    import trimesh

    data = bundle.data
    for part in bundle.meta["parts"]:
        if part["name"] not in ("dural_sac", "ligamentum_flavum_L4-L5_left", "L4"):
            continue
        faces = read_array(data, part["faces"]).reshape(-1, 3)
        for state in ("stenosis", "decompressed"):
            full = trimesh.Trimesh(read_array(data, part["positions"][state]).reshape(-1, 3), faces, process=False)
            light = read_array(data, part["light"]["positions"][state]).reshape(-1, 3)
            _, distance_mm, _ = trimesh.proximity.closest_point(full, light[::7])
            assert distance_mm.max() < 1.5, (part["name"], state, distance_mm.max())


def test_light_mesh_of_a_tube_squeezed_flat_in_one_state_stays_finite():
    """A patient's rootlets can be pressed until a ring's vertices meet (zero-area triangles in
    the decimated state): every light position is still a number, on the squeezed tube."""
    import trimesh

    from viz.scenes.lod import light_mesh

    tube = trimesh.creation.cylinder(radius=1.0, height=20.0, sections=12)
    healthy = np.asarray(tube.vertices)
    flat = healthy.copy()
    flat[:, :2] = 0.0                                  # every ring squeezed to a point on the axis
    light = light_mesh(np.asarray(tube.faces), {"healthy": flat, "stenosis": healthy}, [], 0.5)
    for state, positions in light.positions_mm.items():
        assert np.isfinite(positions).all(), state
    assert np.abs(light.positions_mm["healthy"][:, :2]).max() == 0.0
    radius = np.linalg.norm(light.positions_mm["stenosis"][:, :2], axis=1)
    assert radius.max() <= 1.0 + 1e-6


def test_triangle_and_byte_budgets(bundle):
    def triangles(level):
        return read_array(bundle.data, level["faces"]).size // 3

    full = sum(triangles(e) for e in _entries(bundle.meta))
    light = sum(triangles(e["light"] or e) for e in _entries(bundle.meta))
    anatomy_full = sum(triangles(p) for p in bundle.meta["parts"])
    anatomy_light = sum(triangles(p["light"]) for p in bundle.meta["parts"])
    assert full <= FULL_BUDGET_TRIANGLES
    assert light <= LIGHT_BUDGET_TRIANGLES
    assert anatomy_light <= 0.3 * anatomy_full
    assert len(bundle.data) <= DATA_BUDGET_BYTES


def test_meta_follows_the_contract(meta):
    assert (meta["version"], meta["units"], meta["frame"]) == (1, "mm", "LPS")
    assert meta["states"] == ["healthy", "stenosis", "decompressed"]
    assert set(VIEW_NAMES) == set(meta["views"]) and {"back", "side", "axial", "xray", "oblique"} <= set(meta["views"])
    assert meta["views"]["axial"]["clip_plane"] is not None
    assert set(meta["text"]) == {"en", "es"}
    lower = meta["bounds_mm"][0::2]
    upper = meta["bounds_mm"][1::2]
    assert all(a < b for a, b in zip(lower, upper))
    json.dumps(meta, allow_nan=False)


def test_metrics_are_sampled_along_the_whole_story(meta):
    times = [sample["t_s"] for sample in meta["metrics"]]
    assert times == sorted(times) and times[0] == 0.0 and times[-1] == story_duration_s(meta)
    per_stage = len(times) / len(meta["stages"])
    assert 5 <= per_stage <= 10
    removal = next(s for s in meta["stages"] if s["id"] == "removal")
    during = [m["levels"]["L4-L5"] for m in meta["metrics"]
              if removal["start_s"] <= m["t_s"] <= removal["start_s"] + removal["duration_s"]]
    csa = [m["dural_sac_csa_mm2"] for m in during]
    assert csa[-1] > csa[0] and len(set(csa)) > 2, "the metrics update while tissue comes out"


def test_bundle_bytes_are_deterministic(anatomy):
    """Two builds of the same anatomy give the same bytes (comparison of committed files: tests/test_assets.py)."""
    first, second = bundle_files(anatomy), bundle_files(anatomy)
    assert {name: hashlib.sha256(content).hexdigest() for name, content in first.items()} == \
        {name: hashlib.sha256(content).hexdigest() for name, content in second.items()}


def test_every_view_subject_names_a_piece_of_the_bundle(meta):
    """The player frames each view on its subjects; a subject it cannot find stops it (schema check)."""
    names = {entry["name"] for entry in meta["parts"] + meta["instruments"]}
    for view, subjects in meta["view_subjects"].items():
        assert view in meta["views"]
        assert subjects and set(subjects) <= names, f"view {view}: unknown subjects {set(subjects) - names}"
