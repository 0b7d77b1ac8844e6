"""Structure, validity, frame and dimensions of the built anatomy.

Frame and units: millimetres; LPS+ (+x left, +y posterior, +z superior).
Dimension ranges are the CT cohort ranges of Clouthier et al. 2023
(doi 10.1016/j.jbiomech.2022.111421) listed in ``../shared/ANATOMY.md``.
"""

from __future__ import annotations

import numpy as np
import pytest
import trimesh

from viz.models.anatomy import GROUPS, LEVELS, STATES
from viz.models.assemble import DETAIL
from viz.models.geometry import SurfaceProbe
from viz.models.landmarks import vertebra_landmarks
from viz.models.vertebrae import reference_tilts_deg

REQUIRED = ["L1", "L2", "L3", "L4", "L5", "sacrum", *LEVELS, "dural_sac", "cauda_equina"] + [
    f"ligamentum_flavum_{level}_{side}" for level in LEVELS for side in ("left", "right")]

RANGES_MM = {
    "body_depth_mm": (29.5, 42.0),
    "body_height_mm": (23.5, 32.4),
    "body_width_mm": (39.4, 58.8),
    "canal_ap_mm": (13.0, 20.4),
    "canal_width_mm": (21.5, 31.8),
}
"""Cohort ranges (87 CT scans) from ANATOMY.md."""

SOFT_TISSUES = [*LEVELS] + [f"ligamentum_flavum_{level}_{side}" for level in LEVELS for side in ("left", "right")]
"""Every disc and ligamentum flavum: what the sac and the roots must run around."""


def _inside(mesh: trimesh.Trimesh, points: np.ndarray) -> tuple[float, float]:
    """Share of ``points`` inside the closed ``mesh``, and how deep the deepest lies (0 when none does), mm."""
    inside = np.zeros(len(points), dtype=bool)
    near = np.flatnonzero(((points >= mesh.bounds[0]) & (points <= mesh.bounds[1])).all(axis=1))
    inside[near] = mesh.contains(points[near])          # only points within the bounds can be inside
    depth = float(trimesh.proximity.signed_distance(mesh, points[inside]).max()) if inside.any() else 0.0
    return float(inside.mean()), depth


def test_required_structures_and_groups(anatomy):
    assert set(REQUIRED) <= set(anatomy.parts)
    assert {f"nerve_root_{v}_{s}" for v in ("L1", "L2", "L3", "L4", "L5") for s in ("left", "right")} \
        <= set(anatomy.parts)
    assert {p.group for p in anatomy.parts.values()} <= set(GROUPS)
    assert list(anatomy.levels) == list(LEVELS)


@pytest.mark.parametrize("state", STATES)
def test_every_part_is_watertight_with_outward_normals(anatomy, state):
    for name, part in anatomy.parts.items():
        mesh = part.mesh(state)
        assert mesh.is_watertight, (name, state)
        assert mesh.is_winding_consistent, (name, state)
        shells = mesh.split(only_watertight=False)
        solids = [shell for shell in shells if shell.volume > 1e-3]
        for shell in shells:
            if shell.volume < -1e-3:  # a cavity (a ligament's removed core): inside one of the solids
                assert any(solid.contains(shell.vertices).all() for solid in solids), (name, state)
        assert mesh.volume > 0, (name, state)


def test_same_vertex_count_and_order_across_states(anatomy):
    for name, part in anatomy.parts.items():
        shapes = {part.positions_mm[state].shape for state in STATES}
        assert len(shapes) == 1, name
        assert part.faces.dtype == np.int32 and part.faces.max() < shapes.pop()[0]
        assert all(part.positions_mm[s].dtype == np.float32 for s in STATES)


def test_web_level_of_detail_fits_the_budget(anatomy):
    assert anatomy.lod == "web"
    assert anatomy.triangle_count() <= 150_000


