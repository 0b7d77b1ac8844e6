"""Time the exporters as a user runs them (``python -m viz ...`` in a fresh process).

Budgets (issue 7, on the project's 2-core machine): a 10-second 1080p movie
≤ 120 s, a 4K PNG ≤ 15 s, the standalone HTML ≤ 30 s (and ≤ 8 MB); the glTF
export time and file size are reported. Prints a table, then one JSON line.
Besides wall time each case reports the CPU time of its process and every
process it started (ffmpeg included) and the machine's load before and after,
because other work on the 2 cores stretches wall time but not CPU time.

Usage: ``.venv/bin/python benchmarks/bench_exports.py [CASE ...]`` (cases: movie_10s_1080p,
png_4k, html, gltf, mesh_export_stl; all by default).
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MOVIE_SECONDS = 10.0
"""Length of the benchmarked movie window, s."""

MOVIE_FPS = 24
"""Frame rate of the benchmarked movie (240 frames in all)."""

WARM_CACHES = ("from viz.models.cache import load_anatomy; from viz.scenes.bundle import load_bundle; "
               "load_bundle(); {high}")
"""Run first, untimed: rebuilds the mesh and bundle caches if the model code changed
(the high level of detail only when the mesh export is measured)."""

BUDGETS_S = {"movie_10s_1080p": 120.0, "png_4k": 15.0, "html": 30.0, "gltf": None, "mesh_export_stl": None}
"""Time budget per case, s (None: reported only)."""


def _children_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str]) -> tuple[float, float]:
    """Run a command; return its wall time and the CPU time of it and its children, s."""
    cpu_before = _children_cpu_s()
    start = time.perf_counter()
    subprocess.run(args, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start, _children_cpu_s() - cpu_before


def _cache_stamps() -> dict[str, float]:
    """Modification times of the mesh and bundle caches (a rebuild inside a case inflates its time)."""
    return {p.name: p.stat().st_mtime for p in sorted((ROOT / "assets" / "meshes").glob("*.*"))}


def _row(name: str, row: dict) -> str:
    ok = row["budget_s"] is None or row["seconds"] <= row["budget_s"]
    budget = "-" if row["budget_s"] is None else f"{row['budget_s']:.0f}"
    per_frame = (f"  ({1000 * row['seconds'] / row['frames']:.0f} ms wall, "
                 f"{1000 * row['cpu_s'] / row['frames']:.0f} ms CPU per frame)" if row.get("frames") else "")
    return (f"{name:<18}{row['seconds']:>10.2f}{row['cpu_s']:>9.2f}{budget:>10}{row['bytes'] / 1e6:>9.2f}"
            f"{row['load_before']:>6.1f}{row['load_1min']:>6.1f}  {'yes' if ok else 'NO'}"
            f"{'  (caches rebuilt)' if row['caches_rebuilt'] else ''}{per_frame}")


def main(names: list[str]) -> dict:
    """Run the named cases (all by default) once each; print and return the figures.

    Returns
    -------
    dict
        ``{case: {"seconds", "cpu_s", "budget_s", "bytes", "load_before", "load_1min",
        "caches_rebuilt"}}`` and ``"frames"`` for the movie; ``cpu_s`` is user + system
        CPU time of the case's processes (ffmpeg included); ``load_before`` and
        ``load_1min`` are the machine's 1-minute load average when the case started and
        ended (other work on the 2 cores slows the software renderer);
        ``caches_rebuilt`` flags a case during which the model or bundle cache was
        rebuilt (code changed meanwhile).
    """
    python = sys.executable
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        movie_script = ("from viz.export.movie import write_movie; "
                        f"write_movie({str(out / 'ten.mp4')!r}, 1920, 1080, {MOVIE_FPS}, duration_s={MOVIE_SECONDS})")
        cases = {
            "movie_10s_1080p": ([python, "-c", movie_script], out / "ten.mp4"),
            "png_4k": ([python, "-m", "viz", "render", "--stage", "removal", "--view", "back", "--width", "3840",
                        "--height", "2160", "--caption", "--out", str(out / "four_k.png")], out / "four_k.png"),
            "html": ([python, "-m", "viz", "html", "--out", str(out / "story.html")], out / "story.html"),
            "gltf": ([python, "-m", "viz", "gltf", "--out", str(out / "story.glb")], out / "story.glb"),
            "mesh_export_stl": ([python, "-m", "viz", "export", "--stage", "decompressed", "--format", "stl",
                                 "--out", str(out / "meshes")], out / "meshes"),
        }
        names = names or list(cases)
        high = "load_anatomy('high')" if "mesh_export_stl" in names else ""
        _run([python, "-c", WARM_CACHES.format(high=high)])
        print(f"{'case':<18}{'seconds':>10}{'CPU s':>9}{'budget s':>10}{'MB':>9}{'load':>6}{'→':>6}  ok", flush=True)
        for name in names:
            args, product = cases[name]
            before = _cache_stamps()
            load_before = os.getloadavg()[0]
            seconds, cpu_s = _run(args)
            size = sum(p.stat().st_size for p in product.rglob("*")) if product.is_dir() else product.stat().st_size
            results[name] = {"seconds": round(seconds, 2), "cpu_s": round(cpu_s, 2), "budget_s": BUDGETS_S[name],
                             "bytes": size, "load_before": round(load_before, 2),
                             "load_1min": round(os.getloadavg()[0], 2), "caches_rebuilt": _cache_stamps() != before}
            if name == "movie_10s_1080p":
                results[name]["frames"] = round(MOVIE_SECONDS * MOVIE_FPS)
            print(_row(name, results[name]), flush=True)
    print(json.dumps(results))
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
