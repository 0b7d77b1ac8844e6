"""The scene bundle: anatomy, story, instruments, views, images, metrics and texts in one place.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior); times in seconds. The layout is ``docs/CONTRACTS.md`` §3: ``meta``
(a JSON-able dict) points with array refs ``{"offset", "count", "dtype"}`` into
``data`` (little-endian arrays, each 4-byte aligned). The browser player, the
standalone HTML, the glTF and the movie all read this one bundle; nothing
downstream recomputes anatomy. :func:`load_bundle` keeps it in
``assets/meshes/bundle.json`` + ``bundle.bin`` (deterministic bytes) and rebuilds it
when its inputs (the anatomy, this package's code and texts) changed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np
import trimesh

from viz.errors import UserError
from viz.scenes import xray
from viz.scenes.body import BODY_COLORS, body_meshes
from viz.scenes.cameras import CUT_CAPS, camera_views
from viz.scenes.landmarks import anatomy_landmarks, focus_level
from viz.scenes.instruments import (incision_point_mm, instrument_meshes, instrument_tracks, needle_target,
                                   portal_docks, pose_matrix)
from viz.scenes.lod import light_mesh, pinch_values
from viz.scenes.story import STAGES
from viz.scenes.text import LANGUAGES, catalogue, part_level, part_side, structure_kind

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
BODY_OPACITY = {"table": 1.0, "torso": 1.0, "c_arm": 0.6}
UPPER_BACK_MM = 250.0
"""The patient's hotspots (face down, going home) sit this far above the incision, on the back, mm."""


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
    positions = {state: np.asarray(p, dtype=np.float32) for state, p in part.positions_mm.items()}
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


def _static_entry(name: str, group: str, mesh: trimesh.Trimesh, blob: _Blob) -> dict:
    """An instrument, dye or body piece: one rest pose, no light level of detail."""
    if group == "body":
        color, opacity = BODY_COLORS[name], BODY_OPACITY.get(name, 1.0)
    else:
        color, opacity = GROUP_STYLE[group]
    return {"name": name, "group": group, "level": None, "side": None, "structure": name,
            "color": color, "opacity": opacity, "faces": blob.add(mesh.faces, "u4"),
            "positions": {"rest": blob.add(mesh.vertices, "f4")}, "bites": [], "pinch": None, "light": None}


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
    return {
        "xray_ap": xray.png_data_url(xray.scene_radiograph(anatomy, views["xray"], posed=needle, dye=dye)),
        "xray_oblique": xray.png_data_url(xray.scene_radiograph(anatomy, views["oblique"], posed=needle, dye=dye)),
        "xray_oblique_portal": xray.png_data_url(xray.scene_radiograph(anatomy, views["oblique"], posed=portal, dye=dye)),
    }


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
    marks = anatomy_landmarks(anatomy)
    tracks = instrument_tracks(anatomy, STAGES)
    entry = incision_point_mm(anatomy)
    body = body_meshes(anatomy, entry)
    meshes = instrument_meshes()
    dye = xray.contrast_dye_mesh(anatomy.parts["dural_sac"].mesh("stenosis"), needle_target(anatomy)[0])
    static = {**{name: ("instrument", m) for name, m in meshes.items()}, "contrast_dye": ("dye", dye),
              **{name: ("body", m) for name, m in body.items()}}
    fixed = sum(len(m.faces) for _, m in static.values())
    ratio = _light_ratio(anatomy, fixed)
    parts = [_part_entry(part, blob, ratio) for part in anatomy.parts.values()]
    instruments = [_static_entry(name, group, mesh, blob) for name, (group, mesh) in static.items()]
    extras = {name: np.asarray(mesh.bounds).mean(axis=0) for name, mesh in body.items()}
    extras.update(torso=entry + [0.0, 0.0, UPPER_BACK_MM], numbed_area=entry, incision=entry, bandage=entry,
                  portal=portal_docks(anatomy)["left"][0])
    stages = _stage_entries(anatomy, tracks, extras, marks["canal_at_disc_mm"] - marks["disc_axis"], level)
    points = np.concatenate([p.positions_mm["healthy"] for p in anatomy.parts.values()])
    meta = {
        "version": 1, "units": "mm", "frame": "LPS", "states": ["healthy", "stenosis", "decompressed"],
        "bounds_mm": [v for axis in zip(points.min(axis=0), points.max(axis=0)) for v in axis],
        "pinch_color": PINCH_COLOR,
        "parts": parts, "instruments": instruments,
        "views": {name: camera.to_json() for name, camera in views.items()},
        "cut_caps": CUT_CAPS,
        "stages": stages,
        "images": _xray_images(anatomy, views, meshes, tracks, dye),
        "metrics": _metric_samples(anatomy, compute_metrics),
        "text": {lang: catalogue(lang, level) for lang in LANGUAGES},
    }
    return SceneBundle(_rounded(meta), blob.bytes())


