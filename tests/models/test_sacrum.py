"""The sacrum is a faithful sacrum: roofed canal, hiatus, foramina, pelvic surface, base, joints.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior). Probes
are placed in the sacrum's local frame (:func:`viz.models.sacrum.sacrum_frame`:
x left, y posterior, z along the S1 axis, 0 at the S1 upper endplate, the apex
near z = -106) and cast on the web-detail mesh (decimated, so positions are
trusted to about 1 mm). Published figures are in ``viz/models/constants.py``
with their sources.
"""

from __future__ import annotations

import numpy as np
import pytest
import trimesh
from scipy import ndimage

from viz.models.constants import (DURAL_SAC_WALL_GAP_MM, FACET_JOINT_SPACE_MM, SACRAL_FORAMINA_MM,
                                  SACRAL_HIATUS_MM)
from viz.models.geometry import to_local, to_world
from viz.models.landmarks import vertebra_landmarks
from viz.models.sacrum import sacrum_frame, sacrum_landmarks
from viz.models.vertebrae import reference_tilts_deg, reference_vertebra

BASE_WIDTH_MM = (96.8, 114.5)
"""Maximum width: within one SD of the means of two dry-bone series, 103.6 +/- 6.8 mm
('Anatomical evaluation of sacrum in dry bones', 30 sacra, discovery.researcher.life) and
108.4 +/- 6.1 mm (32 sacra, journal-jompac.com/Publication/DisplayArticle/26212); the
references are in :mod:`viz.models.sacrum`."""

LENGTH_MM = (93.3, 116.8)
"""Promontory to apex: within one SD of the same series, 106.7 +/- 10.2 and 103.3 +/- 10.0 mm."""

S1_DORSAL_FROM_MIDLINE_MM = (23.5 - 2.8, 23.5 + 2.8)
S1_DORSAL_WIDTH_MM = (8.5 - 1.6, 8.5 + 1.6)
"""S1 dorsal foramen by 3D CT, mean +/- SD (Kim et al. 2023, doi 10.3344/kjp.22227)."""

HIATUS_APEX_DEPTH_MM = (SACRAL_HIATUS_MM["apex_depth"] - 1.84, SACRAL_HIATUS_MM["apex_depth"] + 1.84)
HIATUS_HEIGHT_MM = (SACRAL_HIATUS_MM["height"] - 8.65, SACRAL_HIATUS_MM["height"] + 8.65)
"""Canal depth at the hiatus apex and height of the hiatus, mean +/- SD; the apex at the S4
level in 78.7 % of 155 sacra (Nastoulis et al. 2023, doi 10.5603/FM.a2022.0078)."""


@pytest.fixture(scope="module")
def frame():
    """Origin and frame of the sacrum, and the S1 landmarks, from the reference L5."""
    mesh = reference_vertebra("L5")
    l5 = vertebra_landmarks(mesh.vertices, mesh.faces, reference_tilts_deg()["L5"])
    origin, rows = sacrum_frame(l5)
    return origin, rows, sacrum_landmarks(l5), l5


@pytest.fixture(scope="module")
def sacrum(anatomy):
    return anatomy.parts["sacrum"].mesh("healthy")


def _crossings(mesh, frame, starts_local, direction_local):
    """Local-frame distances of every surface crossing along rays from ``starts_local``."""
    origin, rows = frame[:2]
    starts = to_world(np.atleast_2d(starts_local), origin, rows)
    direction = np.asarray(direction_local, float) @ rows
    hits, ray, _ = mesh.ray.intersects_location(starts, np.tile(direction, (len(starts), 1)), multiple_hits=True)
    return [np.sort((hits[ray == i] - starts[i]) @ direction) for i in range(len(starts))]


def _midline_crossings(mesh, frame, z):
    """Local y of the crossings of the midline ray (front to back) at local height ``z``."""
    return _crossings(mesh, frame, [0.0, -60.0, z], [0.0, 1.0, 0.0])[0] - 60.0


