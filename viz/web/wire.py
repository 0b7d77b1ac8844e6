"""The scene bundle as the browser receives it: quantised, meshoptimizer-encoded geometry.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior). :func:`encode_for_browser` turns a :class:`~viz.scenes.bundle.SceneBundle`
(raw little-endian arrays, ``docs/CONTRACTS.md`` §3, which Python consumers keep)
into what the app's websocket and the standalone HTML carry. Each level of detail of a
part becomes one ``"mesh"`` entry in place of ``faces``/``positions``/``pinch``:

- positions are quantised on a grid of :data:`GRID_MM` (coarser only for parts longer
  than ``GRID_MM × 60000``, the table) around the part's centre, as int16; every state
  after the first is stored as its difference from the first, so a part whose states
  barely differ costs almost nothing; the pinch value (0..1) rides in the row's padding
  as one byte;
- triangles are put in vertex-cache order and vertices in first-use order, each bite
  shell and the rest of the part separately, so bite vertex ranges stay valid;
- rows go through meshoptimizer's vertex codec, triangles through its index codec
  (lossless; npm ``meshoptimizer``'s ``MeshoptDecoder`` in the browser). Quantisation is
  the only loss: at most half a grid step, ``max_error_mm`` in ``meta["wire"]``.

Only the page's language of the text catalogue is sent, and the X-ray pictures are
re-encoded as lossless WebP.

References
----------
Kapoulkine A. meshoptimizer, vertex and index buffer compression
(``zeux/meshoptimizer: README.md``, "Vertex/index buffer compression").
"""

from __future__ import annotations

import base64
import io
import math

import meshopt
import numpy as np
from PIL import Image

from viz.scenes.bundle import SceneBundle
from viz.scenes.timeline import read_array

WIRE_VERSION = 1
GRID_MM = 1.0 / 64.0
"""Quantisation step of positions, mm (error at most half of it)."""
QUANT_RANGE = 30000
"""Quantised coordinates lie in ±QUANT_RANGE (int16), state differences included."""
VERTEX_CODEC_LEVEL = 3
PINCH_LEVELS = 255


