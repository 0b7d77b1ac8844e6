"""The story replayed on the patient: narrowest level, bones-only scans, lamina trims, scene bundle."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.scan.scan_fixtures import TOTALSEGMENTATOR, upload_from
from viz.models.metrics import anatomy_state_metrics
from viz.models.constants import PORTAL_DIAMETER_MM
from viz.models.decompression import portal_axis
from viz.scan.upload import anatomy_from_upload
from viz.scan.voxelize import nifti_from_labels

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


def test_bones_only_scan_is_told_at_its_narrowest_bony_canal_and_says_so(template):
    scan = upload_from(template, VERSE)
    assert scan.convention == "verse"
    assert "dural_sac" in scan.fitted and "dural_sac" not in scan.measured
    canals = {level: values["bony_canal_area_mm2"]["value"] for level, values in scan.report["levels"].items()}
    assert scan.report["story_level_by"] == "bony_canal"
    assert scan.narrowest_level == min(canals, key=canals.get)
    at_story = scan.report["levels"][scan.narrowest_level]
    assert at_story["dural_sac_csa_mm2"]["provenance"] == "illustrative"
    assert at_story["bony_canal_area_mm2"]["provenance"] == "measured"
    assert "example, not measured" in scan.message


def test_sac_reopens_after_decompression_on_the_patient(from_l4_l5_template):
    anatomy = from_l4_l5_template.anatomy
    area = {state: anatomy_state_metrics(anatomy, state)["levels"]["L4-L5"]["dural_sac_csa_mm2"]
            for state in ("healthy", "stenosis", "decompressed")}
    assert area["stenosis"] < area["decompressed"] <= area["healthy"] * 1.05


def test_lamina_trims_are_cut_from_the_patients_bone_at_the_portal(from_l4_l5_template):
    anatomy = from_l4_l5_template.anatomy
    bone = anatomy.parts["L4"]
    trims = [bite for bite in bone.bites if bite.tissue == "bone"]
    assert {bite.side for bite in trims} == {"left", "right"}
    removed = bone.mesh("stenosis").volume - bone.mesh("decompressed").volume
    assert removed == pytest.approx(sum(bite.volume_mm3 for bite in trims), rel=0.01)
    assert bone.mesh("decompressed").is_watertight
    level = anatomy.levels["L4-L5"]
    for bite in trims:
        # each trim is the patient's bone inside the portal's cylinder (docked on the lamina, its axis
        # through the dock): no point of it farther from the axis than the portal's radius
        dock, direction = portal_axis(level, bite.side)
        points = np.asarray(bone.positions_mm["stenosis"][bite.start:bite.stop], dtype=float) - dock
        across = points - np.outer(points @ direction, direction)
        assert np.linalg.norm(across, axis=1).max() <= 0.5 * PORTAL_DIAMETER_MM + 0.05
        assert bite.volume_mm3 > 5.0


@pytest.mark.timeout(600)
def test_scene_bundle_builds_on_the_patient(l3_l4_scan, l3_l4_bundle):
    anatomy = l3_l4_scan[1].anatomy
    names = [part["name"] for part in l3_l4_bundle.meta["parts"]]
    assert names == list(anatomy.parts)
    first = l3_l4_bundle.meta["metrics"][0]["levels"]
    assert set(first) == {"L3-L4", "L4-L5"}
    assert len(l3_l4_bundle.data) > 0


def test_when_no_canal_can_be_measured_the_story_says_so(no_temp_files):
    """Blocks of bone without a canal: nothing to measure, so the covered level nearest L4–L5, said plainly."""
    labels = np.zeros((60, 60, 100), np.uint8)
    labels[10:50, 10:50, 60:85] = 30
    labels[10:50, 10:50, 25:50] = 31
    payload = nifti_from_labels(labels, np.diag([1.0, 1.0, 1.0, 1.0]))
    table = {"vertebrae_L4": 30, "vertebrae_L5": 31}
    (no_temp_files.parent / "labels.json").write_text(json.dumps(table))
    scan = anatomy_from_upload("blocks.nii.gz", payload, label_table=no_temp_files.parent / "labels.json")
    assert scan.convention == "user" and scan.narrowest_level == "L4-L5"
    assert scan.report["story_level_by"] == "nearest"
    assert scan.report["levels"]["L4-L5"]["bony_canal_area_mm2"] == {"value": None, "provenance": "not measurable"}
    assert "No level could be measured" in scan.message


def test_a_sliver_of_bone_at_the_scans_edge_is_left_out(template):
    """L3 cut by the scan's top edge to a 4 mm sliver is not shown as a bone, and the report says so."""
    from tests.scan.scan_fixtures import stenosis_mesh
    from viz.scan.voxelize import grid_around, label_map_from_meshes

    meshes = {TOTALSEGMENTATOR[name]: stenosis_mesh(template, name) for name in ("L3", "L4", "L5")}
    lps_from_voxel, shape = grid_around(list(meshes.values()), np.eye(3))
    labels = label_map_from_meshes(meshes, lps_from_voxel, shape)
    l3 = np.argwhere(labels == TOTALSEGMENTATOR["L3"])
    labels = labels[:, :, : l3[:, 2].min() + 4]
    scan = anatomy_from_upload("scan.nii.gz", nifti_from_labels(labels, lps_from_voxel))
    assert scan.report["left_out"] == ["L3"] and "L3" not in scan.anatomy.parts
    assert list(scan.anatomy.levels) == ["L4-L5"]
