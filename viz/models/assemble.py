"""Assemble every part of the anatomy in every state (used by :func:`build_anatomy`).

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior).
"""

from __future__ import annotations

import numpy as np
import trimesh
from scipy.spatial import cKDTree

from viz.models import ligament
from viz.models.anatomy import LEVELS, STATES, Anatomy, Bite, Part
from viz.models.constants import DURAL_SAC_WALL_GAP_MM
from viz.models.fat import epidural_fat
from viz.models.geometry import SurfaceProbe, decimate, make_mesh, sweep_tube
from viz.models.levels import build_levels, canal_centreline
from viz.models.decompression import ROOT_CLEARANCE_MM, decompress_level, remnant_positions
from viz.models.nerve_roots import (BONE_GAP_MM, TISSUE_GAP_MM, Tissue, contact_push, deform_root, inflate_root,
                                    root_path, root_radius_mm)
from viz.models.soft_tissue import cauda_equina, disc, dural_sac
from viz.models.stenosis import (disc_bulge, facet_growth, facet_joints, keep_clear, keep_within, level_state,
                                 rootlet_positions, sac_map)
from viz.models.sacrum import sacral_canal_points
from viz.models.vertebrae import bones

DETAIL = {
    "web": {"bone_faces": 6000, "sacrum_spacing_mm": 1.6, "sacrum_faces": 12000, "disc_rings": 7,
            "sac_step": 2, "sac_ring": 36, "rootlet_step": 3, "rootlet_ring": 6, "root_samples": 36,
            "root_ring": 8, "ligament_cells": (10, 8, 3), "bite_cells": (4, 6, 2), "fat_cells": (4, 1, 4)},
    "high": {"bone_faces": None, "sacrum_spacing_mm": 1.1, "sacrum_faces": 45000, "disc_rings": 13,
             "sac_step": 1, "sac_ring": 64, "rootlet_step": 1, "rootlet_ring": 10, "root_samples": 90,
             "root_ring": 16, "ligament_cells": (24, 18, 6), "bite_cells": (8, 12, 4), "fat_cells": (8, 2, 8)},
}
"""Resolution of every structure per level of detail."""

BONE_NAMES = ("L1", "L2", "L3", "L4", "L5", "sacrum")

ROOTLET_WALL_GAP_MM = 0.15
"""Rootlets keep at least this much inside the dural sac's wall."""

ROOT_PROBE_LIGAMENT_CELLS = (40, 30, 6)
"""Cells of the dense ligament surface used to find where it presses on a root."""


def _same(vertices: np.ndarray) -> dict[str, np.ndarray]:
    v = np.asarray(vertices, np.float32)
    return {state: v for state in STATES}


def _part(name, group, faces, positions, bites=()):
    return Part(name=name, group=group, faces=np.ascontiguousarray(faces, np.int32),
                positions_mm={k: np.ascontiguousarray(v, np.float32) for k, v in positions.items()},
                bites=tuple(bites))


def _facet_joints_of(name, marks, levels):
    """The facet joints (:func:`facet_joints`) touching bone ``name``, with their level names."""
    return [(facet_joints(marks[lv.upper], marks[lv.lower]), lv.name) for lv in levels.values()
            if name in (lv.upper, lv.lower)]


def _grow(points, normals, joints, states, state):
    moved = np.array(points, float)
    for segments, level_name in joints:
        moved += facet_growth(points, normals, segments, states[state][level_name].facet_growth_mm) - points
    return moved


def _whole_bones(meshes, marks, levels, states):
    """Each uncut bone in every state (one shell, facets grown): what the sac and roots keep clear of."""
    out = {}
    for name in BONE_NAMES:
        mesh, joints = meshes[name], _facet_joints_of(name, marks, levels)
        normals = np.asarray(mesh.vertex_normals)
        out[name] = {state: make_mesh(_grow(mesh.vertices, normals, joints, states, state), mesh.faces)
                     for state in STATES}
    return out


