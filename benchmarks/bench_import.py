"""Time and memory of importing a patient's scan (issue 16 budgets: 512×512×300 ≤ 60 s and ≤ 4 GB; 3 mm ≤ 15 s).

Each case runs ``python -m viz import`` in a fresh process, as a user would, and
reports its wall time and peak resident memory (that child's ``ru_maxrss``), so
the figures include starting Python and loading the template. Cases:

``CT 512×512×300``
    A TotalSegmentator-style label map, 0.78 × 0.78 × 1.0 mm voxels (a 400 mm
    field of view as in an abdominal CT), holding the template's spine L1–sacrum
    and dural sac (stenosis state) plus organ-shaped distractors, as ``.nii.gz``.
``CT 512×512×300 bones only``
    The same map without the sac label (the sac is built in the patient's canal).
``CT 3 mm``
    The same spine and organs on a 3 mm grid (134 × 134 × 100).
``TotalSegmentator example``
    TotalSegmentator's own multi-label output for its example CT as the tool
    writes it (3 mm, T11–L2, label table in a header extension;
    ``tests/scan/data/totalsegmentator-example``, Apache-2.0).
``TotalSegmentator masks``
    Its default output folder of one mask per structure, for the same CT.

Prints a table, then one JSON line.

Usage: ``.venv/bin/python benchmarks/bench_import.py``
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import trimesh

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.budgets import verdict  # noqa: E402
from viz.models.cache import load_anatomy  # noqa: E402
from viz.scan.voxelize import label_map_from_meshes, nifti_from_labels  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "scan" / "data" / "totalsegmentator-example"

GRIDS = {"CT 512×512×300": ((512, 512, 300), (0.78, 0.78, 1.0)), "CT 3 mm": ((134, 134, 100), (3.0, 3.0, 3.0))}
BONES_ONLY = "CT 512×512×300 bones only"
BUDGETS_S = {"CT 512×512×300": ("<=", 60.0), BONES_ONLY: ("<=", 60.0), "CT 3 mm": ("<=", 15.0),
             "TotalSegmentator example": ("<=", 15.0),
             "TotalSegmentator masks": ("<=", 15.0)}
BUDGET_RSS_MB = ("<=", 4096.0)

SPINE_LABELS = {"L1": 31, "L2": 30, "L3": 29, "L4": 28, "L5": 27, "sacrum": 25, "dural_sac": 79}
"""TotalSegmentator v2 values (class map ``total``)."""

ORGANS_MM = {5: ((-70.0, -90.0, 60.0), (90.0, 70.0, 80.0)),     # liver: centre, semi-axes (LPS+ mm)
             2: ((-60.0, -10.0, 10.0), (30.0, 25.0, 55.0)),     # kidney right
             3: ((60.0, -10.0, 15.0), (30.0, 25.0, 55.0)),      # kidney left
             52: ((15.0, -60.0, 0.0), (12.0, 12.0, 140.0))}     # aorta
"""Distractor labels, placed relative to the L3 body centre, so the scan is not spine-only."""


def _synthetic_scan(shape: tuple[int, int, int], voxel_mm: tuple[float, float, float]) -> tuple[np.ndarray, np.ndarray]:
    """A label map of the template's stenosis state and distractor organs, and its voxel → LPS+ mm transform."""
    anatomy = load_anatomy()
    meshes = {name: trimesh.Trimesh(np.asarray(anatomy.parts[name].positions_mm["stenosis"], dtype=float),
                                    np.asarray(anatomy.parts[name].faces), process=False)
              for name in SPINE_LABELS}
    centre = meshes["L3"].vertices.mean(axis=0)
    named = {}
    for value, (offset, semi_axes) in ORGANS_MM.items():
        organ = trimesh.creation.icosphere(subdivisions=3)
        organ.apply_scale(semi_axes)
        organ.apply_translation(centre + np.array(offset))
        named[value] = organ
    named.update({SPINE_LABELS[name]: mesh for name, mesh in meshes.items()})
    lps_from_voxel = np.diag(list(voxel_mm) + [1.0])
    grid_centre = centre + np.array([0.0, 40.0, -30.0])
    lps_from_voxel[:3, 3] = grid_centre - np.array(shape) / 2.0 * np.array(voxel_mm)
    return label_map_from_meshes(named, lps_from_voxel, shape), lps_from_voxel


def _import(scan: Path, out: Path) -> tuple[float, float, dict]:
    """Run ``python -m viz import`` in a fresh process: wall s, its peak RSS MB, its manifest."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen([sys.executable, "-m", "viz", "import", str(scan), "--out", str(out)],
                                 cwd=ROOT, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        wall_s = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise RuntimeError(f"{scan.name}: {errors.read().decode(errors='replace')}")
    return wall_s, usage.ru_maxrss / 1024.0, json.loads((out / "manifest.json").read_text())


def main() -> list[dict]:
    """Build the synthetic scans, import every case once in a fresh process; return the figures."""
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        scans = {}
        for case, (shape, voxel_mm) in GRIDS.items():
            start = time.perf_counter()
            labels, lps_from_voxel = _synthetic_scan(shape, voxel_mm)
            build_s = time.perf_counter() - start
            variants = {case: labels}
            if case == "CT 512×512×300":
                variants[BONES_ONLY] = np.where(labels == SPINE_LABELS["dural_sac"], 0, labels).astype(labels.dtype)
            for name, variant in variants.items():
                path = Path(folder) / f"{name.replace(' ', '_')}.nii.gz"
                path.write_bytes(nifti_from_labels(variant, lps_from_voxel))
                scans[name] = (path, shape, voxel_mm, build_s)
        scans["TotalSegmentator example"] = (EXAMPLE / "example_seg.nii.gz", (122, 101, 30), (3.0, 3.0, 3.0), 0.0)
        scans["TotalSegmentator masks"] = (EXAMPLE / "example_seg_fast", (122, 101, 30), (3.0, 3.0, 3.0), 0.0)
        for case, (path, shape, voxel_mm, build_s) in scans.items():
            import_s, peak_mb, manifest = _import(path, Path(folder) / f"out {case}")
            size = sum(p.stat().st_size for p in ([path] if path.is_file() else path.iterdir()))
            rows.append({"case": case, "shape": list(shape), "voxel_mm": list(voxel_mm),
                         "input_mb": round(size / 2**20, 2), "scan_build_s": round(build_s, 1),
                         "import_s": round(import_s, 1), "peak_rss_mb": round(peak_mb),
                         "triangles": sum(s["triangles"] for s in manifest["structures"]),
                         "narrowest_level": manifest["narrowest_level"],
                         "story_level_by": manifest["patient"]["story_level_by"]})
    return rows


if __name__ == "__main__":
    figures = main()
    ok = True
    for row in figures:
        budget = BUDGETS_S[row["case"]]
        print(f"{row['case']:>26}: story at {row['narrowest_level']} ({row['story_level_by']}), "
              f"import {row['import_s']:6.1f} s {verdict(budget, row['import_s'])}, "
              f"peak {row['peak_rss_mb']:5d} MB {verdict(BUDGET_RSS_MB, row['peak_rss_mb'])}")
        ok = ok and row["import_s"] <= budget[1] and row["peak_rss_mb"] <= BUDGET_RSS_MB[1]
    print(json.dumps({"bench_import": figures, "within_budget": ok}))
