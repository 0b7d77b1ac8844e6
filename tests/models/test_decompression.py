"""MILD decompression: booleans, removal order, and the safety of the sac and roots.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior).
"""

from __future__ import annotations

import numpy as np
import trimesh
from scipy.spatial import cKDTree

from viz.models import ligament
from viz.models.decompression import ANTERIOR_KEEP, BITE_INSET_MM, POSTERIOR_KEEP
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


def test_ligament_bites_lie_inside_the_ligament_and_show_only_its_back(anatomy):
    """Each ligament bite lies inside the stenotic ligament, and the only part of a bite on
    the ligament's outer surface is its posterior skin (depth at most ``POSTERIOR_KEEP``):
    before removal no cut shows on the ligament, and the tools, coming from behind,
    open it toward the portal."""
    level = anatomy.levels["L4-L5"]
    for side in SIDES:
        slab = ligament.slab_mesh(level, side, 1.0, DETAIL["web"]["ligament_cells"])
        probe = SurfaceProbe([slab])
        part = anatomy.parts[f"ligamentum_flavum_L4-L5_{side}"]
        positions = part.positions_mm["stenosis"].astype(float)
        on_back = 0
        for bite in part.bites:
            points = positions[bite.start:bite.stop]
            signed = probe.signed_mm(points)
            assert signed.max() < 0.01, (side, bite.order)
            surface = points[signed > -0.1]
            depth = ligament.local_to_param(level, side, level.local(surface), 1.0)[:, 2]
            assert (depth <= POSTERIOR_KEEP + 0.05).all(), (side, bite.order)
            on_back += len(surface)
        assert on_back > 50, side


def test_boolean_pieces_add_up_to_the_stenotic_ligament(anatomy):
    """Remnant and bites fill the stenotic ligament (each bite is drawn ``BITE_INSET_MM``
    inside its cut, which accounts for its surface times that inset)."""
    level = anatomy.levels["L4-L5"]
    for side in SIDES:
        part = anatomy.parts[f"ligamentum_flavum_L4-L5_{side}"]
        positions = part.positions_mm["stenosis"].astype(float)
        whole = make_mesh(positions, part.faces).volume
        inset = sum(make_mesh(positions, part.faces[(part.faces >= b.start).all(axis=1)
                                                    & (part.faces < b.stop).all(axis=1)]).area
                    for b in part.bites) * BITE_INSET_MM
        slab = ligament.slab_mesh(level, side, 1.0, (40, 30, 8)).volume
        assert abs(whole + inset - slab) / slab < 0.02
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


def _tissue_along(mesh, starts, ends):
    """Per line segment from ``starts`` to ``ends``: the (entry, exit) distances of the
    tissue it crosses, mm from its start."""
    directions = (ends - starts) / np.linalg.norm(ends - starts, axis=1, keepdims=True)
    locations, rays, _ = mesh.ray.intersects_location(starts, directions, multiple_hits=True)
    out = []
    for k in range(len(starts)):
        hits = np.sort(np.linalg.norm(locations[rays == k] - starts[k], axis=1))
        out.append(hits[: len(hits) // 2 * 2].reshape(-1, 2))
    return out


def test_removal_opens_toward_the_portal_and_leaves_a_thin_front_layer(anatomy, state_metrics):
    """After MILD, lines crossing the middle of each treated ligament from behind along its
    normal (in the mid-disc plane) meet no tissue in the back half of where the healthy
    ligament lay, then one thin front layer over the sac, 1.0-2.5 mm thick; the reported
    thickness after MILD is that layer (within 0.3 mm), thinner than a healthy ligament."""
    level = anatomy.levels["L4-L5"]
    mid_disc = (0.0 - ligament.HEIGHT_BOTTOM_MM) / (ligament.HEIGHT_TOP_MM - ligament.HEIGHT_BOTTOM_MM)
    s = np.linspace(0.25, 0.75, 11)
    for side in SIDES:
        mesh = anatomy.parts[f"ligamentum_flavum_L4-L5_{side}"].mesh("decompressed")
        behind, healthy_back, healthy_middle, front = (
            level.world(ligament.param_to_local(level, side, s, mid_disc, d, 0.0)) for d in (-2.0, 0.0, 0.5, 3.0))
        layers = []
        for start, back, middle, tissue in zip(behind, healthy_back, healthy_middle,
                                               _tissue_along(mesh, behind, front)):
            assert len(tissue) == 1, (side, tissue)
            assert tissue[0, 0] > np.linalg.norm(middle - start), side
            layers.append(tissue[0, 1] - tissue[0, 0])
        assert 1.0 <= min(layers) and max(layers) <= 2.5, (side, layers)
        reported = state_metrics["decompressed"]["levels"]["L4-L5"]["lf_thickness_mm"][side]
        assert abs(reported - max(layers)) < 0.3, (side, reported, layers)
        assert reported < state_metrics["healthy"]["levels"]["L4-L5"]["lf_thickness_mm"][side] - 1.0