def test_canal_is_roofed_from_s1_to_s3_and_open_at_the_hiatus(anatomy, sacrum, frame):
    """Front to back on the midline: body, canal, roof (fused laminae), out; below the
    hiatus apex only body and canal. The apex lies in the S4 segment (between the S3 and
    S4 foramina), the hiatus and the canal depth at its apex are of the published size,
    the roof's front at mid-S1 is the S1 landmark the L5-S1 ligamentum flavum attaches
    to, and the dural sac keeps its clearance inside."""
    for z in (-16.0, -30.0, -45.0, -60.0, -75.0):
        assert len(_midline_crossings(sacrum, frame, z)) == 4, z
    heights = np.arange(-60.0, -100.0, -0.5)
    starts = np.stack([np.zeros_like(heights), np.full_like(heights, -60.0), heights], axis=1)
    roofed = np.array([len(hits) == 4 for hits in _crossings(sacrum, frame, starts, [0.0, 1.0, 0.0])])
    apex = heights[np.argmin(roofed)]
    assert roofed[heights > apex].all() and not roofed[heights <= apex].any()
    assert SACRAL_FORAMINA_MM["S3"][0] > apex > SACRAL_FORAMINA_MM["S4"][0] - 2.5
    bottom = to_local(sacrum.vertices, *frame[:2])[:, 2].min()
    assert HIATUS_HEIGHT_MM[0] <= apex - bottom <= HIATUS_HEIGHT_MM[1]
    depth = np.diff(_midline_crossings(sacrum, frame, apex + 1.0)[1:3])[0]
    assert HIATUS_APEX_DEPTH_MM[0] <= depth <= HIATUS_APEX_DEPTH_MM[1]
    s1_marks = frame[2]
    lamina_front = to_local(s1_marks.body_centre_mm, *frame[:2])[1] + s1_marks.lamina_front_mm
    assert _midline_crossings(sacrum, frame, -14.0)[2] == pytest.approx(lamina_front, abs=1.0)
    sac = anatomy.parts["dural_sac"].positions_mm["healthy"].astype(float)
    inside = to_local(sac, *frame[:2])[:, 2] < 0.0
    clearance = -trimesh.proximity.signed_distance(sacrum, sac[inside])
    assert clearance.min() >= 2 * DURAL_SAC_WALL_GAP_MM


def _transmission(sacrum, frame, step_mm=0.5):
    """Which front-to-back rays (local y) over the sacrum pass through it, on a grid of (x, z)."""
    xs = np.arange(-50.0, 50.0 + step_mm, step_mm)
    zs = np.arange(-105.0, -10.0, step_mm)
    grid = np.stack(np.meshgrid(xs, zs, indexing="ij"), axis=-1).reshape(-1, 2)
    starts = to_world(np.stack([grid[:, 0], np.full(len(grid), -60.0), grid[:, 1]], 1), *frame[:2])
    hit = sacrum.ray.intersects_any(starts, np.tile(frame[1][1], (len(starts), 1)))
    return xs, zs, hit.reshape(len(xs), len(zs))


def test_four_pairs_of_foramina_pass_through_from_back_to_front(sacrum, frame):
    """Rays through the sacrum from front to back: exactly eight enclosed see-through
    openings (the foramina, dorsal over pelvic), four a side at the expected levels,
    S1 the largest and shrinking caudally, with bone bridging between them."""
    xs, zs, hit = _transmission(sacrum, frame)
    holes = ndimage.binary_fill_holes(hit) & ~hit
    labels, count = ndimage.label(holes)
    assert count == 8
    found = {}
    for index in range(1, count + 1):
        ix, iz = np.nonzero(labels == index)
        centre = np.array([xs[ix].mean(), zs[iz].mean()])
        level = min(SACRAL_FORAMINA_MM, key=lambda k: abs(SACRAL_FORAMINA_MM[k][0] - centre[1]))
        side = "left" if centre[0] > 0 else "right"
        found[(level, side)] = (centre, len(ix) * 0.25, np.ptp(xs[ix]) + 0.5)
    assert len(found) == 8
    for side, sign in (("left", 1.0), ("right", -1.0)):
        areas = [found[(level, side)][1] for level in SACRAL_FORAMINA_MM]
        assert areas == sorted(areas, reverse=True), (side, areas)
        for level, (level_z, centre_x, *_) in SACRAL_FORAMINA_MM.items():
            centre = found[(level, side)][0]
            assert abs(centre[1] - level_z) < 2.5 and abs(sign * centre[0] - centre_x) < 2.5, (level, side, centre)
        centre, _, width = found[("S1", side)]
        assert S1_DORSAL_FROM_MIDLINE_MM[0] <= sign * centre[0] <= S1_DORSAL_FROM_MIDLINE_MM[1]
        assert S1_DORSAL_WIDTH_MM[0] <= width <= S1_DORSAL_WIDTH_MM[1]
        levels = list(SACRAL_FORAMINA_MM.values())
        for upper, lower in zip(levels[:-1], levels[1:]):
            between = np.array([sign * 0.5 * (upper[1] + lower[1]), -60.0, 0.5 * (upper[0] + lower[0])])
            depths = _crossings(sacrum, frame, between, [0.0, 1.0, 0.0])[0]
            assert len(depths) >= 2
            assert sacrum.contains(to_world([between + [0.0, depths[:2].mean(), 0.0]], *frame[:2]))[0]


