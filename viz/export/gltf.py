"""The story as an animated binary glTF 2.0 (``.glb``): ``python -m viz gltf``.

Plays in standard glTF viewers and inserts as a 3D model in slide software.
Built from the scene bundle (:func:`viz.scenes.bundle.load_bundle`) and posed
along the timeline by the player's Python twin
(:func:`viz.scenes.timeline.frame_at`), sampled :data:`SAMPLE_FPS` times a second:

- anatomy parts are meshes; parts whose shape changes carry two morph targets
  (``stenosis − healthy``, ``decompressed − healthy``) whose weights are animated;
- each piece of tissue MILD removes (a "bite") is its own node, scaled to 0
  (STEP) when it is removed;
- instruments are nodes with animated translation and rotation; instruments and
  body pieces are scaled to 0 while hidden;
- materials carry the palette colours; translucent parts use alpha blending;
- the learning-only note ("your own doctor decides") travels in every language in
  ``asset.extras.disclaimer`` and the scene's extras, and in English in the scene's name
  (the field most viewers show).

Frame and units: vertex data stays in millimetres, LPS+ (+x patient's left,
+y posterior, +z superior). glTF is metres with +Y up and the front facing +Z
(spec §3.4), so one root node converts at the boundary: scale 0.001 and a −90°
rotation about x (LPS +z → glTF +Y, LPS −y (anterior) → glTF +Z, +x stays +x).

References
----------
Khronos Group. glTF 2.0 specification, §3.4 (coordinate system and units),
§3.7.2.2 (morph targets), §3.11 (animations).
https://registry.khronos.org/glTF/specs/2.0/glTF-2.0.html
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pygltflib
import trimesh

from viz.export.gltf_buffers import ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER, GltfBuilder
from viz.scenes.timeline import Frame, read_array
from viz.export.paths import atomic_file, output_file

SAMPLE_FPS = 10
"""Animation samples per second of story time."""

LPS_MM_TO_GLTF_ROTATION = (-np.sqrt(0.5), 0.0, 0.0, np.sqrt(0.5))
"""Quaternion (x, y, z, w): −90° about x, LPS +z → glTF +Y."""

MORPH_STATES = ("stenosis", "decompressed")
"""States given as morph targets relative to ``healthy`` (weights in this order)."""


def _positions(data: bytes, entry: dict) -> dict[str, np.ndarray]:
    return {state: read_array(data, ref).reshape(-1, 3).astype(np.float32)
            for state, ref in entry["positions"].items()}


def _primitive(builder: GltfBuilder, positions: dict[str, np.ndarray], faces: np.ndarray,
               base: str, material: int) -> pygltflib.Primitive:
    """Pack one triangle set; morph targets for the states that move any vertex."""
    vertices = positions[base]
    normals = _unit_normals(vertices, faces)
    attributes = pygltflib.Attributes(POSITION=builder.accessor(vertices, ARRAY_BUFFER, bounds=True),
                                      NORMAL=builder.accessor(normals, ARRAY_BUFFER))
    targets = []
    if any(not np.array_equal(positions[s], vertices) for s in MORPH_STATES if s in positions):
        for state in MORPH_STATES:
            delta = (positions.get(state, vertices) - vertices).astype(np.float32)
            targets.append(pygltflib.Attributes(POSITION=builder.accessor(delta, ARRAY_BUFFER, bounds=True)))
    indices = builder.accessor(faces.astype(np.uint32).ravel(), ELEMENT_ARRAY_BUFFER, bounds=True)
    return pygltflib.Primitive(attributes=attributes, indices=indices, material=material,
                               targets=targets or None)


def _unit_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Area-weighted vertex normals; vertices touched only by zero-area triangles
    point away from the shell's centre (glTF requires unit NORMAL vectors)."""
    normals = trimesh.Trimesh(vertices, faces, process=False).vertex_normals.astype(np.float64)
    flat = np.linalg.norm(normals, axis=1) < 0.5
    if flat.any():
        outward = vertices[flat] - vertices.mean(axis=0)
        normals[flat] = outward / np.maximum(np.linalg.norm(outward, axis=1, keepdims=True), 1e-12)
    return normals.astype(np.float32)


