"""The story replayed on the patient: narrowest level, bones-only scans, lamina trims, scene bundle."""

from __future__ import annotations

import numpy as np
import pytest

from tests.scan.scan_fixtures import TOTALSEGMENTATOR, stenosis_mesh
from viz.models.metrics import anatomy_state_metrics
from viz.scan.patient import template_anatomy
from viz.scan.upload import anatomy_from_upload
from viz.scan.voxelize import grid_around, label_map_from_meshes, nifti_from_labels

VERSE = {"L3": 22, "L4": 23, "L5": 24, "sacrum": 26}
"""VerSe label values (viz/scan/labels.json): bones only, no dural sac."""


def _upload(anatomy, labels: dict[str, int]):
    meshes = {value: stenosis_mesh(anatomy, name) for name, value in labels.items()}
    lps_from_voxel, shape = grid_around(list(meshes.values()), np.eye(3))
    payload = nifti_from_labels(label_map_from_meshes(meshes, lps_from_voxel, shape), lps_from_voxel)
    return anatomy_from_upload("scan.nii.gz", payload)


@pytest.fixture(scope="module")
def from_l4_l5_template(template):
    return _upload(template, {name: TOTALSEGMENTATOR[name] for name in ("L3", "L4", "L5", "sacrum", "dural_sac")})


@pytest.mark.timeout(600)  # builds the template narrowed at L3-L4: ≈60 s of CPU on this 2-core machine
def test_story_moves_to_the_patients_narrowest_level():
    source = template_anatomy("L3-L4")
    scan = _upload(source, {name: TOTALSEGMENTATOR[name] for name in ("L3", "L4", "L5", "dural_sac")})
    assert scan.narrowest_level == "L3-L4"
    assert scan.anatomy.parts["ligamentum_flavum_L3-L4_left"].bites
    assert not scan.anatomy.parts["ligamentum_flavum_L4-L5_left"].bites
    measured = scan.metrics["levels"]
    assert measured["L3-L4"]["dural_sac_csa_mm2"] < measured["L4-L5"]["dural_sac_csa_mm2"]
    expected = anatomy_state_metrics(source, "stenosis")["levels"]["L3-L4"]["dural_sac_csa_mm2"]
    assert measured["L3-L4"]["dural_sac_csa_mm2"] == pytest.approx(expected, rel=0.10)
    assert "L3-L4" in scan.message and "narrowest" in scan.message


def test_bones_only_scan_gets_the_template_sac_and_says_so(template):
    scan = _upload(template, VERSE)
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
    # the fitted tool volume is the convex hull of the template trim swept 1.5 mm outward: ≤ 25 % more
    expected = sum(b.volume_mm3 for b in template.parts["L4"].bites if b.tissue == "bone")
    assert removed == pytest.approx(expected, rel=0.25)
    assert bone.mesh("decompressed").is_watertight


def test_scene_bundle_builds_on_the_patient(from_l4_l5_template):
    from viz.scenes.bundle import build_bundle

    bundle = build_bundle(from_l4_l5_template.anatomy)
    names = [part["name"] for part in bundle.meta["parts"]]
    assert names == list(from_l4_l5_template.anatomy.parts)
    first = bundle.meta["metrics"][0]["levels"]
    assert set(first) == {"L3-L4", "L4-L5", "L5-S1"}
    assert len(bundle.data) > 0
