"""Canal metrics measured on the meshes against the published targets.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior).
Targets (issue 4, ``../shared/ANATOMY.md``): dural sac CSA at L4-L5 healthy
>= 120 mm2 (controls 151.7, Medicine 2017 PMC5728944), stenosis <= 75 mm2
(absolute stenosis, Schonstrom 1985), decompressed >= 100 mm2 and >= 1.3x the
stenotic value; ligamentum flavum <= 4 mm healthy (3.71 +/- 0.29, Khasawneh
2023), >= 6 mm stenotic, and after MILD the thin front layer left where tissue was
removed (issue 17): 1.0-2.5 mm, thinner than healthy; the posterior epidural fat is
squeezed out in stenosis and comes back no larger than healthy.
"""

from __future__ import annotations

import numpy as np

from viz.models.anatomy import LEVELS
from viz.models.constants import DURAL_SAC_SEMI_AXES_MM
from viz.models.metrics import compute_metrics


def test_levels_and_keys(state_metrics):
    for metrics in state_metrics.values():
        assert list(metrics["levels"]) == list(LEVELS)
        for values in metrics["levels"].values():
            assert set(values) >= {"dural_sac_csa_mm2", "canal_ap_mm", "lf_thickness_mm", "schizas_grade"}
            assert set(values["lf_thickness_mm"]) == {"left", "right"}


def test_l4_l5_dural_sac_area_targets(state_metrics):
    healthy, stenosis, decompressed = (state_metrics[s]["levels"]["L4-L5"]["dural_sac_csa_mm2"]
                                       for s in ("healthy", "stenosis", "decompressed"))
    assert healthy >= 120.0
    assert stenosis <= 75.0
    assert decompressed >= 100.0
    assert decompressed >= 1.3 * stenosis


def test_l4_l5_ligamentum_flavum_targets(state_metrics):
    for side in ("left", "right"):
        thickness = {s: state_metrics[s]["levels"]["L4-L5"]["lf_thickness_mm"][side] for s in state_metrics}
        assert 3.0 <= thickness["healthy"] <= 4.0
        assert thickness["stenosis"] >= 6.0
        assert 1.0 <= thickness["decompressed"] <= 2.5
        assert thickness["decompressed"] < thickness["healthy"] - 1.0


def test_posterior_fat_squeezed_then_back_no_larger_than_healthy(state_metrics):
    fat = {s: state_metrics[s]["levels"]["L4-L5"]["posterior_fat_mm2"] for s in state_metrics}
    assert fat["stenosis"] < 0.25 * fat["healthy"]
    assert 0.8 * fat["healthy"] <= fat["decompressed"] <= fat["healthy"] + 0.05


def test_schizas_grades_follow_the_sac(state_metrics):
    grade = {s: state_metrics[s]["levels"]["L4-L5"]["schizas_grade"] for s in state_metrics}
    assert grade["healthy"] == "A"
    assert grade["stenosis"] in ("C", "D")
    assert grade["decompressed"] in ("A", "B")


def test_canal_depth_healthy_then_narrowed(state_metrics):
    for level in LEVELS:
        assert 13.0 <= state_metrics["healthy"]["levels"][level]["canal_ap_mm"] <= 20.4, level
    stenotic = state_metrics["stenosis"]["levels"]["L4-L5"]["canal_ap_mm"]
    assert stenotic < 12.0
    assert state_metrics["decompressed"]["levels"]["L4-L5"]["canal_ap_mm"] > stenotic + 3.0


def test_untreated_levels_stay_healthy(state_metrics):
    for state, metrics in state_metrics.items():
        for level in ("L1-L2", "L2-L3", "L3-L4", "L5-S1"):
            values = metrics["levels"][level]
            assert values["dural_sac_csa_mm2"] >= 120.0, (state, level)
            assert max(values["lf_thickness_mm"].values()) <= 4.0, (state, level)


def test_healthy_area_matches_the_built_ellipse(state_metrics):
    a, b = DURAL_SAC_SEMI_AXES_MM
    expected = np.pi * a * b
    measured = state_metrics["healthy"]["levels"]["L2-L3"]["dural_sac_csa_mm2"]
    assert abs(measured - expected) / expected < 0.01


def test_metrics_move_between_states(anatomy, state_metrics):
    halfway = {name: 0.5 * (p.positions_mm["stenosis"] + p.positions_mm["decompressed"])
               for name, p in anatomy.parts.items()}
    middle = compute_metrics(anatomy, halfway, 0.5)["levels"]["L4-L5"]["dural_sac_csa_mm2"]
    low = state_metrics["stenosis"]["levels"]["L4-L5"]["dural_sac_csa_mm2"]
    high = state_metrics["decompressed"]["levels"]["L4-L5"]["dural_sac_csa_mm2"]
    assert low < middle < high
