"""The anatomy caches: the committed one in ``assets/meshes`` and a git-ignored runtime one.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y posterior,
+z superior), as in :mod:`viz.models.anatomy`.

Committed files (written only by ``python -m viz build-assets``, :mod:`viz.assets`):
``anatomy-web.npz`` and ``anatomy-high.npz`` (one ``.npy`` entry per array plus a
JSON ``meta`` entry, written with fixed zip timestamps so the same anatomy always
gives the same bytes) and ``manifest.json`` (sizes, SHA-256 of each file, and the
code version: a fingerprint of the model code and the shipped reference meshes).

Running never writes into the repository. :func:`load_anatomy` reads the committed
file when it is current; when the code is newer it reads, or builds and writes, a
copy in the runtime cache (``build/cache/`` at the repository root, git-ignored;
``VIZ_CACHE_DIR`` overrides it). Runtime files are named by the code version and
written atomically (a temporary file in the same folder, then a rename), so two
processes building at once each leave a whole file and neither can read half of one.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import threading
import tokenize
import zipfile
from pathlib import Path
from typing import Iterable

import numpy as np

from viz.models.anatomy import STATES, Anatomy, Bite, Part, build_anatomy
from viz.models.levels import Level

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = REPO_ROOT / "assets" / "meshes"
"""Where the committed caches live."""

RUNTIME_CACHE_DIR = REPO_ROOT / "build" / "cache"
"""Default runtime cache (``/build/`` is git-ignored); ``VIZ_CACHE_DIR`` overrides it."""

BUILD_COMMAND = "python -m viz build-assets"
"""The one command that writes the committed assets."""

LODS = ("web", "high")
"""Levels of detail kept in the cache."""

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_LEVEL_ARRAYS = ("disc_centre_mm", "origin_mm", "frame")
_LEVEL_NUMBERS = ("disc_back_mm", "canal_half_width_mm", "canal_half_depth_mm")
_UNREADABLE = (OSError, ValueError, KeyError, zipfile.BadZipFile)
"""What reading a missing, partial or foreign cache file raises."""


def code_fingerprint(paths: Iterable[Path]) -> hashlib._Hash:
    """SHA-256 over the files' names and contents, Python sources without their comments.

    A comment-only edit leaves the fingerprint (and so every cache) as it was; any
    change to code, a docstring or a data file changes it.
    """
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.name.encode())
        if path.suffix == ".py":
            with path.open("rb") as source:
                for token in tokenize.tokenize(source.readline):
                    if token.type not in (tokenize.COMMENT, tokenize.NL):
                        digest.update(f"{token.type}:{token.string}\n".encode())
        else:
            digest.update(path.read_bytes())
    return digest


def code_version() -> str:
    """Fingerprint of the model code and the reference meshes (first 16 hex digits)."""
    sources = sorted(Path(__file__).parent.glob("*.py")) + sorted((CACHE_DIR / "reference").glob("*"))
    return code_fingerprint(sources).hexdigest()[:16]


def runtime_cache_dir() -> Path:
    """The git-ignored runtime cache folder: ``VIZ_CACHE_DIR`` or :data:`RUNTIME_CACHE_DIR`."""
    return Path(os.environ.get("VIZ_CACHE_DIR") or RUNTIME_CACHE_DIR)


def write_atomic(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file in the same folder and a rename.

    Readers see the old file or the whole new one, never a part; concurrent writers
    each rename a whole file of their own. Raises :class:`OSError` (nothing left behind).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        temporary.write_bytes(content)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


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
    """True if the committed cache of ``lod`` exists and matches the manifest and the code."""
    manifest = _read_manifest()
    entry = manifest.get("files", {}).get(cache_path(lod).name)
    path = cache_path(lod)
    if manifest.get("code_version") != code_version() or entry is None or not path.exists():
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]


def write_committed(lods: tuple[str, ...] = LODS) -> list[str]:
    """Build ``lods`` and write them and the manifest into ``assets/meshes``; one line per file.

    Called only by :func:`viz.assets.build_assets` (``python -m viz build-assets``).
    """
    manifest = _read_manifest()
    version = code_version()
    files = manifest.get("files", {}) if manifest.get("code_version") == version else {}
    lines = []
    for lod in lods:
        anatomy = build_anatomy(lod)
        blob = anatomy_to_bytes(anatomy)
        write_atomic(cache_path(lod), blob)
        files[cache_path(lod).name] = {"lod": lod, "bytes": len(blob),
                                       "sha256": hashlib.sha256(blob).hexdigest(),
                                       "triangles": anatomy.triangle_count(), "parts": len(anatomy.parts)}
        lines.append(f"wrote {cache_path(lod).relative_to(REPO_ROOT)}: {len(blob)} bytes, "
                     f"{anatomy.triangle_count()} triangles")
    manifest = {"units": "mm", "frame": "LPS", "code_version": version, "regenerate": BUILD_COMMAND,
                "files": dict(sorted(files.items()))}
    write_atomic(_manifest_path(), (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode())
    load_anatomy.cache_clear()
    return lines


def _runtime_path(lod: str) -> Path:
    return runtime_cache_dir() / f"anatomy-{lod}-{code_version()}.npz"


def _build_into_runtime_cache(lod: str) -> Anatomy:
    """Build ``lod`` and keep it in the runtime cache (older code versions' files removed)."""
    anatomy = build_anatomy(lod)
    path = _runtime_path(lod)
    try:
        write_atomic(path, anatomy_to_bytes(anatomy))
        for old in path.parent.glob(f"anatomy-{lod}-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        pass
    return anatomy


@functools.lru_cache(maxsize=2)
def load_anatomy(lod: str = "web") -> Anatomy:
    """The anatomy at ``lod``: the committed cache when current, else the runtime cache.

    Never writes into the repository: when the model code is newer than the
    committed file, the anatomy is read from (or built into) the git-ignored
    runtime cache; ``python -m viz build-assets`` refreshes the committed one.

    Parameters
    ----------
    lod : {"web", "high"}, default: "web"
    """
    if lod not in LODS:
        raise ValueError(f"unknown level of detail {lod!r}")
    if is_current(lod):
        return anatomy_from_file(cache_path(lod))
    try:
        return anatomy_from_file(_runtime_path(lod))
    except _UNREADABLE:
        return _build_into_runtime_cache(lod)
