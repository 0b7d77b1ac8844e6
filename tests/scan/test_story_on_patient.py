"""The story replayed on the patient: narrowest level, bones-only scans, lamina trims, scene bundle."""

from __future__ import annotations

import numpy as np
import pytest

from tests.scan.scan_fixtures import TOTALSEGMENTATOR, upload_from
from viz.models.metrics import anatomy_state_metrics
from viz.scan.bone_bites import SWEEP_OUT_MM

VERSE = {"L3": 22, "L4": 23, "L5": 24, "sacrum": 26}
"""VerSe label values (viz/scan/labels.json): bones only, no dural sac."""


@pytest.fixture(scope="module")
def from_l4_l5_template(template):
    return upload_from(template, {name: TOTALSEGMENTATOR[name] for name in ("L3", "L4", "L5", "sacrum", "dural_sac")})


@pytest.mark.timeout(600)  # the first run after a model change builds the L3-L4 template
def test_story_moves_to_the_patients_narrowest_level(l3_l4_scan):
    source, scan = l3_l4_scan
    assert scan.narrowest_level == "L3-L4"
    assert scan.anatomy.parts["ligamentum_flavum_L3-L4_left"].bites
    assert not scan.anatomy.parts["ligamentum_flavum_L4-L5_left"].bites
    measured = scan.metrics["levels"]
    assert measured["L3-L4"]["dural_sac_csa_mm2"] < measured["L4-L5"]["dural_sac_csa_mm2"]
    expected = anatomy_state_metrics(source, "stenosis")["levels"]["L3-L4"]["dural_sac_csa_mm2"]
    assert measured["L3-L4"]["dural_sac_csa_mm2"] == pytest.approx(expected, rel=0.10)
    assert "L3-L4" in scan.message and "narrowest" in scan.message


def test_bones_only_scan_gets_the_template_sac_and_says_so(template):
    scan = upload_from(template, VERSE)
    assert scan.convention == "verse"
    assert "dural_sac" in scan.fitted and "dural_sac" not in scan.measured
    assert scan.narrowest_level == "L4-L5"
    assert "not measured" in scan.message


def test_sac_reopens_after_decompression_on_the_patient(from_l4_l5_template):
    anatomy = from_l4_l5_template.anatomy
    area = {state: anatomy_state_metrics(anatomy, state)["levels"]["L4-L5"]["dural_sac_csa_mm2"]
            for state in ("healthy", "stenosis", "decompressed")}
    assert area["stenosis"] < area["decompressed"] <= area["healthy"] * 1.05


def test_lamina_trims_are_cut_from_the_patients_bone(from_l4_l5_template, template):
    bone = from_l4_l5_template.anatomy.parts["L4"]
    trims = [bite for bite in bone.bites if bite.tissue == "bone"]
    assert {bite.side for bite in trims} == {"left", "right"}
    removed = bone.mesh("stenosis").volume - bone.mesh("decompressed").volume
    assert removed == pytest.approx(sum(bite.volume_mm3 for bite in trims), rel=0.01)
    # the tool is the convex hull of the template trim and its copy swept SWEEP_OUT_MM outward, cut
    # to the patient's bone: at least the trim (less 10 % for the voxelized surface), at most the
    # trim plus the sweep times its largest shadow, bounded by its box's (Cauchy–Schwarz), 5 % slack
    # for the fitted scale
    template_trims = [b for b in template.parts["L4"].bites if b.tissue == "bone"]
    points = template.parts["L4"].positions_mm["stenosis"]
    upper = 0.0
    for bite in template_trims:
        a, b, c = np.ptp(points[bite.start:bite.stop], axis=0)
        upper += bite.volume_mm3 + SWEEP_OUT_MM * np.sqrt((a * b) ** 2 + (b * c) ** 2 + (a * c) ** 2)
    assert 0.9 * sum(b.volume_mm3 for b in template_trims) <= removed <= 1.05 * upper
    assert bone.mesh("decompressed").is_watertight


@pytest.mark.timeout(600)
def test_scene_bundle_builds_on_the_patient(l3_l4_scan, l3_l4_bundle):
    anatomy = l3_l4_scan[1].anatomy
    names = [part["name"] for part in l3_l4_bundle.meta["parts"]]
    assert names == list(anatomy.parts)
    first = l3_l4_bundle.meta["metrics"][0]["levels"]
    assert set(first) == {"L3-L4", "L4-L5"}
    assert len(l3_l4_bundle.data) > 0
