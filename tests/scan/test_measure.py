"""The bony canal measured on the scan's own bone, against shapes of known size.

Two "vertebrae" are blocks of bone with a round canal (radius 8 mm, so 201.1 mm² and 15.7 mm deep
on the paramedian lines 1.5 mm off the midline), 0.5 mm voxels, one above the other with a disc
space between. Then a facet-like block narrows the canal at one height only, and a ring with a gap
is not a closed canal.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from viz.models.levels import Level
from viz.scan.bone_field import BoneField
from viz.scan.measure import bony_canal
from viz.scan.nifti import LabelVolume

STEP_MM = 0.5
RADIUS_MM = 8.0


def _volume(narrowing: bool = False, gap: bool = False) -> tuple[LabelVolume, Level, dict]:
    shape = (120, 120, 120)
    lps_from_voxel = np.diag([STEP_MM] * 3 + [1.0])
    lps_from_voxel[:3, 3] = -0.5 * STEP_MM * (np.array(shape) - 1)
    x, y, z = (np.indices(shape).reshape(3, -1).T * STEP_MM + lps_from_voxel[:3, 3]).T
    radius = np.hypot(x, y)
    bone = (np.abs(x) < 25) & (np.abs(y) < 25) & (radius > RADIUS_MM) & ((np.abs(z - 13) < 10) | (np.abs(z + 13) < 10))
    if narrowing:
        bone |= (x > 5.0) & (x < 12.0) & (np.abs(y) < 12.0) & (np.abs(z - 2.0) < 1.5)
    if gap:
        bone &= ~((np.abs(x) < 2.0) & (y > 0))
    labels = bone.reshape(shape).astype(np.uint8)
    level = Level(name="L4-L5", upper="L4", lower="L5", disc_centre_mm=np.zeros(3), origin_mm=np.zeros(3),
                  frame=np.eye(3), disc_back_mm=-8.0, canal_half_width_mm=8.0, canal_half_depth_mm=8.0)
    marks = {"L4": SimpleNamespace(canal_centre_mm=np.array([0.0, 0.0, 13.0])),
             "L5": SimpleNamespace(canal_centre_mm=np.array([0.0, 0.0, -13.0]))}
    return LabelVolume(labels=labels, lps_from_voxel=lps_from_voxel), level, marks


def test_round_canal_has_its_area_depth_and_width():
    volume, level, marks = _volume()
    canal = bony_canal(level, marks, BoneField(volume, (1,)))
    # voxels whose centre lies outside the 8 mm circle are bone, so the canal's wall (the voxels'
    # boundary) lies up to 0.35 mm beyond the circle; lengths are counted in 0.5 mm steps:
    # area within 5 %, lengths within 1 mm (two steps)
    assert canal["area_mm2"] == pytest.approx(np.pi * RADIUS_MM ** 2, rel=0.05)
    assert canal["ap_mm"] == pytest.approx(2 * np.sqrt(RADIUS_MM ** 2 - 1.5 ** 2), abs=2 * STEP_MM)
    assert canal["width_mm"] == pytest.approx(2 * RADIUS_MM, abs=2 * STEP_MM)


def test_bone_anywhere_between_the_two_vertebrae_narrows_it():
    volume, level, marks = _volume(narrowing=True)
    canal = bony_canal(level, marks, BoneField(volume, (1,)))
    # the block covers 5 ≤ x ≤ 8 of the circle on the left: the circle's segment beyond x = 5 is lost
    lost = RADIUS_MM ** 2 * np.arccos(5.0 / RADIUS_MM) - 5.0 * np.sqrt(RADIUS_MM ** 2 - 25.0)
    assert canal["area_mm2"] == pytest.approx(np.pi * RADIUS_MM ** 2 - lost, rel=0.06)
    assert canal["width_mm"] == pytest.approx(RADIUS_MM + 5.0, abs=2 * STEP_MM)


def test_a_ring_that_is_not_closed_is_not_measured():
    volume, level, marks = _volume(gap=True)
    assert bony_canal(level, marks, BoneField(volume, (1,))) is None
