"""What the tools write, as they write it: header extensions, label tables, tool numberings, names.

The numberings asserted here are the public ones (TotalSegmentator ``map_to_binary.py`` class maps
``total`` and ``total_v1``; TotalSpineSeg's README list of classes, current and 2024; VerSe's
``v_dict``), written out in the tests, not read from ``viz/scan/labels.json``.
"""

from __future__ import annotations

import gzip
import json

import nibabel as nib
import numpy as np
import pytest

from viz.errors import UserError
from viz.scan.label_tables import structure_of, structures_in, table_from_bytes
from viz.scan.labels import BONES, load_label_table, match_convention
from viz.scan.nifti import read_label_map

TOTALSEGMENTATOR_V2 = {25: "sacrum", 26: "vertebrae_S1", 27: "vertebrae_L5", 28: "vertebrae_L4", 29: "vertebrae_L3",
                       30: "vertebrae_L2", 31: "vertebrae_L1", 32: "vertebrae_T12", 79: "spinal_cord"}
TOTALSEGMENTATOR_V1 = {18: "vertebrae_L5", 19: "vertebrae_L4", 20: "vertebrae_L3", 21: "vertebrae_L2",
                       22: "vertebrae_L1", 23: "vertebrae_T12", 92: "sacrum"}
TOTALSPINESEG = {1: "spinal_cord", 2: "spinal_canal", 41: "vertebrae_L1", 42: "vertebrae_L2", 43: "vertebrae_L3",
                 44: "vertebrae_L4", 45: "vertebrae_L5", 50: "sacrum", 95: "disc_L4_L5", 100: "disc_L5_S"}


def _caret_xml(table: dict[int, str]) -> bytes:
    rows = "".join(f'<Label Key="{k}" Red="1" Green="0" Blue="0" Alpha="1"><![CDATA[{v}]]></Label>\n'
                   for k, v in table.items())
    return (f'<?xml version="1.0" encoding="UTF-8"?> <CaretExtension><VolumeInformation Index="0"><LabelTable>\n'
            f"{rows}</LabelTable><VolumeType><![CDATA[Label]]></VolumeType></VolumeInformation></CaretExtension>"
            ).encode()


def _spine(values_from_head: list[int], shape=(30, 30, 80)) -> np.ndarray:
    """Blocks 12 slices high, one per value, from the top of the volume down (+k is superior)."""
    labels = np.zeros(shape, np.uint8)
    for index, value in enumerate(values_from_head):
        top = shape[2] - 4 - 14 * index
        labels[8:22, 8:22, top - 12:top] = value
    return labels


def _nifti(labels: np.ndarray, image_class=nib.Nifti1Image, extensions=(), vox_offset=None, compress=True,
           endian="<") -> bytes:
    image = image_class(labels, np.diag([-1.0, -1.0, 1.0, 1.0]))
    header = image.header
    if endian == ">":
        header = header.as_byteswapped(">")
        image = image_class(labels, image.affine, header)
    for code, content in extensions:
        image.header.extensions.append(nib.nifti1.Nifti1Extension(code, content))
    raw = bytearray(image.to_bytes())
    if vox_offset is not None:
        raw[108:112] = np.asarray(vox_offset, dtype=f"{endian}f4").tobytes()
    return gzip.compress(bytes(raw), mtime=0) if compress else bytes(raw)


@pytest.mark.parametrize("image_class", [nib.Nifti1Image, nib.Nifti2Image], ids=["NIfTI-1", "NIfTI-2"])
def test_label_table_in_a_header_extension_is_read(image_class):
    payload = _nifti(_spine([31, 30]), image_class, [(0, _caret_xml(TOTALSEGMENTATOR_V2))])
    volume = read_label_map(payload)
    assert volume.table[31] == "vertebrae_L1" and volume.table[26] == "vertebrae_S1"
    assert np.array_equal(np.unique(volume.labels), [0, 30, 31])


def test_several_extensions_and_a_json_one():
    table = json.dumps({"vertebrae_L1": 41, "vertebrae_L2": 42}).encode()
    payload = _nifti(_spine([41, 42]), extensions=[(4, b"an AFNI block of no interest" * 3), (44, table)])
    assert read_label_map(payload).table == {41: "vertebrae_L1", 42: "vertebrae_L2"}


def test_extension_with_vox_offset_left_unset_is_found():
    """Some writers leave ``vox_offset`` at 0; the voxels then start right after the extensions."""
    labels = _spine([31, 30])
    payload = _nifti(labels, extensions=[(0, _caret_xml(TOTALSEGMENTATOR_V2))], vox_offset=0.0)
    volume = read_label_map(payload)
    assert np.array_equal(volume.labels, labels) and volume.table[30] == "vertebrae_L2"


def test_big_endian_plain_and_two_gzip_members():
    labels = _spine([31, 30])
    plain = _nifti(labels, compress=False, endian=">")
    assert np.array_equal(read_label_map(plain).labels, labels)
    split = len(plain) // 3
    twice = gzip.compress(plain[:split], mtime=0) + gzip.compress(plain[split:], mtime=0)
    assert np.array_equal(read_label_map(twice).labels, labels)


