"""Time the anatomy: build from scratch, cache round trip, metrics, CLI-style load.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior).
Budgets (issue 4): building every stage's meshes from scratch <= 20 s;
``python -m viz metrics`` (cached anatomy + metrics) <= 2 s.

Run: ``.venv/bin/python benchmarks/bench_models.py``
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.budgets import verdict  # noqa: E402


def _timed(label: str, func, budget: tuple[str, float] | None = None):
    """Run ``func``; print wall and CPU seconds (other processes share the 2 cores)."""
    start, cpu = time.perf_counter(), time.process_time()
    value = func()
    wall = time.perf_counter() - start
    line = f"{label}: {wall:.2f} s wall, {time.process_time() - cpu:.2f} s CPU"
    print(line + (f" {verdict(budget, wall)}" if budget else ""))
    return value


def main() -> None:
    from viz.models.anatomy import STATES, build_anatomy
    from viz.models.cache import anatomy_from_file, cache_path
    from viz.models.metrics import anatomy_state_metrics

    def build_all():
        built = {lod: build_anatomy(lod) for lod in ("web", "high")}
        for lod, anatomy in built.items():
            print(f"  {lod}: {anatomy.triangle_count()} triangles, {len(anatomy.parts)} parts")
        return built

    _timed("build_anatomy web + high from scratch, all states", build_all, ("<=", 20.0))
    cached = _timed("read anatomy-web.npz", lambda: anatomy_from_file(cache_path("web")))
    for state in STATES:
        metrics = _timed(f"metrics {state}", lambda: anatomy_state_metrics(cached, state))
        level = metrics["levels"]["L4-L5"]
        print(f"  L4-L5 CSA {level['dural_sac_csa_mm2']} mm2, canal AP {level['canal_ap_mm']} mm, "
              f"LF {level['lf_thickness_mm']}, Schizas {level['schizas_grade']}")
    script = ("from viz.models import load_anatomy, anatomy_state_metrics; "
              "anatomy_state_metrics(load_anatomy('web'), 'stenosis')")
    _timed("fresh process: import, load cache, metrics (stenosis)",
           lambda: subprocess.run([sys.executable, "-c", script], cwd=ROOT, check=True))
    _timed("python -m viz metrics --stage stenosis",
           lambda: subprocess.run([sys.executable, "-m", "viz", "metrics", "--stage", "stenosis"], cwd=ROOT,
                                  check=True, stdout=subprocess.DEVNULL), ("<=", 2.0))


if __name__ == "__main__":
    main()
