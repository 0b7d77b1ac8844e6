"""MILD decompression: booleans, removal order, and the safety of the sac and roots.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior).
"""

from __future__ import annotations

import numpy as np
import trimesh
from scipy.spatial import cKDTree

from viz.models import ligament
from viz.models.decompression import ANTERIOR_KEEP
from viz.models.assemble import DETAIL
from viz.models.geometry import SurfaceProbe, make_mesh

SIDES = ("left", "right")


def _bites(anatomy):
    out = []
    for part in anatomy.parts.values():
        out += [(part, bite) for bite in part.bites]
    return sorted(out, key=lambda item: item[1].order)


def test_bites_exist_only_at_the_stenotic_level(anatomy):
    owners = {part.name for part, _ in _bites(anatomy)}
    assert owners == {"L4", "ligamentum_flavum_L4-L5_left", "ligamentum_flavum_L4-L5_right"}


def test_removal_order_left_then_right_lateral_to_medial(anatomy):
    bites = _bites(anatomy)
    assert [b.order for _, b in bites] == list(range(len(bites)))
    assert [b.t for _, b in bites] == sorted(b.t for _, b in bites)
    assert 0.0 < bites[0][1].t and bites[-1][1].t == 1.0
    sides = [b.side for _, b in bites]
    assert sides == sorted(sides, key=SIDES.index)
    for side in SIDES:
        mine = [b for _, b in bites if b.side == side]
        assert mine[0].tissue == "bone"
        lateral = [abs(b.centre_mm[0] - anatomy.levels["L4-L5"].origin_mm[0]) for b in mine if b.tissue == "ligament"]
        assert len(lateral) >= 3 and lateral == sorted(lateral, reverse=True)
        sign = 1.0 if side == "left" else -1.0
        assert all(sign * (b.centre_mm[0] - anatomy.levels["L4-L5"].origin_mm[0]) > 0 for b in mine)


def test_bites_are_closed_separate_shells(anatomy):
    for part, bite in _bites(anatomy):
        positions = part.positions_mm["stenosis"].astype(float)
        inside = (part.faces >= bite.start) & (part.faces < bite.stop)
        assert (inside.all(axis=1) | ~inside.any(axis=1)).all(), part.name
        shell = make_mesh(positions, part.faces[inside.all(axis=1)])
        shell.remove_unreferenced_vertices()
        assert shell.is_watertight and shell.volume > 0.5, part.name
        assert abs(shell.volume - bite.volume_mm3) < 0.05 * bite.volume_mm3 + 0.5


def test_ligament_bites_lie_inside_the_ligament_with_no_cut_face_showing(anatomy):
    """Each ligament bite is enclosed by the stenotic ligament (at least 0.1 mm inside
    its surface), so before it is removed no cut face shows on the outside (a core that
    reached the surface left a serrated edge along the ligament's upper attachment)."""
    level = anatomy.levels["L4-L5"]
    for side in SIDES:
        slab = ligament.slab_mesh(level, side, 1.0, DETAIL["web"]["ligament_cells"])
        probe = SurfaceProbe([slab])
        part = anatomy.parts[f"ligamentum_flavum_L4-L5_{side}"]
        positions = part.positions_mm["stenosis"].astype(float)
        for bite in part.bites:
            assert probe.signed_mm(positions[bite.start:bite.stop]).max() < -0.1, (side, bite.order)


def test_boolean_pieces_add_up_to_the_stenotic_ligament(anatomy):
    level = anatomy.levels["L4-L5"]
    for side in SIDES:
        part = anatomy.parts[f"ligamentum_flavum_L4-L5_{side}"]
        whole = make_mesh(part.positions_mm["stenosis"].astype(float), part.faces).volume
        slab = ligament.slab_mesh(level, side, 1.0, (40, 30, 8)).volume
        assert abs(whole - slab) / slab < 0.02
        removed = sum(b.volume_mm3 for b in part.bites)
        assert 0.4 * slab < removed < 0.85 * slab


def test_decompression_never_enters_the_dural_sac_or_nerve_roots(anatomy):
    sac = anatomy.parts["dural_sac"].mesh("stenosis")
    guarded = [sac] + [p.mesh("stenosis") for n, p in anatomy.parts.items() if n.startswith("nerve_root")]
    guarded += [anatomy.parts["cauda_equina"].mesh("stenosis")]
    for part, bite in _bites(anatomy):
        points = part.positions_mm["stenosis"][bite.start:bite.stop].astype(float)
        for mesh in guarded:
            assert not mesh.contains(points).any(), part.name
        surface, _ = trimesh.sample.sample_surface_even(sac, 20000, seed=1)
        distance = cKDTree(surface).query(points)[0].min()
        assert distance > 0.5, (part.name, distance)


def test_a_layer_of_ligament_always_shields_the_sac(anatomy):
    level = anatomy.levels["L4-L5"]
    for side in SIDES:
        part = anatomy.parts[f"ligamentum_flavum_L4-L5_{side}"]
        for bite in part.bites:
            local = level.local(part.positions_mm["stenosis"][bite.start:bite.stop].astype(float))
            depth = ligament.local_to_param(level, side, local, 1.0)[:, 2]
            assert depth.max() <= 1.0 - ANTERIOR_KEEP + 1e-3


def test_removed_tissue_disappears_with_progress(anatomy):
    part = anatomy.parts["ligamentum_flavum_L4-L5_left"]
    counts = [len(part.kept_faces(t)) for t in (0.0, 0.3, 0.6, 1.0)]
    assert counts[0] == len(part.faces)
    assert counts == sorted(counts, reverse=True) and counts[-1] < counts[0]
    assert len(part.mesh("decompressed").faces) == counts[-1]
