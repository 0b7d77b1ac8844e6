"""Time and memory of importing a CT-sized label map (issue 9 budget: ≤ 60 s, ≤ 4 GB).

Builds a 512×512×300 TotalSegmentator-style label map (0.78 × 0.78 × 1.0 mm
voxels, a 400 mm field of view as in an abdominal CT) holding the template
spine L1–sacrum and dural sac plus a few organ-shaped distractors, saves it as
``.nii.gz`` in a temporary folder, then runs ``python -m viz import`` on it in a
fresh process, as a user would, and reports its wall time and peak resident
memory (the child's ``ru_maxrss``). Prints a table, then one JSON line.

Usage: ``.venv/bin/python benchmarks/bench_import.py``
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import trimesh

from viz.models.cache import load_anatomy
from viz.scan.voxelize import label_map_from_meshes, nifti_from_labels

ROOT = Path(__file__).resolve().parents[1]

SHAPE = (512, 512, 300)
VOXEL_MM = (0.78, 0.78, 1.0)
BUDGET_S = 60.0
BUDGET_RSS_MB = 4096.0

SPINE_LABELS = {"L1": 31, "L2": 30, "L3": 29, "L4": 28, "L5": 27, "sacrum": 25, "dural_sac": 79}
"""TotalSegmentator v2 values (viz/scan/labels.json)."""

ORGANS_MM = {5: ((-70.0, -90.0, 60.0), (90.0, 70.0, 80.0)),     # liver: centre, semi-axes (LPS+ mm)
             2: ((-60.0, -10.0, 10.0), (30.0, 25.0, 55.0)),     # kidney right
             3: ((60.0, -10.0, 15.0), (30.0, 25.0, 55.0)),      # kidney left
             52: ((15.0, -60.0, 0.0), (12.0, 12.0, 140.0))}     # aorta
"""Distractor labels, placed relative to the L3 body centre, so the scan is not spine-only."""


def _synthetic_scan() -> tuple[bytes, dict]:
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
    lps_from_voxel = np.diag(list(VOXEL_MM) + [1.0])
    grid_centre = centre + np.array([0.0, 40.0, -30.0])
    lps_from_voxel[:3, 3] = grid_centre - np.array(SHAPE) / 2.0 * np.array(VOXEL_MM)
    labels = label_map_from_meshes(named, lps_from_voxel, SHAPE)
    return nifti_from_labels(labels, lps_from_voxel), {"voxels_labelled": int((labels > 0).sum())}


def main() -> dict:
    """Build the scan, import it once in a fresh process; return the figures."""
    start = time.perf_counter()
    payload, info = _synthetic_scan()
    build_s = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        scan = Path(folder) / "ct_labels.nii.gz"
        scan.write_bytes(payload)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "viz", "import", str(scan), "--out", str(Path(folder) / "out")],
                       cwd=ROOT, check=True, capture_output=True)
        import_s = time.perf_counter() - start
        manifest = json.loads((Path(folder) / "out" / "manifest.json").read_text())
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0
    return {"shape": list(SHAPE), "voxel_mm": list(VOXEL_MM), "nii_gz_mb": round(len(payload) / 2**20, 2),
            "build_s": round(build_s, 1), "import_s": round(import_s, 1), "budget_s": BUDGET_S,
            "peak_rss_mb": round(peak_mb), "budget_rss_mb": BUDGET_RSS_MB,
            "triangles": sum(s["triangles"] for s in manifest["structures"]),
            "narrowest_level": manifest["narrowest_level"], **info}


if __name__ == "__main__":
    figures = main()
    for key, value in figures.items():
        print(f"{key:>16}: {value}")
    ok = figures["import_s"] <= BUDGET_S and figures["peak_rss_mb"] <= BUDGET_RSS_MB
    print(json.dumps({"bench_import": figures, "within_budget": ok}))
