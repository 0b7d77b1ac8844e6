"""The cauda equina's rootlets as a cut through the treated level shows them, against the
Schizas grade the metrics report for it.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior). Schizas et al.,
Spine 2010 (``../shared/ANATOMY.md``): grades A and B, the rootlets can be told apart (A:
they float in clear fluid; B: they fill the sac); C and D, they cannot, the sac shows one
homogeneous mass with no fluid (C: posterior epidural fat left; D: none). The rootlet
outlines are measured here on each rootlet's own section, independently of the metric.
"""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from viz.models.anatomy import STATES

LEVEL = "L4-L5"


def _outlines(mesh: trimesh.Trimesh, level) -> list[np.ndarray]:
    """Each closed outline of ``mesh`` in the level's mid-disc plane, as (k, 2) level-frame points."""
    section = mesh.section(plane_origin=level.origin_mm, plane_normal=level.frame[2])
    if section is None:
        return []
    loops = [level.local(np.asarray(line))[:, :2] for line in section.discrete]
    return [loop[:-1] if np.allclose(loop[0], loop[-1]) else loop for loop in loops]


def _inside(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Even-odd test of 2D points against one closed polygon."""
    a, b = polygon, np.roll(polygon, -1, axis=0)
    x, y = points[:, 0, None], points[:, 1, None]
    crosses = (a[:, 1] > y) != (b[:, 1] > y)
    at = a[:, 0] + (y - a[:, 1]) * (b[:, 0] - a[:, 0]) / np.where(b[:, 1] == a[:, 1], 1.0, b[:, 1] - a[:, 1])
    return (crosses & (x < at)).sum(axis=1) % 2 == 1


def _gap_mm(a: np.ndarray, b: np.ndarray) -> float:
    """Smallest distance between two polygon outlines, 0 when one reaches into the other."""
    if _inside(a, b).any() or _inside(b, a).any():
        return 0.0
    start, edge = b, np.roll(b, -1, axis=0) - b
    length2 = np.maximum(np.einsum("jk,jk->j", edge, edge), 1e-12)
    t = np.clip(np.einsum("ijk,jk->ij", a[:, None] - start, edge) / length2, 0, 1)
    return float(np.linalg.norm(a[:, None] - (start + t[..., None] * edge), axis=2).min())


def rootlet_sections(anatomy, level) -> dict[str, tuple[list[np.ndarray], np.ndarray]]:
    """Per state: each rootlet's outline and the dural sac's outline in ``level``'s mid-disc plane."""
    out = {}
    for state in STATES:
        rootlets = anatomy.parts["cauda_equina"].mesh(state).split(only_watertight=False)
        outlines = [loop for tube in rootlets for loop in _outlines(tube, level)]
        sac = max(_outlines(anatomy.parts["dural_sac"].mesh(state), level), key=len)
        out[state] = (outlines, sac)
    return out


@pytest.fixture(scope="module")
def sections(anatomy):
    """Per state: each rootlet's outline and the dural sac's outline at the treated level."""
    return rootlet_sections(anatomy, anatomy.levels[LEVEL])


def _covered_share(outlines, sac) -> float:
    low, high = sac.min(axis=0), sac.max(axis=0)
    grid = np.stack(np.meshgrid(np.arange(low[0], high[0], 0.1), np.arange(low[1], high[1], 0.1)), -1).reshape(-1, 2)
    grid = grid[_inside(grid, sac)]
    covered = np.zeros(len(grid), bool)
    for outline in outlines:
        covered |= _inside(grid, outline)
    return float(covered.mean())


def test_every_rootlet_is_cut(sections):
    for state, (outlines, _) in sections.items():
        assert len(outlines) == 18, state


@pytest.mark.parametrize("state", ["healthy", "decompressed"])
def test_rootlets_apart_in_fluid_where_the_grade_says_a_or_b(sections, state_metrics, state):
    """Healthy and after MILD: every rootlet's section lies at least 0.3 mm from every other
    one, with fluid covering most of the sac, and the grade is A or B ("separate again")."""
    outlines, sac = sections[state]
    gaps = [_gap_mm(a, b) for i, a in enumerate(outlines) for b in outlines[i + 1:]]
    assert min(gaps) >= 0.3, (state, min(gaps))
    assert _covered_share(outlines, sac) < 0.45, state
    assert state_metrics[state]["levels"][LEVEL]["schizas_grade"] in ("A", "B")


def test_rootlets_pressed_into_one_mass_where_the_grade_says_c_or_d(sections, state_metrics):
    """In stenosis the rootlets cannot be told apart: every one touches or overlaps another,
    together they fill at least 80 % of the sac's section (no fluid between them), and the
    grade reported is C or D, as the cut shows it."""
    outlines, sac = sections["stenosis"]
    for i, outline in enumerate(outlines):
        assert min(_gap_mm(outline, other) for j, other in enumerate(outlines) if j != i) == 0.0, i
    assert _covered_share(outlines, sac) >= 0.8
    assert state_metrics["stenosis"]["levels"][LEVEL]["schizas_grade"] in ("C", "D")


def test_reported_rootlet_share_is_the_covered_share(sections, state_metrics):
    """``rootlet_fraction`` is the share of the sac's section the rootlets cover (their union)."""
    for state, (outlines, sac) in sections.items():
        reported = state_metrics[state]["levels"][LEVEL]["rootlet_fraction"]
        assert abs(reported - _covered_share(outlines, sac)) < 0.05, state
