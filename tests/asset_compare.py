"""Compare committed assets with a fresh build: geometry within a tolerance, problems named.

Used by ``tests/test_assets.py``. Byte equality holds only under the locked library
versions; across library releases (numpy, scipy, scikit-image, fast_simplification)
vertices can move by rounding and a decimation can choose other triangles. These
helpers measure what matters instead and say which part, state and how far.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import trimesh
from PIL import Image

GEOMETRY_TOLERANCE_MM = 0.05
"""Largest allowed vertex (or surface) deviation. A twentieth of a millimetre: invisible at the
closest camera (≥ 0.1 mm per pixel) and a fiftieth of the finest structure (rootlets ≈1 mm)."""
NUMBER_TOLERANCE = 1e-3
"""Relative tolerance of numbers in the bundle's JSON part (metrics, cameras, tracks; stored to 4 digits)."""
IMAGE_TOLERANCE = 1.0
"""Largest mean absolute difference of a simulated X-ray image, in 8-bit grey levels."""


def mesh_deviation_mm(positions_a, faces_a, positions_b, faces_b) -> float:
    """Largest distance between two versions of one surface, mm.

    Same triangles: the largest vertex displacement. Other triangles (a decimation chose
    differently): the largest distance from either surface's vertices to the other surface.
    """
    a, b = np.asarray(positions_a, float), np.asarray(positions_b, float)
    if np.array_equal(np.asarray(faces_a), np.asarray(faces_b)) and a.shape == b.shape:
        return float(np.linalg.norm(a - b, axis=1).max(initial=0.0))
    mesh_a = trimesh.Trimesh(a, faces_a, process=False)
    mesh_b = trimesh.Trimesh(b, faces_b, process=False)
    a_to_b = trimesh.proximity.closest_point(mesh_b, a)[1]
    b_to_a = trimesh.proximity.closest_point(mesh_a, b)[1]
    return float(max(a_to_b.max(initial=0.0), b_to_a.max(initial=0.0)))


def compare_anatomies(committed, fresh, label: str) -> list[str]:
    """Problems between two :class:`viz.models.anatomy.Anatomy`, one sentence each."""
    if list(committed.parts) != list(fresh.parts):
        return [f"{label}: parts differ: committed {list(committed.parts)} vs fresh {list(fresh.parts)}"]
    problems = []
    for name, old in committed.parts.items():
        new = fresh.parts[name]
        if old.group != new.group or [b.order for b in old.bites] != [b.order for b in new.bites]:
            problems.append(f"{label} {name}: group or bites differ")
        for state in sorted(new.positions_mm):
            deviation = mesh_deviation_mm(old.positions_mm[state], old.faces, new.positions_mm[state], new.faces)
            if deviation > GEOMETRY_TOLERANCE_MM:
                problems.append(f"{label} {name} {state}: largest deviation {deviation:.3f} mm "
                                f"(tolerance {GEOMETRY_TOLERANCE_MM} mm)")
    return problems


def _is_array_ref(value) -> bool:
    return isinstance(value, dict) and set(value) == {"offset", "count", "dtype"}


def _array(data: bytes, ref: dict) -> np.ndarray:
    dtype = {"f4": "<f4", "u4": "<u4"}[ref["dtype"]]
    return np.frombuffer(data, dtype=dtype, count=ref["count"], offset=ref["offset"])


def _compare_meshes(committed, fresh, label: str) -> list[str]:
    """Per entry of ``parts``/``instruments`` (and its light level): positions per state."""
    (old_meta, old_data), (new_meta, new_data) = committed, fresh
    problems = []
    faces_old, faces_new = _array(old_data, old_meta["faces"]), _array(new_data, new_meta["faces"])
    for state, ref in new_meta["positions"].items():
        if state not in old_meta["positions"]:
            problems.append(f"{label} {state}: missing in the committed bundle")
            continue
        deviation = mesh_deviation_mm(_array(old_data, old_meta["positions"][state]).reshape(-1, 3),
                                      faces_old.reshape(-1, 3),
                                      _array(new_data, ref).reshape(-1, 3), faces_new.reshape(-1, 3))
        if deviation > GEOMETRY_TOLERANCE_MM:
            problems.append(f"{label} {state}: largest deviation {deviation:.3f} mm "
                            f"(tolerance {GEOMETRY_TOLERANCE_MM} mm)")
    return problems


def _image_pixels(uri: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))).convert("RGB"), float)


def _compare_values(old, new, path: str) -> list[str]:
    """Recursive comparison of JSON values, numbers within :data:`NUMBER_TOLERANCE`."""
    if isinstance(new, dict):
        if not isinstance(old, dict) or set(old) != set(new):
            return [f"{path}: keys differ"]
        return [p for key in sorted(new) if not _is_array_ref(new[key])
                for p in _compare_values(old[key], new[key], f"{path}.{key}")]
    if isinstance(new, list):
        if not isinstance(old, list) or len(old) != len(new):
            return [f"{path}: lengths differ"]
        return [p for i, (a, b) in enumerate(zip(old, new)) for p in _compare_values(a, b, f"{path}[{i}]")]
    if isinstance(new, (int, float)) and not isinstance(new, bool) and isinstance(old, (int, float)):
        if not np.isclose(old, new, rtol=NUMBER_TOLERANCE, atol=NUMBER_TOLERANCE):
            return [f"{path}: {old} vs {new}"]
        return []
    return [] if old == new else [f"{path}: {str(old)[:60]!r} vs {str(new)[:60]!r}"]


def compare_bundles(committed, fresh) -> list[str]:
    """Problems between two :class:`viz.scenes.bundle.SceneBundle`, one sentence each."""
    old, new = dict(committed.meta), dict(fresh.meta)
    problems = []
    for key in ("parts", "instruments"):
        old_entries = {entry["name"]: entry for entry in old.pop(key)}
        for entry in new.pop(key):
            name = entry["name"]
            if name not in old_entries:
                problems.append(f"bundle {key}: {name} missing in the committed bundle")
                continue
            previous = old_entries.pop(name)
            problems += _compare_meshes((previous, committed.data), (entry, fresh.data), f"bundle {name}")
            if entry.get("light"):
                problems += _compare_meshes((previous["light"], committed.data), (entry["light"], fresh.data),
                                            f"bundle {name} (light)")
            problems += _compare_values({k: v for k, v in previous.items() if k != "light"},
                                        {k: v for k, v in entry.items() if k != "light"}, f"bundle {name}")
        problems += [f"bundle {key}: {name} only in the committed bundle" for name in old_entries]
    old_images, new_images = old.pop("images"), new.pop("images")
    if set(old_images) != set(new_images):
        problems.append("bundle images: names differ")
    for name in set(old_images) & set(new_images):
        a, b = _image_pixels(old_images[name]), _image_pixels(new_images[name])
        difference = np.abs(a - b).mean() if a.shape == b.shape else np.inf
        if difference > IMAGE_TOLERANCE:
            problems.append(f"bundle image {name}: mean difference {difference:.2f} grey levels")
    old.pop("source_hash", None)
    new.pop("source_hash", None)
    return problems + _compare_values(old, new, "bundle")