def _bone_parts(meshes, marks, levels, states, cuts):
    """Bone parts as (faces, positions, bite entries); ``cuts`` maps a bone to (remains, pieces)."""
    parts = {}
    for name in BONE_NAMES:
        mesh, joints = meshes[name], _facet_joints_of(name, marks, levels)
        remains, pieces = cuts.get(name, (mesh, []))
        shells = [remains] + [p.mesh for p in pieces]
        vertices = np.concatenate([s.vertices for s in shells])
        offsets = np.cumsum([0] + [len(s.vertices) for s in shells])
        faces = np.concatenate([s.faces + o for s, o in zip(shells, offsets)])
        normals = np.asarray(mesh.vertex_normals)[cKDTree(mesh.vertices).query(vertices)[1]]
        positions = {state: _grow(vertices, normals, joints, states, state) for state in STATES}
        bites = [(p, offsets[i + 1], offsets[i + 2]) for i, p in enumerate(pieces)]
        parts[name] = (faces, positions, bites)
    return parts


def _endplates(built, levels):
    """Per level: its upper and lower bones (full detail), whose endplates the disc meets."""
    return {name: (built[level.upper][0], built[level.lower][0]) for name, level in levels.items()}


def _healthy_soft(marks, levels, endplates):
    """Per level: the healthy disc (full detail) and ligament slabs (dense surface),
    which the roots run around as they run around bone."""
    return {name: (disc(marks[level.upper], marks[level.lower], DETAIL["high"]["disc_rings"], endplates[name]),
                   {side: ligament.slab_mesh(level, side, 0.0, ROOT_PROBE_LIGAMENT_CELLS) for side in ("left", "right")})
            for name, level in levels.items()}


def _root_tissues(built, marks, levels, states, soft_tissue):
    """Per stenotic level and state: the tissues that press on the roots (full detail).

    Returns
    -------
    pressing : dict
        Level -> state -> list of :class:`Tissue` (disc, ligaments, both bones).
    soft : dict
        Level -> state -> closed meshes of the disc and ligaments in that state.
    """
    out, soft = {}, {}
    for name, level in levels.items():
        if all(states[s][name] == states["healthy"][name] for s in STATES):
            continue
        out[name], soft[name] = {}, {}
        disc_mesh, ligaments = soft_tissue[name]
        joints = facet_joints(marks[level.upper], marks[level.lower])
        bone_meshes = [built[level.upper][0], built[level.lower][0]]
        probes = [SurfaceProbe([m]) for m in [disc_mesh, *ligaments.values(), *bone_meshes]]
        for state in STATES:
            shape = states[state][name]
            moved = [disc_bulge(disc_mesh.vertices, level, shape)]
            moved += [ligament.remap(level, side, m.vertices, 0.0, shape.ligament_amount) for side, m in ligaments.items()]
            moved += [facet_growth(m.vertices, m.vertex_normals, joints, shape.facet_growth_mm) for m in bone_meshes]
            out[name][state] = [Tissue(p, np.asarray(v) - p.vertices) for p, v in zip(probes, moved)]
            soft[name][state] = [make_mesh(v, m.faces) for v, m in zip(moved, [disc_mesh, *ligaments.values()])]
    return out, soft


def _root_part(name, bone, side, vertebra, probe, near, tissues, detail, bones_by_state):
    """The nerve root of ``bone`` on ``side`` in every state (one vertex order).

    After the pushes, whatever still touches a pressing disc or ligament, then
    bone, is drawn toward the root's axis (the root is flattened there).
    """
    pressing_tissues, soft = tissues
    radius = root_radius_mm(bone)
    path = root_path(bone, side, vertebra, probe, detail["root_samples"])
    vertices, faces = sweep_tube(path, radius, detail["root_ring"])
    if make_mesh(vertices, faces).volume < 0:
        faces = faces[:, ::-1].copy()
    positions = {}
    for state in STATES:
        pressing = [t for lv in near if lv.name in pressing_tissues for t in pressing_tissues[lv.name][state]]
        push, squeeze = contact_push(path, radius, pressing)
        moved = deform_root(vertices, path, detail["root_ring"], push, squeeze)
        centres = np.concatenate([np.repeat(path + push, detail["root_ring"], axis=0), (path + push)[[0, -1]]])
        touching = [m for lv in near if lv.name in soft for m in soft[lv.name][state]]
        if touching:
            moved = keep_clear(moved, centres, touching, TISSUE_GAP_MM)
        positions[state] = keep_clear(moved, centres, bones_by_state[state], BONE_GAP_MM)
    return _part(name, "nerve", faces, positions)