def _add_mesh(builder: GltfBuilder, name: str, primitive: pygltflib.Primitive) -> int:
    weights = [0.0] * len(primitive.targets) if primitive.targets else None
    builder.gltf.meshes.append(pygltflib.Mesh(name=name, primitives=[primitive], weights=weights))
    return len(builder.gltf.meshes) - 1


def _split_bites(faces: np.ndarray, bites: list[dict], count: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Return the faces outside every bite and, per bite, the faces of its shell."""
    owner = np.full(count, -1)
    for index, bite in enumerate(bites):
        owner[bite["start"]:bite["stop"]] = index
    face_owner = owner[faces[:, 0]]
    return faces[face_owner == -1], [faces[face_owner == i] for i in range(len(bites))]


def _compact(positions: dict[str, np.ndarray], faces: np.ndarray) -> tuple[dict[str, np.ndarray], np.ndarray]:
    used, remapped = np.unique(faces, return_inverse=True)
    return {s: p[used] for s, p in positions.items()}, remapped.reshape(-1, 3)


def _morph_weights(frame: Frame) -> list[float]:
    state_a, state_b, u = frame.morph
    return [(1.0 - u) * (state_a == s) + u * (state_b == s) for s in MORPH_STATES]


class _Story:
    """Timeline samples and the channels animated along them."""

    def __init__(self, meta: dict) -> None:
        from viz.scenes.timeline import frame_at, story_duration_s

        self.times_s = np.arange(0.0, story_duration_s(meta) + 1e-9, 1.0 / SAMPLE_FPS).astype(np.float32)
        self.frames = [frame_at(meta, float(t)) for t in self.times_s]
        self.samplers: list[pygltflib.AnimationSampler] = []
        self.channels: list[pygltflib.AnimationChannel] = []
        self._accessors: dict[tuple, int] = {}
        """Accessor of each distinct time or value array: samplers share them."""

    def channel(self, builder: GltfBuilder, node: int, path: str, times_s: np.ndarray,
                values: np.ndarray, interpolation: str) -> None:
        """Animate ``path`` of ``node``: one sampler over ``times_s`` and one channel."""
        times_s, values = times_s.astype(np.float32), np.asarray(values, dtype=np.float32)
        time_key, value_key = (times_s.shape, times_s.tobytes()), (values.shape, values.tobytes())
        if time_key not in self._accessors:
            self._accessors[time_key] = builder.accessor(times_s, bounds=True)
        if value_key not in self._accessors:
            self._accessors[value_key] = builder.accessor(values)
        self.samplers.append(pygltflib.AnimationSampler(
            input=self._accessors[time_key], output=self._accessors[value_key], interpolation=interpolation))
        self.channels.append(pygltflib.AnimationChannel(
            sampler=len(self.samplers) - 1, target=pygltflib.AnimationChannelTarget(node=node, path=path)))

    def visibility(self, builder: GltfBuilder, node: int, shown: list[bool]) -> None:
        """Scale the node to 0 (STEP) while it is hidden; nothing if always shown."""
        if all(shown):
            return
        changes = [0] + [i for i in range(1, len(shown)) if shown[i] != shown[i - 1]]
        scale = np.array([[1.0] * 3 if shown[i] else [0.0] * 3 for i in changes])
        self.channel(builder, node, "scale", self.times_s[changes], scale, pygltflib.ANIM_STEP)


def _add_part(builder: GltfBuilder, story: _Story, data: bytes, entry: dict) -> list[int]:
    positions = _positions(data, entry)
    faces = read_array(data, entry["faces"]).reshape(-1, 3).astype(np.int64)
    material = builder.material(entry["name"], entry["color"], float(entry.get("opacity", 1.0)))
    kept, shells = _split_bites(faces, entry.get("bites", []), len(positions["healthy"]))
    weights = np.array([_morph_weights(f) for f in story.frames])
    shown = [f.opacity[entry["name"]] > 0.0 for f in story.frames]
    nodes = []
    for index, shell_faces in [(None, kept)] + list(enumerate(shells)):
        if not len(shell_faces):
            continue
        local, local_faces = _compact(positions, shell_faces)
        name = entry["name"] if index is None else f"{entry['name']}_bite_{index}"
        centre = np.zeros(3, np.float32) if index is None else np.asarray(entry["bites"][index]["centre_mm"], np.float32)
        local = {s: p - centre for s, p in local.items()}
        primitive = _primitive(builder, local, local_faces, "healthy", material)
        node = builder.node(name=name, mesh=_add_mesh(builder, name, primitive),
                            translation=[float(c) for c in centre])
        if primitive.targets:
            story.channel(builder, node, "weights", story.times_s, weights.ravel(), pygltflib.ANIM_LINEAR)
        if index is None:
            story.visibility(builder, node, shown)
        else:
            bite_t = entry["bites"][index]["t"]
            story.visibility(builder, node, [s and f.removal_progress < bite_t for s, f in zip(shown, story.frames)])
        nodes.append(node)
    return nodes


def _add_instrument(builder: GltfBuilder, story: _Story, data: bytes, entry: dict) -> int:
    positions = _positions(data, entry)
    faces = read_array(data, entry["faces"]).reshape(-1, 3).astype(np.int64)
    material = builder.material(entry["name"], entry["color"], float(entry.get("opacity", 1.0)))
    primitive = _primitive(builder, positions, faces, "rest", material)
    node = builder.node(name=entry["name"], mesh=_add_mesh(builder, entry["name"], primitive))
    states = [f.instruments[entry["name"]] for f in story.frames]
    if entry["group"] != "body":
        translation = np.array([state.pose[:3, 3] for state in states])
        rotation = _quaternions(np.array([state.pose[:3, :3] for state in states]))
        story.channel(builder, node, "translation", story.times_s, translation, pygltflib.ANIM_LINEAR)
        story.channel(builder, node, "rotation", story.times_s, rotation, pygltflib.ANIM_LINEAR)
    shown = [state.visible for state in states]
    story.visibility(builder, node, shown)
    return node


def _quaternions(rotations: np.ndarray) -> np.ndarray:
    """(n, 3, 3) rotation matrices → (n, 4) unit quaternions (x, y, z, w), sign-continuous."""
    quaternions = np.array([trimesh.transformations.quaternion_from_matrix(
        np.vstack([np.hstack([r, [[0], [0], [0]]]), [0, 0, 0, 1]])) for r in rotations])
    xyzw = quaternions[:, [1, 2, 3, 0]]
    for i in range(1, len(xyzw)):
        if np.dot(xyzw[i], xyzw[i - 1]) < 0:
            xyzw[i] = -xyzw[i]
    return xyzw


def learning_notes(meta: dict) -> dict[str, str]:
    """The "for learning only — your own doctor decides" note in every language of the bundle."""
    return {lang: text["ui"]["disclaimer"] for lang, text in meta.get("text", {}).items()}


def build_glb(meta: dict, data: bytes) -> bytes:
    """Return the animated story as binary glTF bytes.

    Parameters
    ----------
    meta, data : dict, bytes
        The scene bundle.
    """
    builder = GltfBuilder()
    story = _Story(meta)
    children = []
    for entry in meta["parts"]:
        children += _add_part(builder, story, data, entry)
    for entry in meta["instruments"]:
        children.append(_add_instrument(builder, story, data, entry))
    root = builder.node(name="lps_mm_to_gltf_m", children=children, scale=[0.001] * 3,
                        rotation=[float(q) for q in LPS_MM_TO_GLTF_ROTATION])
    notes = learning_notes(meta)
    builder.gltf.scenes = [pygltflib.Scene(name=f"MILD story — {notes.get('en', '')}".rstrip(" —"), nodes=[root],
                                           extras={"disclaimer": notes})]
    builder.gltf.scene = 0
    builder.gltf.animations = [pygltflib.Animation(name="story", samplers=story.samplers,
                                                   channels=story.channels)]
    builder.gltf.asset.extras = {"units": "mm", "frame": "LPS", "disclaimer": notes, "stages": [
        {"id": s["id"], "start_s": s["start_s"], "duration_s": s["duration_s"]} for s in meta["stages"]]}
    return builder.to_glb()


def write_gltf(out: str | os.PathLike, force: bool = False) -> Path:
    """Write the animated story to ``out`` (``.glb``).

    Parameters
    ----------
    out : str or path-like
        Output file ending in ``.glb``.
    force : bool, default: False
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    from viz.scenes.bundle import load_bundle

    path = output_file(out, (".glb",), force)
    bundle = load_bundle()
    glb = build_glb(bundle.meta, bundle.data)
    with atomic_file(path) as temp:
        temp.write_bytes(glb)
    return path