def test_header_without_its_voxels_is_refused_plainly():
    header = nib.Nifti1Header()
    header.set_data_shape((20, 20, 20))
    header["magic"] = b"ni1"
    with pytest.raises(UserError, match="without its voxels"):
        read_label_map(header.binaryblock + b"\x00" * 8000)


def test_extensions_too_large_are_refused_before_unpacking():
    header = nib.Nifti1Header()
    header.set_data_shape((20, 20, 20))
    header["vox_offset"] = 64 * 2**20
    with pytest.raises(UserError, match="header extensions take more than"):
        read_label_map(gzip.compress(header.binaryblock + b"\x01\x00\x00\x00"))


def test_caret_xml_with_entities_is_not_expanded():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<CaretExtension><LabelTable><Label Key="31">&b;</Label></LabelTable></CaretExtension>')
    assert table_from_bytes(bomb) == {}


@pytest.mark.parametrize("content", [
    json.dumps({"vertebrae_L4": 44, "vertebrae_L5": 45}),                              # TotalSpineSeg labels.json
    json.dumps({"labels": {"background": 0, "vertebrae_L4": 44, "vertebrae_L5": 45}}),  # nnU-Net dataset.json
    json.dumps({"44": "vertebrae_L4", "45": "vertebrae_L5"}),
    json.dumps([{"value": 44, "name": "vertebrae_L4"}, {"value": 45, "name": "vertebrae_L5"}]),
    "value,name\n44,vertebrae_L4\n45,vertebrae_L5\n",
    "# 3D Slicer colour table\n44 vertebrae_L4 255 0 0 255\n45 vertebrae_L5 0 255 0 255\n",
    '   44   255    0    0        1  1  1    "vertebrae_L4"\n   45     0  255    0        1  1  1    "vertebrae_L5"\n',
], ids=["name-value", "nnU-Net", "value-name", "rows", "csv", "slicer", "itk-snap"])
def test_sidecar_table_shapes(content):
    assert table_from_bytes(content.encode()) == {44: "vertebrae_L4", 45: "vertebrae_L5"}


@pytest.mark.parametrize("name, structure", [
    ("vertebrae_L4", "L4"), ("L4", "L4"), ("Sacrum", "sacrum"), ("vertebrae_S1", "sacrum"),
    ("disc_L4_L5", "L4-L5"), ("disc_L5_S", "L5-S1"), ("L4-L5", "L4-L5"), ("spinal_canal", "dural_sac"),
    ("spinal_cord", "dural_sac"), ("vertebrae_T12", "other_bone"), ("L6", "other_bone"), ("T13", "other_bone"),
    ("liver", None), ("rib_left_12", None), ("disc_T12_L1", None), ("vertebrae_C1", "other_bone"),
])
def test_names_the_tools_use(name, structure):
    assert structure_of(name) == structure


def test_sacrum_is_the_union_of_sacrum_and_s1():
    assert structures_in(TOTALSEGMENTATOR_V2)["sacrum"] == (25, 26)
    assert structures_in(TOTALSPINESEG)["dural_sac"] == (1, 2)


def _heights(values_from_head: list[int], extra: dict[int, float] | None = None) -> dict[int, float]:
    heights = {value: 100.0 - 30.0 * index for index, value in enumerate(values_from_head)}
    heights.update(extra or {})
    return heights


@pytest.mark.parametrize("numbering, expected", [
    (TOTALSEGMENTATOR_V2, "totalsegmentator"), (TOTALSEGMENTATOR_V1, "totalsegmentator_v1"),
    (TOTALSPINESEG, "totalspineseg"),
    ({18: "vertebrae_L5", 19: "vertebrae_L4", 20: "vertebrae_L3", 22: "vertebrae_L1", 201: "spinal_canal",
      203: "disc_L4_L5"}, "totalspineseg_2024"),
    ({20: "L1", 21: "L2", 22: "L3", 23: "L4", 24: "L5", 26: "Sacrum"}, "verse"),
])
def test_each_tools_numbering_is_recognised_without_a_table(numbering, expected):
    bones = {value: name for value, name in numbering.items() if structure_of(name) in BONES}
    order = sorted(bones, key=lambda value: BONES.index(structure_of(bones[value])))
    others = {value: 0.0 for value in numbering if value not in bones}
    convention, present = match_convention(_heights(order, others), load_label_table())
    assert convention.name == expected
    for value, name in numbering.items():
        structure = structure_of(name)
        if structure is not None and structure != "other_bone":
            assert value in present[structure], name


def test_the_files_own_table_wins_over_the_numbering():
    """Values that are TotalSegmentator v2's L2 and L1 (30, 31), named L4 and L5 by the file's table:
    read as L4 above L5, although v2's numbering would put 31 (L1) above 30 (L2)."""
    from viz.scan.sources import read_scan_bytes

    labels = np.zeros((40, 40, 60), np.uint8)
    labels[5:33, 5:33, 36:52] = 30   # 28 × 28 × 16 mm: the size of a vertebral body
    labels[5:33, 5:33, 16:32] = 31
    payload = _nifti(labels, extensions=[(0, _caret_xml({30: "vertebrae_L4", 31: "vertebrae_L5"}))])
    structures = read_scan_bytes("scan.nii.gz", payload)
    assert structures.convention == "file"
    assert structures.label_of == {"L4": (30,), "L5": (31,)}
    assert set(structures.meshes) == {"L4", "L5"}