def test_pelvic_foramina_are_wider_than_the_dorsal_ones(sacrum, frame):
    """Beside each dorsal foramen (1.5 mm in from its medial rim) a ray from behind meets
    bone at the dorsal surface, while a ray from the front enters the pelvic foramen,
    which reaches 3 mm further medially, and runs at least 8 mm deeper than on the
    pelvic surface between levels."""
    levels = list(SACRAL_FORAMINA_MM.values())
    for sign in (1.0, -1.0):
        for index, (level_z, centre_x, dorsal_w, *_) in enumerate(levels):
            beside = np.array([sign * (centre_x - 0.5 * dorsal_w - 1.5), 0.0, level_z])
            neighbour = levels[index + 1] if index + 1 < len(levels) else levels[index - 1]
            between = np.array([sign * centre_x, 0.0, 0.5 * (level_z + neighbour[0])])
            front_beside = _crossings(sacrum, frame, beside - [0.0, 60.0, 0.0], [0.0, 1.0, 0.0])[0][0]
            front_between = _crossings(sacrum, frame, between - [0.0, 60.0, 0.0], [0.0, 1.0, 0.0])[0][0]
            back_beside = _crossings(sacrum, frame, beside + [0.0, 80.0, 0.0], [0.0, -1.0, 0.0])[0]
            assert len(back_beside) >= 2, (sign, level_z)
            assert front_beside - front_between > 8.0, (sign, level_z, front_beside, front_between)


def test_pelvic_surface_is_concave_with_transverse_ridges_at_the_fused_discs(sacrum, frame):
    """Down the midline of the pelvic surface: hollow behind the chord from the promontory
    to the apex, with a forward ridge at each of the four foramina levels, where the
    bodies fused."""
    zs = np.arange(-2.0, -104.0, -0.5)
    front = np.array([_crossings(sacrum, frame, [0.0, -60.0, z], [0.0, 1.0, 0.0])[0][0] - 60.0 for z in zs])
    chord = front[0] + (front[-1] - front[0]) * (zs - zs[0]) / (zs[-1] - zs[0])
    assert (front - chord).max() > 5.0
    relief = ndimage.uniform_filter1d(front, 25, mode="nearest") - front
    peaks = [i for i in range(1, len(zs) - 1) if relief[i] >= relief[i - 1] and relief[i] > relief[i + 1]
             and relief[i] > 0.4]
    ridge_z = zs[peaks]
    for level_z, *_ in SACRAL_FORAMINA_MM.values():
        assert np.abs(ridge_z - level_z - 1.5).min() < 3.0, (level_z, ridge_z)


def test_base_and_length_in_published_ranges_with_s1_endplate_under_l5(sacrum, frame):
    """Width across the alae and promontory-to-apex length inside the published ranges;
    the S1 endplate carries L5's lower endplate outline across the disc (its rim, 1 mm
    inside the endplate, lies on the bone: within 0.5 mm outside to 2 mm inside)."""
    local = to_local(sacrum.vertices, *frame[:2])
    assert BASE_WIDTH_MM[0] <= np.ptp(local[:, 0]) <= BASE_WIDTH_MM[1]
    rim = to_local(frame[2].superior_outline_mm, *frame[:2])
    promontory = rim[np.argmin(rim[:, 1])]
    apex = local[np.argmin(local[:, 2])]
    assert LENGTH_MM[0] <= np.linalg.norm(apex - promontory) <= LENGTH_MM[1]
    depth = trimesh.proximity.signed_distance(sacrum, frame[2].superior_outline_mm)
    assert depth.min() > -0.5 and depth.max() < 2.0


def test_s1_superior_facets_meet_l5_across_the_joint_space(anatomy, sacrum, frame):
    """Each L5 inferior articular process lies just behind the S1 superior articular
    process: no bone overlap, and the nearest gap close to the joint space."""
    l5 = anatomy.parts["L5"].mesh("healthy")
    for tip in frame[3].inferior_facets_mm:
        process = l5.vertices[np.linalg.norm(l5.vertices - tip, axis=1) < 12.0]
        gap = -trimesh.proximity.signed_distance(sacrum, process)
        assert gap.min() > FACET_JOINT_SPACE_MM - 0.6
        assert gap.min() < FACET_JOINT_SPACE_MM + 1.0
        closest = process[np.argmin(gap)]
        facet = sacrum.nearest.on_surface([closest])[0][0]
        assert to_local(facet - closest, np.zeros(3), frame[1])[1] < 0.0