class _Buffers:
    """Encoded byte strings appended 4-byte aligned."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.size = 0

    def add(self, payload: bytes) -> dict:
        ref = {"offset": self.size, "bytes": len(payload)}
        padded = payload + b"\0" * (-len(payload) % 4)
        self.chunks.append(padded)
        self.size += len(padded)
        return ref


def _segments(vertex_count: int, bites: list[dict]) -> list[tuple[int, int]]:
    """Vertex ranges reordered separately: each bite shell and the ranges between them."""
    cuts = sorted({0, vertex_count, *(b["start"] for b in bites), *(b["stop"] for b in bites)})
    return list(zip(cuts, cuts[1:]))


def _cache_order(faces: np.ndarray, vertex_count: int, bites: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """Faces in vertex-cache order and ``order`` (new vertex i is old vertex ``order[i]``).

    Every segment (:func:`_segments`) keeps its place, so bite ranges stay valid; a part
    with a triangle across two segments keeps its order.
    """
    owner = np.searchsorted([stop for _, stop in _segments(vertex_count, bites)], faces, side="right")
    if not (owner == owner[:, :1]).all():
        return faces, np.arange(vertex_count)
    order = np.arange(vertex_count)
    out_faces = []
    for index, (start, stop) in enumerate(_segments(vertex_count, bites)):
        local = (faces[owner[:, 0] == index] - start).astype(np.uint32)
        if not len(local):
            continue
        new_local, remap, unique = meshopt.reorder_mesh(local.ravel(), triangles=True, optsize=False)
        used = remap < unique
        segment_order = np.empty(stop - start, dtype=np.int64)
        segment_order[remap[used]] = np.flatnonzero(used)
        segment_order[unique:] = np.flatnonzero(~used)
        order[start:stop] = start + segment_order
        out_faces.append(new_local.reshape(-1, 3).astype(np.int64) + start)
    return np.concatenate(out_faces), order


def _encode_lod(lod: dict, data: bytes, buffers: _Buffers) -> tuple[dict, float]:
    """One level of detail as a ``mesh`` entry; returns it and its largest quantisation error, mm."""
    faces = read_array(data, lod["faces"]).reshape(-1, 3).astype(np.int64)
    columns, column_of = [], {}
    for state, ref in lod["positions"].items():
        key = (ref["offset"], ref["count"])
        if key not in column_of:
            column_of[key] = len(columns)
            columns.append(read_array(data, ref).reshape(-1, 3).astype(np.float64))
    vertex_count = len(columns[0])
    faces, order = _cache_order(faces, vertex_count, lod.get("bites") or [])
    columns = [c[order] for c in columns]
    low = np.min([c.min(axis=0) for c in columns], axis=0)
    high = np.max([c.max(axis=0) for c in columns], axis=0)
    centre = (low + high) / 2
    step = max(GRID_MM, float((high - low).max()) / QUANT_RANGE)
    quantised = [np.round((c - centre) / step).astype(np.int32) for c in columns]
    stored = [quantised[0]] + [q - quantised[0] for q in quantised[1:]]
    row = np.concatenate(stored, axis=1).astype(np.int16).view(np.uint8).reshape(vertex_count, -1)
    extra = [np.zeros((vertex_count, 0), np.uint8)]
    if lod.get("pinch"):
        pinch = read_array(data, lod["pinch"])[order]
        extra = [np.round(np.clip(pinch, 0, 1) * PINCH_LEVELS).astype(np.uint8)[:, None]]
    row = np.concatenate([row, *extra], axis=1)
    row = np.concatenate([row, np.zeros((vertex_count, -row.shape[1] % 4), np.uint8)], axis=1)
    error = max(float(np.abs(q * step + centre - c).max()) for q, c in zip(quantised, columns))
    mesh = {
        "vertices": vertex_count, "triangles": len(faces), "stride": row.shape[1], "columns": len(columns),
        "pinch": bool(lod.get("pinch")), "origin_mm": [float(v) for v in centre], "step_mm": step,
        "positions": {state: column_of[(ref["offset"], ref["count"])] for state, ref in lod["positions"].items()},
        "vertex_data": buffers.add(meshopt.encode_vertex_buffer_level(np.ascontiguousarray(row), VERTEX_CODEC_LEVEL)),
        "index_data": buffers.add(meshopt.encode_index_buffer(faces.astype(np.uint32).ravel())),
    }
    return mesh, error


def _encode_entry(entry: dict, data: bytes, buffers: _Buffers) -> tuple[dict, float]:
    out = {k: v for k, v in entry.items() if k not in ("faces", "positions", "pinch", "light")}
    out["mesh"], error = _encode_lod(entry, data, buffers)
    out["light"] = None
    if entry.get("light"):
        light, light_error = _encode_lod(entry["light"], data, buffers)
        out["light"] = {"bites": entry["light"]["bites"], "mesh": light}
        error = max(error, light_error)
    return out, error


def _webp_data_url(data_url: str) -> str:
    """A PNG data URL as a lossless WebP data URL (same pixels, ≈40 % fewer bytes)."""
    raw = base64.b64decode(data_url.split(",", 1)[1])
    out = io.BytesIO()
    Image.open(io.BytesIO(raw)).save(out, "WEBP", lossless=True, quality=100, method=4)
    return "data:image/webp;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def encode_for_browser(bundle: SceneBundle, lang: str) -> SceneBundle:
    """Return the bundle as the player receives it (see the module docstring): ``meta`` in the
    wire shape and ``data`` the encoded buffers it points into.

    Parameters
    ----------
    bundle : SceneBundle
        The raw bundle (``docs/CONTRACTS.md`` §3).
    lang : {"en", "es"}
        The page's language; the other catalogues are left out.
    """
    buffers = _Buffers()
    meta = dict(bundle.meta)
    errors = []
    for key in ("parts", "instruments"):
        encoded = [_encode_entry(entry, bundle.data, buffers) for entry in meta[key]]
        meta[key] = [entry for entry, _ in encoded]
        errors += [error for _, error in encoded]
    meta["text"] = {lang: meta["text"][lang]}
    meta["images"] = {name: _webp_data_url(url) for name, url in meta["images"].items()}
    meta["wire"] = {"version": WIRE_VERSION, "codec": "meshopt", "max_error_mm": math.ceil(max(errors) * 1e4) / 1e4}  # rounded up: never under-stated
    return SceneBundle(meta, b"".join(buffers.chunks))
