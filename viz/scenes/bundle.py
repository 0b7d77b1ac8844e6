"""The scene bundle: anatomy, story, instruments, views, images, metrics and texts in one place.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior); times in seconds. The layout is ``docs/CONTRACTS.md`` §3: ``meta``
(a JSON-able dict) points with array refs ``{"offset", "count", "dtype"}`` into
``data`` (little-endian arrays, each 4-byte aligned). The browser player, the
standalone HTML, the glTF and the movie all read this one bundle; nothing
downstream recomputes anatomy. The committed copy is ``assets/meshes/bundle.json`` +
``bundle.bin`` (deterministic bytes, written by ``python -m viz build-assets``);
:func:`load_bundle` reads it, or a runtime-cache copy when its inputs (the anatomy,
this package's code and texts) are newer.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import trimesh

from viz.models.anatomy import STATES
from viz.models.cache import code_fingerprint, runtime_cache_dir, write_atomic
from viz.scenes import xray
from viz.scenes.body import BODY_COLORS, body_group, body_kind, body_light_meshes, body_meshes, hotspot_points
from viz.scenes.cameras import CUT_CAPS, camera_views, view_subjects
from viz.scenes.landmarks import anatomy_landmarks, focus_level
from viz.scenes.instruments import (incision_points_mm, instrument_meshes, instrument_tracks, needle_target,
                                   portal_docks, pose_matrix)
from viz.scenes.lod import light_mesh, pinch_values
from viz.scenes.story import ORIENTATION, STAGES
from viz.scenes.text import LANGUAGES, catalogue, model_figures, part_level, part_side, structure_kind
from viz.scenes.timeline import playback_constants

ASSET_DIR = Path(__file__).resolve().parents[2] / "assets" / "meshes"
BUNDLE_JSON = "bundle.json"
BUNDLE_BIN = "bundle.bin"
LIGHT_TRIANGLE_BUDGET = 11_500
"""Target whole-scene triangles of the light level of detail (slow software WebGL, TRAPS.md);
small shells kept whole bring the result to ≈12k."""
LIGHT_RATIO_MAX = 0.25
METRIC_SAMPLES_PER_STAGE = 6

GROUP_STYLE = {
    "bone": ((0.93, 0.89, 0.80), 1.0), "disc": ((0.60, 0.74, 0.88), 1.0),
    "ligament": ((0.93, 0.77, 0.26), 1.0), "dural_sac": ((0.55, 0.73, 0.95), 0.55),
    "nerve": ((0.98, 0.93, 0.66), 1.0), "fat": ((0.99, 0.92, 0.72), 0.5),
    "instrument": ((0.72, 0.75, 0.79), 1.0), "dye": (tuple(xray.DYE_COLOR), 0.55),
}
"""Colour (RGB 0..1) and base opacity per group."""
PINCH_COLOR = (1.0, 0.45, 0.2)
"""Colour of fully pinched nerve tissue; players blend toward it by ``pinch × glow``."""
GROWTH_STYLE = {
    "ligament": {"full_mm": 3.0, "color": (0.74, 0.55, 0.10)},
    "disc": {"full_mm": 1.5, "color": (0.36, 0.50, 0.86)},
    "bone": {"full_mm": 1.5, "color": (0.84, 0.66, 0.46)},
}
"""Where tissue has grown, players shade it toward ``color`` (RGB 0..1) by how far each vertex
lies from its healthy place, full at ``full_mm``: the thickened ligament (3.6 → 8.8 mm at L4–L5),
the bulging disc and the enlarged facets (ANATOMY.md, "Soft tissues"), so they read in
the back and side views too. The shade follows the shape: it goes with the ligament MILD removes
and stays on the disc and facets, which MILD does not treat."""
BODY_OPACITY = {"table": 1.0, "torso": 1.0, "c_arm": 0.85}


@dataclass(frozen=True)
class SceneBundle:
    """``meta`` (JSON-able dict, ``docs/CONTRACTS.md`` §3) and ``data`` (the bytes it points into)."""

    meta: dict
    data: bytes


class _Blob:
    """Little-endian arrays appended 4-byte aligned; identical arrays share one ref."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.seen: dict[bytes, dict] = {}

    def add(self, array: np.ndarray, dtype: str) -> dict:
        raw = np.ascontiguousarray(array, dtype={"f4": "<f4", "u4": "<u4"}[dtype]).ravel()
        payload = raw.tobytes()
        key = hashlib.sha256(dtype.encode() + payload).digest()
        if key not in self.seen:
            self.seen[key] = {"offset": self.size, "count": int(raw.size), "dtype": dtype}
            self.chunks.append(payload)
            self.size += len(payload)
        return dict(self.seen[key])

    def bytes(self) -> bytes:
        return b"".join(self.chunks)


