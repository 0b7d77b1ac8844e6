"""The anatomy cache in ``assets/meshes``: write, check and read it.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior), as in :mod:`viz.models.anatomy`.

Files: ``anatomy-web.npz`` and ``anatomy-high.npz`` (one ``.npy`` entry per
array plus a JSON ``meta`` entry, written with fixed zip timestamps so the
same anatomy always gives the same bytes) and ``manifest.json`` (sizes,
SHA-256 of each file, and the code version: a hash of the model sources and
the shipped reference meshes). :func:`regenerate` rewrites them;
:func:`load_anatomy` reads them and rebuilds when a file is missing or was
built by other code.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np

from viz.models.anatomy import STATES, Anatomy, Bite, Part, build_anatomy
from viz.models.levels import Level

CACHE_DIR = Path(__file__).resolve().parents[2] / "assets" / "meshes"
"""Where the committed caches live."""

LODS = ("web", "high")
"""Levels of detail kept in the cache."""

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_LEVEL_ARRAYS = ("disc_centre_mm", "origin_mm", "frame")
_LEVEL_NUMBERS = ("disc_back_mm", "canal_half_width_mm", "canal_half_depth_mm")


def code_version() -> str:
    """SHA-256 over the model sources and the reference meshes (first 16 hex digits)."""
    digest = hashlib.sha256()
    sources = sorted(Path(__file__).parent.glob("*.py")) + sorted((CACHE_DIR / "reference").glob("*"))
    for path in sources:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def cache_path(lod: str) -> Path:
    """Path of the cache file for ``lod``."""
    return CACHE_DIR / f"anatomy-{lod}.npz"


def anatomy_to_bytes(anatomy: Anatomy) -> bytes:
    """Serialise ``anatomy`` to a deterministic ``.npz`` (zip) byte string."""
    arrays, parts = {}, []
    for index, part in enumerate(anatomy.parts.values()):
        arrays[f"p{index}_faces"] = part.faces.astype(np.int32)
        keys = {}
        for state in STATES:
            same = next((s for s in keys if np.array_equal(part.positions_mm[s], part.positions_mm[state])), None)
            if same is None:
                arrays[f"p{index}_{state}"] = part.positions_mm[state].astype(np.float32)
                keys[state] = f"p{index}_{state}"
            else:
                keys[state] = keys[same]
        parts.append({"name": part.name, "group": part.group, "positions": keys,
                      "bites": [vars(b) | {"centre_mm": list(b.centre_mm)} for b in part.bites]})
    levels = {name: {"name": lv.name, "upper": lv.upper, "lower": lv.lower,
                     **{k: np.asarray(getattr(lv, k)).tolist() for k in _LEVEL_ARRAYS},
                     **{k: float(getattr(lv, k)) for k in _LEVEL_NUMBERS}}
              for name, lv in anatomy.levels.items()}
    meta = json.dumps({"lod": anatomy.lod, "parts": parts, "levels": levels}, sort_keys=True)
    arrays["meta"] = np.frombuffer(meta.encode(), np.uint8)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key in sorted(arrays):
            info = zipfile.ZipInfo(f"{key}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            entry = io.BytesIO()
            np.lib.format.write_array(entry, np.ascontiguousarray(arrays[key]), allow_pickle=False)
            archive.writestr(info, entry.getvalue(), compresslevel=9)
    return buffer.getvalue()


def anatomy_from_file(path: Path) -> Anatomy:
    """Read an anatomy written by :func:`anatomy_to_bytes`."""
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(bytes(data["meta"]).decode())
        parts = {}
        for index, entry in enumerate(meta["parts"]):
            positions = {state: data[key] for state, key in entry["positions"].items()}
            bites = tuple(Bite(**(b | {"centre_mm": tuple(b["centre_mm"])})) for b in entry["bites"])
            parts[entry["name"]] = Part(entry["name"], entry["group"], data[f"p{index}_faces"], positions, bites)
    levels = {name: Level(**{k: (np.array(v) if k in _LEVEL_ARRAYS else v) for k, v in lv.items()})
              for name, lv in meta["levels"].items()}
    return Anatomy(parts=parts, lod=meta["lod"], levels=levels)


def _manifest_path() -> Path:
    return CACHE_DIR / "manifest.json"


def _read_manifest() -> dict:
    try:
        return json.loads(_manifest_path().read_text())
    except (OSError, ValueError):
        return {}


def is_current(lod: str) -> bool:
    """True if the cache file of ``lod`` exists and matches the manifest and the code."""
    manifest = _read_manifest()
    entry = manifest.get("files", {}).get(cache_path(lod).name)
    path = cache_path(lod)
    if manifest.get("code_version") != code_version() or entry is None or not path.exists():
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]


def regenerate(lods: tuple[str, ...] = LODS) -> list[str]:
    """Rebuild the caches of ``lods`` and the manifest; return one line per file written."""
    manifest = _read_manifest()
    version = code_version()
    files = manifest.get("files", {}) if manifest.get("code_version") == version else {}
    lines = []
    for lod in lods:
        anatomy = build_anatomy(lod)
        blob = anatomy_to_bytes(anatomy)
        cache_path(lod).write_bytes(blob)
        files[cache_path(lod).name] = {"lod": lod, "bytes": len(blob),
                                       "sha256": hashlib.sha256(blob).hexdigest(),
                                       "triangles": anatomy.triangle_count(), "parts": len(anatomy.parts)}
        lines.append(f"{cache_path(lod)}: {len(blob)} bytes, {anatomy.triangle_count()} triangles")
    manifest = {"units": "mm", "frame": "LPS", "code_version": version,
                "regenerate": "python -c 'from viz.models.cache import regenerate; regenerate()'",
                "files": dict(sorted(files.items()))}
    _manifest_path().write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    load_anatomy.cache_clear()
    return lines


@functools.lru_cache(maxsize=2)
def load_anatomy(lod: str = "web") -> Anatomy:
    """The anatomy at ``lod`` from the cache, rebuilt (and re-cached) if missing or stale.

    Parameters
    ----------
    lod : {"web", "high"}, default: "web"
    """
    if lod not in LODS:
        raise ValueError(f"unknown level of detail {lod!r}")
    if is_current(lod):
        return anatomy_from_file(cache_path(lod))
    try:
        regenerate((lod,))
    except OSError:
        return build_anatomy(lod)
    return anatomy_from_file(cache_path(lod))