def test_frame_bodies_in_front_of_canal_l1_on_top_left_is_plus_x(anatomy):
    tilts = reference_tilts_deg()
    tilts["L1"] = 2 * tilts["L2"] - tilts["L3"]
    centres = {}
    for name in ("L1", "L2", "L3", "L4", "L5"):
        mesh = anatomy.parts[name].mesh("healthy")
        marks = vertebra_landmarks(mesh.vertices, mesh.faces, tilts[name])
        assert marks.body_centre_mm[1] < marks.canal_centre_mm[1] - 15.0, name
        centres[name] = marks.body_centre_mm
    heights = [centres[n][2] for n in ("L1", "L2", "L3", "L4", "L5")]
    assert heights == sorted(heights, reverse=True)
    assert anatomy.parts["sacrum"].mesh("healthy").centroid[2] < heights[-1]
    for side, sign in (("left", 1), ("right", -1)):
        root = anatomy.parts[f"nerve_root_L4_{side}"].mesh("healthy")
        ligament = anatomy.parts[f"ligamentum_flavum_L4-L5_{side}"].mesh("healthy")
        assert sign * (root.centroid[0] - centres["L4"][0]) > 10.0
        assert sign * (ligament.centroid[0] - centres["L4"][0]) > 3.0
    assert anatomy.parts["dural_sac"].mesh("healthy").centroid[1] > centres["L3"][1] + 15.0


def test_vertebra_dimensions_inside_cohort_ranges(anatomy):
    tilts = reference_tilts_deg()
    tilts["L1"] = 2 * tilts["L2"] - tilts["L3"]
    for name in ("L1", "L2", "L3", "L4", "L5"):
        mesh = anatomy.parts[name].mesh("healthy")
        marks = vertebra_landmarks(mesh.vertices, mesh.faces, tilts[name])
        measured = {
            "body_depth_mm": marks.body_depth_mm,
            "body_height_mm": marks.body_height_mm,
            "body_width_mm": float(np.ptp(marks.local(marks.superior_outline_mm)[:, 0])),
            "canal_ap_mm": marks.canal_ap_mm,
            "canal_width_mm": marks.canal_width_mm,
        }
        for key, (low, high) in RANGES_MM.items():
            assert low <= measured[key] <= high, (name, key, measured[key])


def test_disc_heights_inside_cohort_range(anatomy):
    for name, level in anatomy.levels.items():
        upper = anatomy.parts[level.upper].mesh("healthy")
        lower = anatomy.parts[level.lower].mesh("healthy")
        axis = level.frame[2]
        gap = 0.0
        for mesh, direction in ((upper, axis), (lower, -axis)):
            hits, _, _ = mesh.ray.intersects_location([level.disc_centre_mm], [direction])
            gap += float(np.min((hits - level.disc_centre_mm) @ direction))
        assert 3.1 <= gap <= 11.4, (name, gap)


def test_discs_fill_the_space_between_bodies(anatomy):
    for name, level in anatomy.levels.items():
        disc = anatomy.parts[name].mesh("healthy")
        assert disc.contains([level.disc_centre_mm])[0], name
        assert 4_000 < disc.volume < 20_000, name