def _rounded(value, digits: int = 4):
    """Plain JSON data with floats rounded (numpy scalars and tuples converted)."""
    if isinstance(value, dict):
        return {str(k): _rounded(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_rounded(v, digits) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return round(float(value), digits)
    return value


def _light_ratio(anatomy, fixed_triangles: int) -> float:
    total = sum(len(p.faces) for p in anatomy.parts.values())
    return min(LIGHT_RATIO_MAX, max(LIGHT_TRIANGLE_BUDGET - fixed_triangles, 1000) / total)


def _part_entry(part, blob: _Blob, ratio: float) -> dict:
    color, opacity = GROUP_STYLE[part.group]
    faces = np.asarray(part.faces, dtype=np.int64)
    positions = {state: np.asarray(part.positions_mm[state], dtype=np.float32) for state in STATES}
    pinch = None
    if part.group in ("nerve", "dural_sac"):
        pinch = pinch_values(faces, positions["healthy"], positions["stenosis"], inward_only=part.group == "dural_sac")
    ranges = [(b.start, b.stop) for b in part.bites]
    light = light_mesh(faces, positions, ranges, ratio, pinch)
    bites = [{"order": b.order, "side": b.side, "tissue": b.tissue, "start": b.start, "stop": b.stop,
              "t": b.t, "centre_mm": b.centre_mm} for b in part.bites]
    light_bites = [dict(b, start=start, stop=stop) for b, (start, stop) in zip(bites, light.bites)]
    return {
        "name": part.name, "group": part.group, "level": part_level(part.name), "side": part_side(part.name),
        "structure": structure_kind(part.name, part.group), "color": color, "opacity": opacity,
        "faces": blob.add(faces, "u4"),
        "positions": {state: blob.add(p, "f4") for state, p in positions.items()},
        "bites": bites,
        "pinch": None if pinch is None else blob.add(pinch, "f4"),
        "light": {"faces": blob.add(light.faces, "u4"),
                  "positions": {state: blob.add(p, "f4") for state, p in light.positions_mm.items()},
                  "bites": light_bites,
                  "pinch": None if light.pinch is None else blob.add(light.pinch, "f4")},
    }


def _static_entry(name: str, group: str, mesh: trimesh.Trimesh, blob: _Blob,
                  light: trimesh.Trimesh | None = None) -> dict:
    """An instrument, dye or body piece: one rest pose; a light level of detail only for the person."""
    if group in ("body", "equipment"):
        color, opacity = BODY_COLORS[body_kind(name)], BODY_OPACITY.get(name, 1.0)
    else:
        color, opacity = GROUP_STYLE[group]
    return {"name": name, "group": group, "level": None, "side": part_side(name),
            "structure": structure_kind(name, group), "color": color, "opacity": opacity,
            "faces": blob.add(mesh.faces, "u4"), "positions": {"rest": blob.add(mesh.vertices, "f4")},
            "bites": [], "pinch": None,
            "light": None if light is None else {"faces": blob.add(light.faces, "u4"),
                                                 "positions": {"rest": blob.add(light.vertices, "f4")},
                                                 "bites": [], "pinch": None}}


def _stage_entries(anatomy, tracks, extras: dict[str, np.ndarray], canal_mm, level: str) -> list[dict]:
    """Stages as §3 JSON: absolute start times, instrument tracks, hotspots on the parts at ``level``."""
    entries, start_s = [], 0.0
    for stage in STAGES:
        entry = stage.to_json()
        parts = [(h.id, h.part_at(level)) for h in stage.hotspots]
        entry.update(start_s=start_s, instruments=[t.to_json() for t in tracks[stage.id]], hotspots=[
            {"id": spot, "part": part,
             "position_mm": _hotspot_position(anatomy, part, stage.morph[1], extras, canal_mm)}
            for spot, part in parts])
        entries.append(entry)
        start_s += stage.duration_s
    return entries


def _hotspot_position(anatomy, name: str, state: str, extras: dict[str, np.ndarray], canal_mm) -> np.ndarray:
    """Where a hotspot on ``name`` sits: a body piece's or instrument's place, a disc's point
    nearest the canal in its mid-disc plane (its back, where it bulges), a long part's point
    nearest ``canal_mm`` (the canal 1 mm under the middle of the treated level's disc, just
    below the axial cut), else the part's centre; in ``state``, LPS mm."""
    if name in extras:
        return extras[name]
    points = anatomy.parts[name].positions_mm[state]
    if name in anatomy.levels:
        return points[np.argmin(np.linalg.norm(points - anatomy.levels[name].origin_mm, axis=1))]
    if np.ptp(points[:, 2]) > 60.0:
        nearest = np.argmin(np.linalg.norm(points - canal_mm, axis=1) + 2.0 * np.abs(points[:, 2] - canal_mm[2]))
        return points[nearest]
    return points.mean(axis=0)


def _metric_samples(anatomy, compute) -> list[dict]:
    """Metrics at ``METRIC_SAMPLES_PER_STAGE`` times per stage on the interpolated geometry."""
    cache: dict[tuple, dict] = {}
    samples, start_s = [], 0.0
    for stage in STAGES:
        for u in np.linspace(0.0, 1.0, METRIC_SAMPLES_PER_STAGE):
            a, b = stage.morph
            weight = 0.0 if a == b else float(u)
            removal = stage.removal[0] + float(u) * (stage.removal[1] - stage.removal[0])
            key = (a, b, round(weight, 6), round(removal, 6))
            if key not in cache:
                positions = {n: ((1 - weight) * p.positions_mm[a] + weight * p.positions_mm[b]).astype(np.float32)
                             for n, p in anatomy.parts.items()}
                cache[key] = compute(anatomy, positions, removal)
            samples.append({"t_s": start_s + float(u) * stage.duration_s, **cache[key]})
        start_s += stage.duration_s
    return samples


def _xray_images(anatomy, views, meshes, tracks, dye) -> dict[str, str]:
    """AP and contralateral oblique images with the needle and dye, and the oblique with the portal."""
    def posed(name: str, stage_id: str) -> trimesh.Trimesh:
        key = max((k for t in tracks[stage_id] if t.name == name for k in t.keys if k.visible), key=lambda k: k.t_s)
        return meshes[name].copy().apply_transform(pose_matrix(key.position_mm, key.direction))

    needle = {"needle": posed("needle", "fluoroscopy")}
    portal = {"portal": posed("portal", "incision")}
    right_tip, right_axis = portal_docks(anatomy)["right"]
    right = {"portal": meshes["portal"].copy().apply_transform(pose_matrix(right_tip, right_axis))}
    right_view = xray.mirrored_camera(views["oblique"], anatomy_landmarks(anatomy)["canal_mm"][0])
    return {
        "xray_ap": xray.png_data_url(xray.scene_radiograph(anatomy, views["xray"], posed=needle, dye=dye)),
        "xray_oblique": xray.png_data_url(xray.scene_radiograph(anatomy, views["oblique"], posed=needle, dye=dye,
                                                                lamina_line=True)),
        "xray_oblique_portal": xray.png_data_url(xray.scene_radiograph(anatomy, views["oblique"], posed=portal, dye=dye,
                                                                       lamina_line=True)),
        "xray_oblique_portal_right": xray.png_data_url(xray.scene_radiograph(anatomy, right_view, posed=right, dye=dye,
                                                                             lamina_line=True)),
    }


def _text_figures(anatomy, level: str, compute) -> dict[str, float]:
    """The model's figures quoted by the texts: metrics at the end of each anatomy state."""
    metrics = {state: compute(anatomy, {n: p.positions_mm[state] for n, p in anatomy.parts.items()},
                              1.0 if state == "decompressed" else -1.0) for state in STATES}
    return model_figures(metrics, level)


def build_bundle(anatomy, compute_metrics=None) -> SceneBundle:
    """Build the scene bundle from an anatomy (pure and deterministic).

    The story is told at the anatomy's treated level (:func:`viz.scenes.landmarks.focus_level`):
    views, instrument paths, body pieces, hotspots, X-ray images and the words that
    name the level all follow it.

    Parameters
    ----------
    anatomy : viz.models.anatomy.Anatomy
    compute_metrics : callable, optional
        ``(anatomy, positions, removal_progress) -> dict``; default
        :func:`viz.models.metrics.compute_metrics`.
    """
    if compute_metrics is None:
        from viz.models.metrics import compute_metrics
    blob = _Blob()
    level = focus_level(anatomy)
    views = camera_views(anatomy)
    subjects = view_subjects(anatomy)
    marks = anatomy_landmarks(anatomy)
    tracks = instrument_tracks(anatomy, STAGES)
    entries = incision_points_mm(anatomy)
    body = body_meshes(anatomy, entries)
    body_light = body_light_meshes(anatomy)
    meshes = instrument_meshes()
    dye = xray.contrast_dye_mesh(anatomy.parts["dural_sac"].mesh("stenosis"), needle_target(anatomy)[0])
    static = {**{name: ("instrument", m) for name, m in meshes.items()}, "contrast_dye": ("dye", dye),
              **{name: (body_group(name), m) for name, m in body.items()}}
    fixed = sum(len(body_light.get(name, m).faces) for name, (_, m) in static.items())
    ratio = _light_ratio(anatomy, fixed)
    parts = [_part_entry(part, blob, ratio) for part in anatomy.parts.values()]
    instruments = [_static_entry(name, group, mesh, blob, body_light.get(name)) for name, (group, mesh) in static.items()]
    extras = {name: np.asarray(mesh.bounds).mean(axis=0) for name, mesh in body.items()}
    extras.update(hotspot_points(anatomy, entries), portal=portal_docks(anatomy)["left"][0])
    stages = _stage_entries(anatomy, tracks, extras, marks["canal_at_disc_mm"] - marks["disc_axis"], level)
    points = np.concatenate([p.positions_mm["healthy"] for p in anatomy.parts.values()])
    meta = {
        "version": 1, "units": "mm", "frame": "LPS", "states": ["healthy", "stenosis", "decompressed"],
        "bounds_mm": [v for axis in zip(points.min(axis=0), points.max(axis=0)) for v in axis],
        "pinch_color": PINCH_COLOR,
        "growth": GROWTH_STYLE,
        "orientation": ORIENTATION,
        "parts": parts, "instruments": instruments,
        "views": {name: camera.to_json() for name, camera in views.items()},
        "view_subjects": {name: list(subjects[name]) for name in views if name in subjects},
        "playback": playback_constants(),
        "cut_caps": CUT_CAPS,
        "stages": stages,
        "images": _xray_images(anatomy, views, meshes, tracks, dye),
        "metrics": _metric_samples(anatomy, compute_metrics),
        "text": {lang: catalogue(lang, level, _text_figures(anatomy, level, compute_metrics)) for lang in LANGUAGES},
    }
    return SceneBundle(_rounded(meta), blob.bytes())


def _package_digest() -> bytes:
    """Fingerprint of this package's code (comments aside) and texts as loaded by this process."""
    package = Path(__file__).parent
    return code_fingerprint(sorted([*package.glob("*.py"), *package.glob("text/*.json")])).digest()


_PACKAGE_DIGEST = _package_digest()
"""Taken at import, when every module of the package is imported, so a long-running process
never labels a bundle built by old code with the hash of newer files."""


def _source_hash(anatomy) -> str:
    """Fingerprint of everything the bundle is built from: anatomy arrays, this package's code and texts."""
    digest = hashlib.sha256(_PACKAGE_DIGEST)
    for name, part in anatomy.parts.items():
        digest.update(f"{name}|{part.group}|{part.bites!r}".encode())
        digest.update(np.ascontiguousarray(part.faces, dtype="<i4").tobytes())
        for state in sorted(part.positions_mm):
            digest.update(state.encode() + np.ascontiguousarray(part.positions_mm[state], dtype="<f4").tobytes())
    return digest.hexdigest()


def bundle_files(anatomy) -> dict[str, bytes]:
    """The bundle of ``anatomy`` as the bytes of its two files, ``{BUNDLE_BIN: ..., BUNDLE_JSON: ...}``.

    The JSON part carries the ``source_hash`` the bundle was built from; the bytes are
    deterministic for the same anatomy, code, texts and library versions.
    """
    source_hash = _source_hash(anatomy)
    bundle = build_bundle(anatomy)
    meta = dict(bundle.meta, source_hash=source_hash)
    text = json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return {BUNDLE_BIN: bundle.data, BUNDLE_JSON: text.encode("utf-8")}


def _read(json_path: Path, bin_path: Path, source_hash: str) -> SceneBundle | None:
    """The bundle in these two files if they were built from ``source_hash``, else None."""
    try:
        meta = json.loads(json_path.read_text(encoding="utf-8"))
        if meta.pop("source_hash", None) != source_hash:
            return None
        return SceneBundle(meta, bin_path.read_bytes())
    except (OSError, ValueError):
        return None


def _runtime_paths(source_hash: str) -> tuple[Path, Path]:
    stem = runtime_cache_dir() / f"bundle-{source_hash[:16]}"
    return stem.with_suffix(".json"), stem.with_suffix(".bin")


def _build_into_runtime_cache(anatomy, source_hash: str) -> SceneBundle:
    """Build the bundle and keep it in the runtime cache (other versions' files removed)."""
    files = bundle_files(anatomy)
    json_path, bin_path = _runtime_paths(source_hash)
    try:
        write_atomic(bin_path, files[BUNDLE_BIN])
        write_atomic(json_path, files[BUNDLE_JSON])
        for old in json_path.parent.glob("bundle-*.*"):
            if old not in (json_path, bin_path):
                old.unlink(missing_ok=True)
    except OSError:
        pass
    meta = json.loads(files[BUNDLE_JSON].decode("utf-8"))
    meta.pop("source_hash")
    return SceneBundle(meta, files[BUNDLE_BIN])


def is_current(anatomy) -> bool:
    """True if the committed bundle was built from ``anatomy`` and this package's code and texts."""
    return _read(ASSET_DIR / BUNDLE_JSON, ASSET_DIR / BUNDLE_BIN, _source_hash(anatomy)) is not None


@functools.cache
def load_bundle() -> SceneBundle:
    """The scene bundle of the standard anatomy: committed when current, else the runtime cache.

    Never writes into the repository. When the anatomy, this package's code or its
    texts are newer than ``assets/meshes/bundle.{json,bin}``, the bundle is read from
    (or built into) the git-ignored runtime cache (:func:`viz.models.cache.runtime_cache_dir`),
    named by its source hash and written atomically; ``python -m viz build-assets``
    refreshes the committed files.
    """
    from viz.models.cache import load_anatomy

    anatomy = load_anatomy()
    source_hash = _source_hash(anatomy)
    committed = _read(ASSET_DIR / BUNDLE_JSON, ASSET_DIR / BUNDLE_BIN, source_hash)
    if committed is not None:
        return committed
    cached = _read(*_runtime_paths(source_hash), source_hash)
    if cached is not None:
        return cached
    return _build_into_runtime_cache(anatomy, source_hash)