def _roots(built, marks, levels, states, detail, whole):
    """Every nerve root part, L1 to L5, both sides.

    A root's healthy course keeps clear of its own and the neighbouring bones
    and of the discs and ligamenta flava of the levels it passes.
    """
    soft_tissue = _healthy_soft(marks, levels, _endplates(built, levels))
    tissues = _root_tissues(built, marks, levels, states, soft_tissue)
    roots = {}
    for index, bone in enumerate(BONE_NAMES[:-1]):
        neighbours = BONE_NAMES[max(index - 1, 0):index + 2]
        near = [lv for lv in levels.values() if bone in (lv.upper, lv.lower)]
        soft = [m for lv in near for m in (soft_tissue[lv.name][0], *soft_tissue[lv.name][1].values())]
        probe = SurfaceProbe([built[b][0] for b in neighbours] + soft)
        for side in ("left", "right"):
            name = f"nerve_root_{bone}_{side}"
            roots[name] = _root_part(name, bone, side, marks[bone], probe, near, tissues, detail,
                                     {state: [whole[b][state] for b in neighbours] for state in STATES})
    return roots


def _root_guards(roots, level, per_ring):
    """Roots passing the ligaments of ``level`` (within 16 mm of its centre across and
    along the spine), in each distinct state, inflated by ``ROOT_CLEARANCE_MM``: where no bite may go."""
    guards = []
    for part in roots.values():
        seen = []
        for state in STATES:
            vertices = part.positions_mm[state]
            local = level.local(vertices.astype(float))
            if any(np.array_equal(vertices, other) for other in seen) or \
                    not ((np.abs(local[:, 0]) < 16.0) & (np.abs(local[:, 2]) < 16.0)).any():
                continue
            seen.append(vertices)
            guards.append(make_mesh(inflate_root(vertices.astype(float), per_ring, ROOT_CLEARANCE_MM), part.faces))
    return guards


