"""``python -m viz import`` and the app's upload: real exit codes, real files, nothing kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import trimesh

from tests.scan.scan_fixtures import TOTALSEGMENTATOR, stenosis_mesh, zip_bytes
from viz.cli import main
from viz.errors import UserError
from viz.export.meshes import part_mesh
from viz.models.metrics import anatomy_state_metrics
from viz.scan.upload import PRIVACY_NOTES, anatomy_from_upload
from viz.scan.voxelize import grid_around, label_map_from_meshes, nifti_from_labels

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("L3", "L4", "L5", "dural_sac")


def run_viz(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "viz", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)


@pytest.fixture(scope="module")
def scan_nii_gz(template) -> bytes:
    meshes = {TOTALSEGMENTATOR[name]: stenosis_mesh(template, name) for name in SCANNED}
    lps_from_voxel, shape = grid_around(list(meshes.values()), np.eye(3))
    return nifti_from_labels(label_map_from_meshes(meshes, lps_from_voxel, shape), lps_from_voxel)


def test_cli_import_writes_meshes_and_manifest(tmp_path, scan_nii_gz):
    scan = tmp_path / "patient.nii.gz"
    scan.write_bytes(scan_nii_gz)
    result = run_viz("import", str(scan), "--out", str(tmp_path / "out"), "--format", "stl")
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert (manifest["units"], manifest["frame"], manifest["stage"]) == ("mm", "LPS", "stenosis")
    assert manifest["source"] == {"kind": "nifti", "convention": "totalsegmentator"}
    assert manifest["narrowest_level"] in ("L3-L4", "L4-L5")
    assert set(manifest["metrics"]["levels"]) == {"L3-L4", "L4-L5"}
    by_name = {entry["name"]: entry for entry in manifest["structures"]}
    assert {name for name, entry in by_name.items() if entry["measured"]} == set(SCANNED)
    assert "ligamentum_flavum_L3-L4_left" in by_name and "L2" not in by_name
    l5 = trimesh.load(tmp_path / "out" / by_name["L5"]["file"])
    assert l5.is_watertight and len(l5.faces) == by_name["L5"]["triangles"]
    assert by_name["L4"]["watertight"] and by_name["L4"]["triangles"] > by_name["L5"]["triangles"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "patient.nii.gz"]


def test_cli_import_bad_scan_exits_2_and_writes_nothing(tmp_path):
    scan = tmp_path / "notes.nii"
    scan.write_text("not a scan")
    result = run_viz("import", str(scan), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "not a NIfTI" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.nii"]


def test_cli_import_2gb_file_refused_before_reading(tmp_path, capsys):
    scan = tmp_path / "huge.nii.gz"
    with open(scan, "wb") as handle:  # sparse: 2 GB declared, nothing stored
        handle.truncate(2 * 2**30)
    assert main(["import", str(scan), "--out", str(tmp_path / "out")]) == 2
    assert "the upload limit is 300 MB" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, message", [
    (["{tmp}/nothing.nii.gz"], "does not exist"),
    (["{tmp}/scan.nii.gz", "--format", "fbx"], "Unknown format 'fbx'"),
    (["{tmp}/scan.nii.gz", "--max-mb", "0"], "outside the supported range 1 to 4096"),
    (["{tmp}/scan.nii.gz", "--labels", "{tmp}/missing.json"], "The label table"),
])
def test_cli_import_bad_arguments(tmp_path, capsys, scan_nii_gz, args, message):
    (tmp_path / "scan.nii.gz").write_bytes(scan_nii_gz)
    argv = ["import", *(a.format(tmp=tmp_path) for a in args), "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_mesh_folder_round_trip(tmp_path, template):
    """The export's own files come back: STL shells, and L4 as PLY with its MILD bites as extra shells."""
    folder = tmp_path / "meshes"
    folder.mkdir()
    for name in ("L5", "sacrum", "dural_sac"):
        stenosis_mesh(template, name).export(folder / f"{name}.stl")
    part_mesh(template.parts["L4"], "stenosis", 0.0).export(folder / "L4.ply")
    (folder / "notes.txt").write_text("ignored")
    result = run_viz("import", str(folder), "--out", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["source"]["kind"] == "meshes"
    entry = next(e for e in manifest["structures"] if e["name"] == "L4")
    l4 = trimesh.load(tmp_path / "out" / entry["file"], process=False)
    assert entry["measured"] and entry["watertight"]
    # its shells were joined through a 0.5 mm grid (the 0.6 mm blur loses ≈1 % of the volume),
    # then the lamina trims were cut again as separate shells: the total volume is kept
    assert l4.volume == pytest.approx(part_mesh(template.parts["L4"], "stenosis", 0.0).volume, rel=0.02)
    source = anatomy_state_metrics(template, "stenosis")["levels"]["L4-L5"]
    measured = manifest["metrics"]["levels"]["L4-L5"]
    assert measured["dural_sac_csa_mm2"] == pytest.approx(source["dural_sac_csa_mm2"], rel=0.02)
    # the canal depth runs from the back of the disc, which is rebuilt to fill the disc space between the
    # imported endplates (contoured on a 0.5 mm grid, 0.2 mm off the bone): within 0.5 mm of the template's
    assert measured["canal_ap_mm"] == pytest.approx(source["canal_ap_mm"], abs=0.5)
    assert manifest["patient"]["levels"]["L4-L5"]["dural_sac_csa_mm2"]["provenance"] == "measured"
    assert manifest["patient"]["levels"]["L4-L5"]["canal_ap_mm"]["provenance"] == "illustrative"


def test_upload_of_a_mesh_archive_keeps_nothing(template, no_temp_files):
    files = {f"spine/{name}.ply": stenosis_mesh(template, name).export(file_type="ply")
             for name in ("L4", "L5", "sacrum")}
    scan = anatomy_from_upload("spine.zip", zip_bytes(files))
    assert scan.kind == "meshes" and scan.narrowest_level in ("L4-L5", "L5-S1")
    assert "dural_sac" in scan.fitted and "L4" in scan.measured
    assert scan.narrowest_level in scan.message
    assert list(no_temp_files.iterdir()) == []


def test_upload_bad_input_keeps_nothing(no_temp_files):
    with pytest.raises(UserError, match="not a NIfTI label map"):
        anatomy_from_upload("scan.nii", b"\x00" * 400)
    assert list(no_temp_files.iterdir()) == []


def test_privacy_note_is_plain():
    import textstat

    assert set(PRIVACY_NOTES) == {"en", "es"}
    assert textstat.flesch_kincaid_grade(PRIVACY_NOTES["en"]) <= 6.0
    assert "not saved" in PRIVACY_NOTES["en"] and "No se guarda" in PRIVACY_NOTES["es"]
