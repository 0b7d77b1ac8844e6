"""Time and memory of importing a CT-sized label map (issue 9 budget: ≤ 60 s, ≤ 4 GB).

Builds 512×512×300 TotalSegmentator-style label maps (0.78 × 0.78 × 1.0 mm
voxels, a 400 mm field of view as in an abdominal CT) holding a template spine
L1–sacrum and dural sac plus a few organ-shaped distractors, saves each as
``.nii.gz`` in a temporary folder, then runs ``python -m viz import`` on it in a
fresh process, as a user would, and reports its wall time and peak resident
memory (that child's ``ru_maxrss``). Three cases:

``L4-L5``
    The spine of the committed template: narrowest at L4–L5, the story's usual level.
``L3-L4``
    The spine of the template narrowed at L3–L4: the import fits the patient a
    second time from that template, read from the runtime cache
    (:mod:`viz.scan.templates`) as after ``python -m viz build-assets``.
``L3-L4 cold``
    The same scan with an empty runtime cache (the first import at that level
    after a model change), which builds the template inside the import.

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
from viz.scan.templates import template_anatomy, template_path  # noqa: E402
from viz.scan.voxelize import label_map_from_meshes, nifti_from_labels  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]

SHAPE = (512, 512, 300)
VOXEL_MM = (0.78, 0.78, 1.0)
BUDGET_S = ("<=", 60.0)
BUDGET_RSS_MB = ("<=", 4096.0)

SPINE_LABELS = {"L1": 31, "L2": 30, "L3": 29, "L4": 28, "L5": 27, "sacrum": 25, "dural_sac": 79}
"""TotalSegmentator v2 values (viz/scan/labels.json)."""

ORGANS_MM = {5: ((-70.0, -90.0, 60.0), (90.0, 70.0, 80.0)),     # liver: centre, semi-axes (LPS+ mm)
             2: ((-60.0, -10.0, 10.0), (30.0, 25.0, 55.0)),     # kidney right
             3: ((60.0, -10.0, 15.0), (30.0, 25.0, 55.0)),      # kidney left
             52: ((15.0, -60.0, 0.0), (12.0, 12.0, 140.0))}     # aorta
"""Distractor labels, placed relative to the L3 body centre, so the scan is not spine-only."""


def _synthetic_scan(anatomy) -> bytes:
    """A 512×512×300 label map of ``anatomy``'s stenosis state and distractor organs, as ``.nii.gz`` bytes."""
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
    return nifti_from_labels(labels, lps_from_voxel)


def _import(scan: Path, out: Path, env: dict[str, str]) -> tuple[float, float, dict]:
    """Run ``python -m viz import`` in a fresh process: wall s, its peak RSS MB, its manifest."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as errors:
        child = subprocess.Popen([sys.executable, "-m", "viz", "import", str(scan), "--out", str(out)],
                                 cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        _, status, usage = os.wait4(child.pid, 0)
        wall_s = time.perf_counter() - start
        if os.waitstatus_to_exitcode(status) != 0:
            errors.seek(0)
            raise RuntimeError(f"{scan.name}: {errors.read().decode(errors='replace')}")
    return wall_s, usage.ru_maxrss / 1024.0, json.loads((out / "manifest.json").read_text())


def main() -> list[dict]:
    """Build the scans, import each once per case in a fresh process; return the figures."""
    start = time.perf_counter()
    template_anatomy("L3-L4")
    warm_s = time.perf_counter() - start
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for source in ("L4-L5", "L3-L4"):
            start = time.perf_counter()
            payload = _synthetic_scan(template_anatomy(source))
            build_s = time.perf_counter() - start
            scan = Path(folder) / f"ct_labels_{source}.nii.gz"
            scan.write_bytes(payload)
            cases = [(source, dict(os.environ))]
            if source != "L4-L5":
                cold = Path(folder) / "empty-template-cache"
                cases.append((f"{source} cold", dict(os.environ, VIZ_TEMPLATE_CACHE=str(cold))))
            for case, env in cases:
                import_s, peak_mb, manifest = _import(scan, Path(folder) / f"out {case}", env)
                rows.append({"case": case, "shape": list(SHAPE), "voxel_mm": list(VOXEL_MM),
                             "nii_gz_mb": round(len(payload) / 2**20, 2), "scan_build_s": round(build_s, 1),
                             "import_s": round(import_s, 1), "peak_rss_mb": round(peak_mb),
                             "triangles": sum(s["triangles"] for s in manifest["structures"]),
                             "narrowest_level": manifest["narrowest_level"]})
    rows[0]["template_cache"] = f"{template_path('L3-L4').name} ready in {warm_s:.1f} s"
    return rows


if __name__ == "__main__":
    figures = main()
    ok = True
    for row in figures:
        print(f"{row['case']:>12}: narrowest {row['narrowest_level']}, import {row['import_s']:6.1f} s "
              f"{verdict(BUDGET_S, row['import_s'])}, peak {row['peak_rss_mb']:5d} MB "
              f"{verdict(BUDGET_RSS_MB, row['peak_rss_mb'])}")
        ok = ok and row["import_s"] <= BUDGET_S[1] and row["peak_rss_mb"] <= BUDGET_RSS_MB[1]
    print(json.dumps({"bench_import": figures, "within_budget": ok}))