def assemble(lod: str, severity: dict[str, float]) -> Anatomy:
    """Build the anatomy at ``lod`` for per-level ``severity`` (0..1)."""
    detail = DETAIL[lod]
    built = bones(detail["sacrum_spacing_mm"])
    marks = {name: m for name, (_, m) in built.items()}
    meshes = {}
    for name, (mesh, _) in built.items():
        target = detail["sacrum_faces"] if name == "sacrum" else detail["bone_faces"]
        if target:
            v, f = decimate(mesh.vertices, mesh.faces, target)
            mesh = trimesh.Trimesh(v, f, process=False)
        meshes[name] = mesh
    centreline = canal_centreline(marks, sacral_canal_points(marks["sacrum"]))
    levels = build_levels(marks, centreline)
    states = {state: {name: level_state(severity[name], state) for name in LEVELS} for state in STATES}
    whole = _whole_bones(meshes, marks, levels, states)
    roots = _roots(built, marks, levels, states, detail, whole)

    ligaments, cuts, pieces_by_level = {}, {}, {}
    for name, level in levels.items():
        amount = severity[name]
        if amount > 0:
            remains, bone_remains, pieces = decompress_level(level, detail["ligament_cells"], meshes[level.upper],
                                                             amount, detail["bite_cells"],
                                                             _root_guards(roots, level, detail["root_ring"]))
            bone_pieces = [p for p in pieces if p.tissue == "bone"]
            cuts[level.upper] = (bone_remains, bone_pieces)
            pieces_by_level[name] = pieces
            ligaments[name] = (remains, [p for p in pieces if p.tissue == "ligament"])
        else:
            ligaments[name] = ({side: ligament.slab_mesh(level, side, amount, detail["ligament_cells"])
                                for side in ("left", "right")}, [])

    order = {}
    for name, pieces in pieces_by_level.items():
        total = len(pieces)
        for k, piece in enumerate(pieces):
            order[id(piece)] = (k, (k + 1) / total)

    def bites_of(entries):
        out = []
        for piece, start, stop in entries:
            k, t = order[id(piece)]
            out.append(Bite(order=k, side=piece.side, tissue=piece.tissue, start=int(start), stop=int(stop),
                            t=float(t), centre_mm=tuple(float(c) for c in piece.mesh.vertices.mean(axis=0)),
                            volume_mm3=float(abs(piece.mesh.volume))))
        return out

    parts = {}
    for name, (faces, positions, entries) in _bone_parts(meshes, marks, levels, states, cuts).items():
        parts[name] = _part(name, "bone", faces, positions, bites_of(entries))
    endplates = _endplates(built, levels)
    for name, level in levels.items():
        vertices = disc(marks[level.upper], marks[level.lower], detail["disc_rings"], endplates[name])
        positions = {state: disc_bulge(vertices.vertices, level, states[state][name]) for state in STATES}
        parts[name] = _part(name, "disc", vertices.faces, positions)
    for name, level in levels.items():
        remains, pieces = ligaments[name]
        amount = severity[name]
        for side in ("left", "right"):
            mine = [p for p in pieces if p.side == side]
            shells = [remains[side]] + [p.mesh for p in mine]
            vertices = np.concatenate([s.vertices for s in shells])
            offsets = np.cumsum([0] + [len(s.vertices) for s in shells])
            faces = np.concatenate([s.faces + o for s, o in zip(shells, offsets)])
            positions = {}
            for state in STATES:
                target = states[state][name].ligament_amount
                positions[state] = ligament.remap(level, side, vertices, amount, target)
            keep = offsets[1]
            if mine:
                positions["decompressed"][:keep] = remnant_positions(level, side, vertices[:keep], amount)
            positions["decompressed"][keep:] = positions["stenosis"][keep:]
            entries = [(p, offsets[i + 1], offsets[i + 2]) for i, p in enumerate(mine)]
            part_name = f"ligamentum_flavum_{name}_{side}"
            parts[part_name] = _part(part_name, "ligament", faces, positions, bites_of(entries))
    for name, level in levels.items():
        positions = {}
        for state in STATES:
            vertices, faces = epidural_fat(level, levels, states[state], detail["fat_cells"])
            positions[state] = vertices
        parts[f"epidural_fat_{name}"] = _part(f"epidural_fat_{name}", "fat", faces, positions)

    sac = dural_sac(centreline, detail["sac_step"], detail["sac_ring"])
    sac_positions = {}
    for state in STATES:
        squeezed = sac_map(sac.vertices, sac.centres, sac.semi_axes, levels, states[state])
        bone_meshes = [whole[name][state] for name in BONE_NAMES]
        sac_positions[state] = keep_clear(squeezed, sac.centres, bone_meshes, DURAL_SAC_WALL_GAP_MM)

    start = int(np.argmin(np.abs([(p - levels["L1-L2"].origin_mm) @ levels["L1-L2"].frame[2]
                                  for p in centreline])))
    rootlets = cauda_equina(centreline, start, detail["rootlet_step"], detail["rootlet_ring"])
    ring_of = cKDTree(sac.centres[:-2:detail["sac_ring"]]).query(rootlets.centres)[1]
    healthy_area, healthy_centre = _ring_sections(sac_positions["healthy"], detail["sac_ring"])
    positions = {}
    for state in STATES:
        area, centre = _ring_sections(sac_positions[state], detail["sac_ring"])
        moved = rootlet_positions(rootlets, levels, states[state], (area / healthy_area)[ring_of],
                                  (centre - healthy_centre)[ring_of])
        positions[state] = keep_within(moved, rootlets.centres + (centre - healthy_centre)[ring_of],
                                       make_mesh(sac_positions[state], sac.faces), ROOTLET_WALL_GAP_MM)
    parts["cauda_equina"] = _part("cauda_equina", "nerve", rootlets.faces, positions)

    parts.update(roots)
    parts["dural_sac"] = _part("dural_sac", "dural_sac", sac.faces, sac_positions)
    return Anatomy(parts=parts, lod=lod, levels=levels)


def _ring_sections(sac_vertices: np.ndarray, per_ring: int) -> tuple[np.ndarray, np.ndarray]:
    """Area (mm2) enclosed by each ring of the dural sac tube and the ring's centre (its
    vertices' mean, LPS mm); the tube's two end centres are left out."""
    rings = np.asarray(sac_vertices[:-2], float).reshape(-1, per_ring, 3)
    vector_area = 0.5 * np.cross(rings, np.roll(rings, -1, axis=1)).sum(axis=1)
    return np.linalg.norm(vector_area, axis=1), rings.mean(axis=1)
