"""Mesh export: every structure loads back watertight, counts and metrics match the manifest."""

from __future__ import annotations

import json

import numpy as np
import pytest
import trimesh

from viz.export.meshes import export_meshes
from viz.scenes.story import stage_metrics

REQUIRED = ["L1", "L2", "L3", "L4", "L5", "sacrum", "L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-S1",
            "dural_sac", "ligamentum_flavum_L4-L5_left", "ligamentum_flavum_L4-L5_right"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    base = tmp_path_factory.mktemp("meshes")
    return {stage: export_meshes(stage, "ply", base / stage) for stage in ("stenosis", "decompressed")}


def _manifest(folder) -> dict:
    return json.loads((folder / "manifest.json").read_text())


def test_manifest_follows_the_interface(exported):
    manifest = _manifest(exported["decompressed"])
    assert manifest["units"] == "mm" and manifest["frame"] == "LPS" and manifest["stage"] == "decompressed"
    names = [s["name"] for s in manifest["structures"]]
    assert set(REQUIRED) <= set(names)
    assert any(n == "cauda_equina" or n.startswith("nerve_roots_") for n in names)
    assert manifest["metrics"] == json.loads(json.dumps(stage_metrics("decompressed")))
    assert sorted(p.name for p in exported["decompressed"].iterdir()) == sorted(
        [s["file"] for s in manifest["structures"]] + ["manifest.json"])


def test_every_mesh_loads_back_watertight_with_manifest_counts(exported):
    for stage, folder in exported.items():
        for entry in _manifest(folder)["structures"]:
            mesh = trimesh.load(folder / entry["file"], force="mesh", process=False)
            assert (len(mesh.vertices), len(mesh.faces)) == (entry["vertices"], entry["triangles"])
            assert entry["watertight"] and mesh.is_watertight, (stage, entry["name"])
            assert mesh.is_winding_consistent and mesh.volume > 0, (stage, entry["name"])


def test_decompression_removes_ligament_and_keeps_bone_in_place(exported):
    def load(stage, name):
        return trimesh.load(exported[stage] / f"{name}.ply", force="mesh", process=False)

    for side in ("left", "right"):
        name = f"ligamentum_flavum_L4-L5_{side}"
        before, after = load("stenosis", name).volume, load("decompressed", name).volume
        assert after < 0.9 * before, (side, before, after)
    spine_bounds = load("stenosis", "L5").bounds
    assert np.allclose(spine_bounds, load("decompressed", "L5").bounds, atol=1e-6)
    assert 20.0 < spine_bounds[1, 0] - spine_bounds[0, 0] < 120.0, "L5 width in mm"


@pytest.mark.parametrize("fmt", ["stl", "obj", "glb"])
def test_other_formats_load_back(fmt, tmp_path):
    folder = export_meshes("healthy", fmt, tmp_path / fmt)
    manifest = _manifest(folder)
    if fmt == "glb":
        scene = trimesh.load(folder / "scene.glb", force="scene")
        assert set(REQUIRED) <= set(scene.graph.nodes_geometry)
        total = sum(len(g.faces) for g in scene.geometry.values())
        assert total == sum(s["triangles"] for s in manifest["structures"])
        return
    # STL stores loose triangles: trimesh's default merge of coincident vertices rebuilds
    # the shells (parts without removable bites, whose shells touch the main shell).
    names = ("L2", "dural_sac") if fmt == "stl" else ("L2", "dural_sac", "ligamentum_flavum_L4-L5_left")
    for name in names:
        entry = next(s for s in manifest["structures"] if s["name"] == name)
        assert entry["file"] == f"{name}.{fmt}"
        mesh = trimesh.load(folder / entry["file"], force="mesh", process=fmt == "stl")
        assert len(mesh.faces) == entry["triangles"] and mesh.is_watertight, name
