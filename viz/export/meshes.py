"""Mesh export of one stage: one file per anatomical structure plus ``manifest.json``.

For 3D printing and for other tools. Geometry comes from the high level of detail
of :mod:`viz.models` in the state a stage ends in (its ``morph`` end state and
``removal`` end progress, :mod:`viz.scenes.story`), so printing the
``stenosis`` and ``decompressed`` stages gives the before and after of the same
spine. Units are millimetres; frame LPS+ (+x patient's left, +y posterior,
+z superior), written into the manifest as ``"units": "mm", "frame": "LPS"``
(``docs/INTERFACE.md``).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import trimesh

from viz.export.paths import atomic_folder, output_folder, validate_format, validate_stage
from viz.models.anatomy import Part

EXPORT_LOD = "high"
"""Level of detail used for exported meshes (the app plays the lighter ``web`` one)."""


def part_mesh(part: Part, state: str, removal_progress: float) -> trimesh.Trimesh:
    """Return one part's mesh in ``state`` with the bites removed by ``removal_progress``.

    Parameters
    ----------
    part : viz.models.anatomy.Part
        The structure.
    state : str
        One of ``viz.models.anatomy.STATES``.
    removal_progress : float
        0..1; bites whose ``t <= removal_progress`` are gone (``docs/CONTRACTS.md`` §1).

    Returns
    -------
    trimesh.Trimesh
        Vertices in mm, LPS+; unreferenced vertices of removed bites dropped.
    """
    positions_mm = np.asarray(part.positions_mm[state], dtype=np.float64)
    mesh = trimesh.Trimesh(positions_mm, part.kept_faces(removal_progress), process=False)
    mesh.remove_unreferenced_vertices()
    return mesh


def stage_meshes(stage_id: str, lod: str = EXPORT_LOD) -> dict[str, tuple[str, trimesh.Trimesh]]:
    """Return ``{name: (group, mesh)}`` for every anatomical part at the end of a stage.

    Parameters
    ----------
    stage_id : str
        A stage id from :func:`viz.scenes.story.stage_ids`.
    lod : str, default: "high"
        Level of detail of :func:`viz.models.cache.load_anatomy`.
    """
    from viz.models.cache import load_anatomy
    from viz.scenes.story import get_stage

    stage = get_stage(stage_id)
    anatomy = load_anatomy(lod=lod)
    state, progress = stage.morph[1], stage.removal[1]
    return {name: (part.group, part_mesh(part, state, progress)) for name, part in anatomy.parts.items()}


def _manifest_entry(name: str, group: str, file_name: str, mesh: trimesh.Trimesh) -> dict:
    return {"name": name, "group": group, "file": file_name, "vertices": int(len(mesh.vertices)),
            "triangles": int(len(mesh.faces)), "watertight": bool(mesh.is_watertight)}


def export_meshes(stage: str, fmt: str, out_dir: str | os.PathLike, force: bool = False) -> Path:
    """Write a stage's meshes and ``manifest.json`` into ``out_dir``.

    Parameters
    ----------
    stage : str
        A stage id from :func:`viz.scenes.story.stage_ids`.
    fmt : {"stl", "ply", "obj", "glb"}
        One file per structure (stl, ply, obj) or one ``scene.glb`` whose nodes are
        named after the structures.
    out_dir : str or path-like
        Output folder; created, or replaced as a whole when ``force``.
    force : bool, default: False
        Replace a non-empty folder.

    Returns
    -------
    pathlib.Path
        The folder written. Its manifest follows ``docs/INTERFACE.md``:
        ``{"units": "mm", "frame": "LPS", "stage", "structures": [...], "metrics"}``.
    """
    from viz.scenes.story import stage_metrics

    fmt = validate_format(fmt)
    validate_stage(stage)
    path = output_folder(out_dir, force)
    meshes = stage_meshes(stage)
    structures = []
    with atomic_folder(path) as temp:
        if fmt == "glb":
            scene = trimesh.Scene()
            for name, (group, mesh) in meshes.items():
                scene.add_geometry(mesh, node_name=name, geom_name=name)
                structures.append(_manifest_entry(name, group, "scene.glb", mesh))
            scene.export(temp / "scene.glb")
        else:
            for name, (group, mesh) in meshes.items():
                file_name = f"{name}.{fmt}"
                mesh.export(temp / file_name)
                structures.append(_manifest_entry(name, group, file_name, mesh))
        manifest = {"units": "mm", "frame": "LPS", "stage": stage, "structures": structures,
                    "metrics": stage_metrics(stage)}
        (temp / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return path
