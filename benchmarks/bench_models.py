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


def _timed(label: str, func):
    start = time.perf_counter()
    value = func()
    print(f"{label}: {time.perf_counter() - start:.2f} s")
    return value


def main() -> None:
    from viz.models.anatomy import STATES, build_anatomy
    from viz.models.cache import anatomy_from_file, cache_path
    from viz.models.metrics import anatomy_state_metrics

    for lod in ("web", "high"):
        anatomy = _timed(f"build_anatomy({lod!r}) from scratch, all states", lambda: build_anatomy(lod))
        print(f"  {lod}: {anatomy.triangle_count()} triangles, {len(anatomy.parts)} parts")
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


if __name__ == "__main__":
    main()