def _package_digest() -> bytes:
    """Digest of this package's code and texts as loaded by this process."""
    digest = hashlib.sha256()
    package = Path(__file__).parent
    for path in sorted([*package.glob("*.py"), *package.glob("text/*.json")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.digest()


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


def _serialise(bundle: SceneBundle, source_hash: str) -> tuple[bytes, bytes]:
    meta = dict(bundle.meta, source_hash=source_hash)
    text = json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.encode("utf-8"), bundle.data


def _write(path: Path, content: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(content)
    os.replace(temporary, path)


def _cached(source_hash: str) -> SceneBundle | None:
    json_path, bin_path = ASSET_DIR / BUNDLE_JSON, ASSET_DIR / BUNDLE_BIN
    if not (json_path.exists() and bin_path.exists()):
        return None
    meta = json.loads(json_path.read_text(encoding="utf-8"))
    if meta.pop("source_hash", None) != source_hash:
        return None
    return SceneBundle(meta, bin_path.read_bytes())


@functools.cache
def load_bundle() -> SceneBundle:
    """Return the scene bundle of the standard anatomy, from ``assets/meshes`` when current.

    The cache is rebuilt (and rewritten) when it is missing or its ``source_hash``
    no longer matches the anatomy, code and texts.
    """
    from viz.models.cache import load_anatomy

    anatomy = load_anatomy()
    source_hash = _source_hash(anatomy)
    cached = _cached(source_hash)
    if cached is not None:
        return cached
    bundle = build_bundle(anatomy)
    meta_bytes, data = _serialise(bundle, source_hash)
    ASSET_DIR.mkdir(parents=True, exist_ok=True)
    _write(ASSET_DIR / BUNDLE_BIN, data)
    _write(ASSET_DIR / BUNDLE_JSON, meta_bytes)
    meta = json.loads(meta_bytes.decode("utf-8"))
    meta.pop("source_hash")
    return SceneBundle(meta, data)


def regenerate_assets(check: bool = False) -> Iterator[str]:
    """Regenerate the model caches and the scene bundle; yield one line per file.

    Regenerating also fills the git-ignored runtime cache of the templates narrowed at
    the other levels (:func:`viz.scan.templates.warm_templates`), so a patient's scan
    narrowest elsewhere imports within its budget.

    Parameters
    ----------
    check : bool, default: False
        Only compare the committed files: yield those that differ and raise
        :class:`UserError` if any does.
    """
    from viz.models import cache as model_cache

    stale = []
    if check:
        for lod in model_cache.LODS:
            name = model_cache.cache_path(lod).name
            if model_cache.is_current(lod):
                yield f"current: assets/meshes/{name}"
            else:
                stale.append(name)
                yield f"stale: assets/meshes/{name}"
    else:
        yield from model_cache.regenerate()
    anatomy = model_cache.load_anatomy()
    meta_bytes, data = _serialise(build_bundle(anatomy), _source_hash(anatomy))
    for name, content in ((BUNDLE_BIN, data), (BUNDLE_JSON, meta_bytes)):
        path = ASSET_DIR / name
        if check:
            if not path.exists() or path.read_bytes() != content:
                stale.append(name)
                yield f"stale: assets/meshes/{name}"
            else:
                yield f"current: assets/meshes/{name} ({len(content)} bytes)"
        else:
            ASSET_DIR.mkdir(parents=True, exist_ok=True)
            _write(path, content)
            yield f"wrote assets/meshes/{name} ({len(content)} bytes)"
    if stale:
        raise UserError(f"Generated assets are out of date ({', '.join(stale)}); run python -m viz build-assets.")
    load_bundle.cache_clear()
    if not check:
        from viz.scan.templates import warm_templates

        yield from warm_templates()
