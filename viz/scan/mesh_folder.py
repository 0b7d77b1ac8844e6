"""Per-structure meshes (STL, PLY, OBJ) named as in ``docs/INTERFACE.md``.

A mesh folder, or an archive of one, holds files such as ``L4.stl``,
``sacrum.ply``, ``L4-L5.obj`` or ``dural_sac.ply``: the stem is the structure
name used by ``python -m viz export``. Bones, discs and the dural sac are read;
ligaments and nerve roots are always fitted from the template (their removal
steps come from it), so other files are ignored. The meshes must already be in
this project's frame: millimetres, LPS+ (+x patient's left, +y posterior,
+z superior), as ``export`` writes them; units are never guessed, but a bone
whose size is not that of a lumbar vertebra in millimetres is refused.
"""

from __future__ import annotations

import io
from pathlib import PurePosixPath
from typing import Mapping

import numpy as np
import trimesh

from viz.errors import UserError
from viz.scan.labels import BONES, SOFT_STRUCTURES
from viz.scan.surface import decimated, surface_from_mask
from viz.scan.voxelize import grid_around, label_map_from_meshes

MESH_SUFFIXES = (".stl", ".ply", ".obj")

REMESH_VOXEL_MM = 0.5
"""Grid step used to join a file's several shells into one surface, mm."""

BONE_EXTENT_RANGE_MM = (15.0, 250.0)
"""Largest side of a lumbar vertebra's or the sacrum's bounding box, mm (body width ≈ 39–59 mm,
Clouthier et al. 2023, doi:10.1016/j.jbiomech.2022.111421); outside this the file is not in mm."""


def structure_name(filename: str) -> str | None:
    """The structure a mesh file stands for (``"L4"`` for ``scans/L4.stl``), or None."""
    path = PurePosixPath(filename.replace("\\", "/"))
    if path.suffix.lower() not in MESH_SUFFIXES:
        return None
    name = path.name[: -len(path.suffix)]
    return name if name in BONES or name in SOFT_STRUCTURES else None


def _mesh(filename: str, payload: bytes) -> trimesh.Trimesh:
    """Load one file; its own vertex indexing first, vertices merged by position if that is open."""
    suffix = PurePosixPath(filename).suffix.lower().lstrip(".")
    try:
        mesh = trimesh.load(io.BytesIO(payload), file_type=suffix, force="mesh", process=False)
    except (ValueError, KeyError, IndexError, TypeError, AttributeError, UnicodeDecodeError):
        raise UserError(f"The mesh file {PurePosixPath(filename).name} cannot be read.") from None
    if not isinstance(mesh, trimesh.Trimesh) or len(mesh.faces) == 0:
        raise UserError(f"The mesh file {PurePosixPath(filename).name} holds no triangles.")
    if not mesh.is_watertight:
        mesh.merge_vertices()
    return mesh


def _one_solid(mesh: trimesh.Trimesh, target_triangles: int, name: str) -> trimesh.Trimesh:
    """One closed surface, decimated to the budget.

    A file with several closed shells (e.g. a bone exported with its MILD bites as
    separate shells, or overlapping pieces) is re-surfaced as their union through a
    :data:`REMESH_VOXEL_MM` grid, since touching shells cannot be joined exactly.
    """
    if mesh.body_count > 1:
        lps_from_voxel, shape = grid_around([mesh], np.eye(3) * REMESH_VOXEL_MM)
        shells = mesh.split(only_watertight=True)
        labels = label_map_from_meshes({1: trimesh.util.concatenate(shells)}, lps_from_voxel, shape)
        return surface_from_mask(labels == 1, lps_from_voxel, target_triangles, name=name)
    return decimated(mesh, target_triangles)


def read_mesh_files(files: Mapping[str, bytes], target_triangles: Mapping[str, int]) -> dict[str, trimesh.Trimesh]:
    """Read the recognised structure meshes among named files.

    Parameters
    ----------
    files : mapping of str to bytes
        File name (a path inside the folder or archive) → file content.
    target_triangles : mapping of str to int
        Triangle budget per structure name; larger meshes are decimated to it.

    Returns
    -------
    dict of str to trimesh.Trimesh
        Structure name → one closed solid in LPS+ mm (shells united), bones first
        (head to feet), then soft structures.

    Raises
    ------
    UserError
        A mesh that cannot be read, is not closed (watertight), is wound inside out,
        whose size is not millimetres, two files for one structure, or no two
        neighbouring lumbar bones.
    """
    named: dict[str, tuple[str, bytes]] = {}
    for filename, payload in sorted(files.items()):
        name = structure_name(filename)
        if name is None:
            continue
        if name in named:
            raise UserError(f"There are two meshes for {name}; keep one.")
        named[name] = (filename, payload)
    meshes = {}
    for name in BONES + SOFT_STRUCTURES:
        if name not in named:
            continue
        filename, payload = named[name]
        mesh = _mesh(filename, payload)
        shown = PurePosixPath(filename).name
        if not mesh.is_watertight:
            raise UserError(f"The mesh {shown} has holes (it is not watertight); export it as a closed surface.")
        if mesh.volume <= 0:
            raise UserError(f"The mesh {shown} is inside out; flip its normals and try again.")
        low, high = BONE_EXTENT_RANGE_MM
        if name in BONES and not low <= float(np.max(mesh.extents)) <= high:
            raise UserError(f"The mesh {shown} is not the size of a vertebra in millimetres.")
        mesh = _one_solid(mesh, target_triangles[name], name)
        if not mesh.is_watertight:
            raise UserError(f"The mesh {shown} could not be simplified into a closed surface.")
        meshes[name] = mesh
    if not any(upper in meshes and lower in meshes for upper, lower in zip(BONES, BONES[1:])):
        raise UserError("The meshes hold no two neighbouring lumbar bones (such as L4.stl and L5.stl).")
    return meshes
