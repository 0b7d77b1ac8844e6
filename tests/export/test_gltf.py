"""The animated glTF: structurally valid (own accessor checks) and animating the story."""

from __future__ import annotations

import numpy as np
import pygltflib
import pytest

from viz.export.gltf import MORPH_STATES, write_gltf
from viz.scenes.timeline import read_array
from viz.scenes.bundle import load_bundle

_COMPONENTS = {pygltflib.FLOAT: np.float32, pygltflib.UNSIGNED_INT: np.uint32,
               pygltflib.UNSIGNED_SHORT: np.uint16}
_WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}


@pytest.fixture(scope="module")
def glb(tmp_path_factory):
    path = write_gltf(tmp_path_factory.mktemp("gltf") / "story.glb")
    return path, pygltflib.GLTF2.load(str(path))


def read_accessor(gltf: pygltflib.GLTF2, index: int) -> np.ndarray:
    accessor = gltf.accessors[index]
    view = gltf.bufferViews[accessor.bufferView]
    dtype = _COMPONENTS[accessor.componentType]
    width = _WIDTH[accessor.type]
    start = (view.byteOffset or 0) + (accessor.byteOffset or 0)
    size = accessor.count * width * np.dtype(dtype).itemsize
    assert start % np.dtype(dtype).itemsize == 0, "accessor not aligned to its component size"
    assert (accessor.byteOffset or 0) + size <= view.byteLength, "accessor runs past its buffer view"
    blob = gltf.binary_blob()
    assert (view.byteOffset or 0) + view.byteLength <= len(blob), "buffer view runs past the buffer"
    values = np.frombuffer(blob, dtype=dtype, count=accessor.count * width, offset=start)
    return values.reshape(accessor.count, width) if width > 1 else values


def _target_position(target) -> int:
    """A morph target's POSITION accessor (pygltflib loads targets as plain dicts)."""
    return target["POSITION"] if isinstance(target, dict) else target.POSITION


def test_glb_size_and_roundtrip(glb):
    path, gltf = glb
    assert 0.2e6 < path.stat().st_size <= 15e6
    assert gltf.asset.version == "2.0"
    assert gltf.buffers[0].byteLength == len(gltf.binary_blob())
    again = pygltflib.GLTF2.load_from_bytes(b"".join(gltf.save_to_bytes()))
    assert len(again.accessors) == len(gltf.accessors) and len(again.nodes) == len(gltf.nodes)


def test_every_accessor_is_consistent(glb):
    _, gltf = glb
    for index, accessor in enumerate(gltf.accessors):
        values = read_accessor(gltf, index)
        assert len(values) == accessor.count > 0
        assert np.isfinite(values).all()
        if accessor.min:
            flat = values.reshape(accessor.count, -1)
            assert np.allclose(flat.min(axis=0), accessor.min) and np.allclose(flat.max(axis=0), accessor.max)


def test_meshes_indices_normals_and_morph_targets(glb):
    _, gltf = glb
    for mesh in gltf.meshes:
        (primitive,) = mesh.primitives
        position = gltf.accessors[primitive.attributes.POSITION]
        assert position.min and position.max, "POSITION needs bounds"
        indices = read_accessor(gltf, primitive.indices)
        assert len(indices) % 3 == 0 and indices.max() < position.count
        normals = read_accessor(gltf, primitive.attributes.NORMAL)
        assert np.allclose(np.linalg.norm(normals, axis=1), 1.0, atol=1e-3)
        targets = primitive.targets or []
        assert len(targets) == len(mesh.weights or []) and len(targets) in (0, len(MORPH_STATES))
        for target in targets:
            delta = gltf.accessors[_target_position(target)]
            assert delta.count == position.count and delta.min and delta.max


def test_animation_channels_and_samplers_are_valid(glb):
    _, gltf = glb
    (animation,) = gltf.animations
    paths = {"weights": 0, "scale": 0, "translation": 0, "rotation": 0}
    for channel in animation.channels:
        sampler = animation.samplers[channel.sampler]
        times = read_accessor(gltf, sampler.input)
        assert gltf.accessors[sampler.input].min and gltf.accessors[sampler.input].max
        assert np.all(np.diff(times) > 0) and times[0] >= 0
        output = read_accessor(gltf, sampler.output)
        node = gltf.nodes[channel.target.node]
        if channel.target.path == "weights":
            assert output.size == len(times) * len(gltf.meshes[node.mesh].weights)
        else:
            assert len(output) == len(times)
        if channel.target.path == "rotation":
            assert np.allclose(np.linalg.norm(output, axis=1), 1.0, atol=1e-4)
        assert sampler.interpolation in ("LINEAR", "STEP")
        paths[channel.target.path] += 1
    assert all(count > 0 for count in paths.values()), paths


def test_morph_weights_reach_the_decompressed_shape(glb):
    """Base + weights · targets at the last sample equals the bundle's decompressed positions."""
    _, gltf = glb
    meta, data = load_bundle().meta, load_bundle().data
    entry = next(p for p in meta["parts"] if p["name"] == "dural_sac")
    node_index = next(i for i, n in enumerate(gltf.nodes) if n.name == "dural_sac")
    node = gltf.nodes[node_index]
    (primitive,) = gltf.meshes[node.mesh].primitives
    base = read_accessor(gltf, primitive.attributes.POSITION)
    deltas = [read_accessor(gltf, _target_position(t)) for t in primitive.targets]
    channel = next(c for c in gltf.animations[0].channels
                   if c.target.node == node_index and c.target.path == "weights")
    weights = read_accessor(gltf, gltf.animations[0].samplers[channel.sampler].output).reshape(-1, len(deltas))
    assert np.allclose(weights[0], 0.0) and np.allclose(weights[-1], [0.0, 1.0])
    end = base + sum(w * d for w, d in zip(weights[-1], deltas))
    decompressed = read_array(data, entry["positions"]["decompressed"]).reshape(-1, 3)
    stenosis = read_array(data, entry["positions"]["stenosis"]).reshape(-1, 3)
    assert np.allclose(end, decompressed, atol=1e-3)
    assert not np.allclose(end, stenosis, atol=1e-3)


def test_root_converts_lps_millimetres_to_gltf_metres(glb):
    _, gltf = glb
    root = gltf.nodes[gltf.scenes[gltf.scene].nodes[0]]
    assert root.scale == [0.001] * 3
    rotation = np.array(root.rotation)
    x, y, z, w = rotation
    superior = np.array([2 * (x * z + w * y), 2 * (y * z - w * x), 1 - 2 * (x * x + y * y)])
    assert np.allclose(superior, [0.0, 1.0, 0.0], atol=1e-6), "LPS +z must become glTF +Y (up)"


def test_the_learning_only_note_travels_with_the_model(glb):
    """Viewers show the scene's name; the note is also in the asset's and the scene's extras, in both languages."""
    _, gltf = glb
    meta = load_bundle().meta
    notes = {lang: meta["text"][lang]["ui"]["disclaimer"] for lang in ("en", "es")}
    assert gltf.asset.extras["disclaimer"] == notes
    scene = gltf.scenes[gltf.scene]
    assert scene.extras["disclaimer"] == notes
    assert "For learning only" in scene.name and "your own doctor decides" in scene.name