def test_rootlets_stay_inside_the_dural_sac(anatomy):
    for state in STATES:
        sac = anatomy.parts["dural_sac"].mesh(state)
        rootlets = anatomy.parts["cauda_equina"].positions_mm[state].astype(float)
        sample = rootlets[:: max(1, len(rootlets) // 1500)]
        assert sac.contains(sample).mean() > 0.995, state


def test_dural_sac_is_clear_of_every_ligament_and_disc(anatomy):
    for state in STATES:
        sac_vertices = anatomy.parts["dural_sac"].positions_mm[state].astype(float)
        for name in SOFT_TISSUES:
            mesh = anatomy.parts[name].mesh(state)
            assert not mesh.contains(sac_vertices).any(), (state, name)


def test_each_ligamentum_flavum_runs_lamina_to_lamina_behind_the_sac(anatomy):
    """Each ligament's upper end is anchored in the upper vertebra's lamina and its lower
    end in the lower one's (reaching into bone or within 0.5 mm of it), and at mid-disc it
    lies behind the dural sac: the back wall of the canal between the laminae."""
    for name, level in anatomy.levels.items():
        upper = SurfaceProbe([anatomy.parts[level.upper].mesh("healthy")])
        lower = SurfaceProbe([anatomy.parts[level.lower].mesh("healthy")])
        sac = level.local(anatomy.parts["dural_sac"].positions_mm["healthy"].astype(float))
        sac_back = sac[np.abs(sac[:, 2]) < 2.0][:, 1].max()
        for side in ("left", "right"):
            vertices = anatomy.parts[f"ligamentum_flavum_{name}_{side}"].mesh("healthy").vertices
            local = level.local(vertices)
            top = local[:, 2] > np.percentile(local[:, 2], 80)
            bottom = local[:, 2] < np.percentile(local[:, 2], 20)
            assert upper.signed_mm(vertices[top]).min() < 0.5, (name, side)
            assert lower.signed_mm(vertices[bottom]).min() < 0.5, (name, side)
            assert np.median(local[np.abs(local[:, 2]) < 2.0][:, 1]) > sac_back, (name, side)


def test_stenosis_deforms_the_soft_tissue_not_the_distant_bones(anatomy):
    for name in ("L1", "L2", "L3", "sacrum"):
        part = anatomy.parts[name]
        assert np.array_equal(part.positions_mm["healthy"], part.positions_mm["stenosis"]), name
    for name in ("dural_sac", "cauda_equina", "L4-L5", "L4", "L5"):
        part = anatomy.parts[name]
        moved = np.linalg.norm(part.positions_mm["stenosis"] - part.positions_mm["healthy"], axis=1)
        assert moved.max() > 1.0, name


def test_severity_zero_gives_a_healthy_spine():
    from viz.models.anatomy import build_anatomy
    from viz.models.metrics import anatomy_state_metrics

    healthy = build_anatomy("web", severity={})
    metrics = anatomy_state_metrics(healthy, "stenosis")["levels"]
    assert all(m["dural_sac_csa_mm2"] >= 120.0 for m in metrics.values())
    assert not any(p.bites for p in healthy.parts.values())
    assert isinstance(healthy.parts["L4"].mesh("stenosis"), trimesh.Trimesh)


def test_bad_arguments_are_refused():
    from viz.models.anatomy import build_anatomy

    with pytest.raises(ValueError):
        build_anatomy("ultra")
    with pytest.raises(ValueError):
        build_anatomy("web", severity={"L9-L10": 1.0})


def test_dural_sac_and_nerve_roots_do_not_pass_through_bone(anatomy):
    """At most a graze: anything inside bone lies within 0.3 mm of its surface
    (the web bones are decimated, about 0.2 mm from the reference surface)."""
    bones = ("L1", "L2", "L3", "L4", "L5", "sacrum")
    for state in STATES:
        bone_meshes = [anatomy.parts[b].mesh(state) for b in bones]
        for name, part in anatomy.parts.items():
            if name == "dural_sac" or name.startswith("nerve_root"):
                vertices = part.positions_mm[state].astype(float)
                for bone, mesh in zip(bones, bone_meshes):
                    share, depth = _inside(mesh, vertices)
                    assert share < 0.002, (state, name, bone)
                    assert depth < 0.3, (state, name, bone, depth)


def test_l5_root_crosses_l4_l5_in_the_lateral_recess_and_exits_below(anatomy):
    l4_l5, l5_s1 = anatomy.levels["L4-L5"], anatomy.levels["L5-S1"]
    for side, sign in (("left", 1.0), ("right", -1.0)):
        l5_root = l4_l5.local(anatomy.parts[f"nerve_root_L5_{side}"].mesh("healthy").vertices)
        crossing = l5_root[np.abs(l5_root[:, 2]) < 1.0]
        assert len(crossing) and (sign * crossing[:, 0]).max() < 13.0
        l4_root = l4_l5.local(anatomy.parts[f"nerve_root_L4_{side}"].mesh("healthy").vertices)
        assert (sign * l4_root[:, 0]).max() > 25.0
        below = l5_s1.local(anatomy.parts[f"nerve_root_L5_{side}"].mesh("healthy").vertices)
        assert (sign * below[np.abs(below[:, 2]) < 8.0][:, 0]).max() > 12.0


def test_stenosis_crowds_the_l5_roots_in_the_lateral_recess_and_mild_relieves_them(anatomy):
    """The L5 roots crossing L4-L5 are pushed or flattened by the thickened ligament,
    the bulging disc and the enlarged facets, less so once the ligament is removed;
    roots far from the stenotic level do not move."""
    level = anatomy.levels["L4-L5"]
    for side in ("left", "right"):
        part = anatomy.parts[f"nerve_root_L5_{side}"]
        near = np.abs(level.local(part.positions_mm["healthy"].astype(float))[:, 2]) < 12.0
        moved = {state: np.linalg.norm(part.positions_mm[state] - part.positions_mm["healthy"], axis=1)[near].max()
                 for state in ("stenosis", "decompressed")}
        assert moved["stenosis"] > 0.5, (side, moved)
        assert moved["decompressed"] < 0.5 * moved["stenosis"], (side, moved)
        for name in ("nerve_root_L1", "nerve_root_L2"):
            other = anatomy.parts[f"{name}_{side}"]
            assert np.array_equal(other.positions_mm["healthy"], other.positions_mm["stenosis"])


def test_roots_never_enter_the_removed_tissue(anatomy):
    """Bites are cut from the stenotic ligament: while they are removed (stenosis to
    decompressed) no root lies inside one."""
    bites = [(part, bite) for part in anatomy.parts.values() for bite in part.bites]
    for state in ("stenosis", "decompressed"):
        for side in ("left", "right"):
            for root in ("L4", "L5"):
                points = anatomy.parts[f"nerve_root_{root}_{side}"].positions_mm[state].astype(float)
                for part, bite in bites:
                    inside = (part.faces >= bite.start) & (part.faces < bite.stop)
                    shell = trimesh.Trimesh(part.positions_mm["stenosis"].astype(float), part.faces[inside.all(axis=1)])
                    assert not shell.contains(points).any(), (state, root, side, bite.order)


def test_roots_clear_every_disc_and_ligament_in_every_state(anatomy):
    """Roots run around the discs and ligamenta flava as around bone; pushed roots are
    flattened, never run through the tissue pressing on them. At most a graze: the web
    ligaments are coarser than the surfaces the roots were routed around."""
    roots = [name for name in anatomy.parts if name.startswith("nerve_root")]
    for state in STATES:
        for name in SOFT_TISSUES:
            mesh = anatomy.parts[name].mesh(state)
            for root in roots:
                _, depth = _inside(mesh, anatomy.parts[root].positions_mm[state].astype(float))
                assert depth < 0.15, (state, root, name, depth)


@pytest.mark.parametrize("bone, level", [("L1", "L1-L2"), ("L2", "L2-L3"), ("L3", "L3-L4"), ("L4", "L4-L5"),
                                         ("L5", "L5-S1")])
def test_each_root_leaves_through_the_upper_foramen_below_its_pedicle(anatomy, bone, level):
    """Each root crosses the foramen between its vertebra and the next one above the
    mid-height of the disc (under the pedicle, ANATOMY.md), then leaves the spine sideways."""
    frame = anatomy.levels[level]
    half = frame.canal_half_width_mm
    for side, sign in (("left", 1.0), ("right", -1.0)):
        rings = anatomy.parts[f"nerve_root_{bone}_{side}"].positions_mm["healthy"].astype(float)
        centres = frame.local(rings[:-2].reshape(-1, DETAIL["web"]["root_ring"], 3).mean(axis=1))
        across = sign * centres[:, 0]
        foraminal = centres[(across > half) & (across < half + 8.0)]
        assert len(foraminal), (bone, side)
        assert foraminal[:, 2].min() > 0.0, (bone, side, foraminal[:, 2].min())
        assert across.max() > half + 20.0, (bone, side)


def test_l4_roots_at_the_l4_l5_foramen_are_relieved_no_more_than_pressed_and_stay_out_of_bone(anatomy):
    """The L4 roots cross the upper L4-L5 foramen, under the pedicle and above the
    bulging disc, where central stenosis mostly spares them: they move only where an
    enlarged facet, the disc or the thickened ligament reaches them, MILD (which leaves
    disc and facets alone) relieves them no more than that, and in no state do they
    enter bone (beyond the 0.3 mm graze allowed for decimated bones)."""
    for side in ("left", "right"):
        part = anatomy.parts[f"nerve_root_L4_{side}"]
        moved = {state: np.linalg.norm(part.positions_mm[state] - part.positions_mm["healthy"], axis=1).max()
                 for state in ("stenosis", "decompressed")}
        assert moved["decompressed"] <= moved["stenosis"] + 1e-6, (side, moved)
        for state in STATES:
            vertices = part.positions_mm[state].astype(float)
            for bone in ("L3", "L4", "L5"):
                _, depth = _inside(anatomy.parts[bone].mesh(state), vertices)
                assert depth < 0.3, (state, side, bone, depth)
