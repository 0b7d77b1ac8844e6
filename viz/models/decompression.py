"""MILD decompression as mesh booleans: which tissue goes, in which order.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior).

Through a 6-gauge portal (about 5.1 mm) docked on the lower edge of the upper
lamina, a bone sculptor first trims a little lamina, then a tissue sculptor
removes the thickened ligamentum flavum in bites, working lateral to medial,
on the left side and then on the right [1]_. Each bite is the boolean
intersection (manifold3d) of the stenotic ligament with what the tools reach
from the portal and with one lateral-to-medial sector of the ligament's core.
The tools work from behind: the first bite of each side also takes the
ligament's posterior skin (``POSTERIOR_KEEP`` of its depth over its whole back;
the ligament is built as that skin and the rest, meeting on one grid, so before
removal its back shows no cut), and what is removed opens toward the portal, as
a trough. The core stops short of the ligament's front surface
(``ANTERIOR_KEEP``), so a thin layer always stays between the tools and the
dural sac, which is never entered (the epidurogram shows its edge) [1]_ [2]_. Nor are the nerve
roots: the contrast also fills their sleeves, and no bite comes within
``ROOT_CLEARANCE_MM`` of where a root lies in any state, so a root pushed
aside by the thickened ligament can return without meeting tissue not yet
removed.

Once the bulk behind it is gone, the thin front layer falls back to where a
healthy ligament's front lies (the sac re-expands behind it) and keeps its
thickness (:func:`remnant_positions`): that is the residual ligament
thickness after MILD.

References
----------
.. [1] Deer TR et al. Pain Pract 2019;19(3):250-274. https://doi.org/10.1111/papr.12744
.. [2] Staats PS et al. (MiDAS ENCORE). Pain Med 2016;17(4):734-745.
   https://doi.org/10.1093/pm/pnv104
"""

from __future__ import annotations

from dataclasses import dataclass

import manifold3d
import numpy as np
import trimesh

from viz.models import ligament
from viz.models.constants import PORTAL_DIAMETER_MM
from viz.models.levels import Level

BITES_PER_SIDE = 4
"""Tissue-sculptor bites per side, lateral to medial."""

POSTERIOR_KEEP = 0.10
"""Depth (fraction) of the posterior skin taken with each side's first bite."""

POSTERIOR_REACH = 0.3
"""How far behind the top of what is left under the skin the core sectors start (fraction
of the depth), so they cut through it cleanly."""

ANTERIOR_KEEP = 0.15
"""Fraction of the ligament's depth left in front, shielding the dural sac."""

BITE_INSET_MM = 0.02
"""Each removed piece is drawn this much inside the cut it leaves, along its normals,
so the two coincident cut surfaces never fight for the same pixels in a cut view
(the depth buffer resolves ≈0.003 mm at the views' distances)."""

SECTOR_S = (0.99, 0.03)
"""Lateral and medial limits of the removed core (ligament parameter s)."""

SECTOR_W = (0.10, 0.90)
"""Lower and upper limits of the removed core (ligament parameter w): the tissue near
the two laminar attachments stays (:func:`viz.models.ligament.profiles` thins it
steeply there)."""

TOOL_PIVOT_MM = 25.0
"""Distance of the tools' pivot (where the portal crosses the back muscles)
behind the docking point, along the portal axis."""

TOOL_HALF_ANGLE_DEG = 35.0
"""Half-angle of the cone the angled tools sweep about the portal axis."""

LAMINA_BITE_DEPTH_MM = 3.0
"""Depth of lamina trimmed by the bone sculptor at the portal's tip ("a little lamina")."""

ROOT_CLEARANCE_MM = 1.0
"""Closest approach of a bite to a nerve root's surface (healthy, stenotic or
decompressed), mm; it also covers the chord error of a coarse root tube."""

CORE_CHORD_MARGIN = 0.03
"""Depth fraction kept between a core's planar faces and ``ANTERIOR_KEEP``: the
core's flat triangles span a curved parameter surface and would otherwise
overshoot it by up to about 2 % of the depth."""

CORE_FRONT_DEPTH = 1.0 - ANTERIOR_KEEP - CORE_CHORD_MARGIN
"""Deepest ligament depth ``d`` a core sector reaches (0 posterior surface, 1 front)."""

REMNANT_MAX_SHARE = 0.9
"""The front layer kept after MILD is never more than this share of the healthy thickness."""

SLIVER_MM3 = 0.5
"""Pieces of a cut smaller than this are slivers between coincident cut surfaces, dropped."""


@dataclass(frozen=True)
class Piece:
    """One removed piece (before the parts are assembled).

    Attributes
    ----------
    mesh : trimesh.Trimesh
    side : str
    tissue : str
        ``"ligament"`` or ``"bone"``.
    """

    mesh: trimesh.Trimesh
    side: str
    tissue: str


def remnant_positions(level: Level, side: str, points_mm: np.ndarray, amount: float) -> np.ndarray:
    """Where the ligament tissue left by MILD lies once the sac has re-expanded, LPS mm.

    A point of the stenotic ligament (thickening ``amount``) at distance ``g`` behind
    its front surface moves, along the ligament's normal, to distance ``f(g)`` behind
    the healthy front surface: the front layer MILD leaves (``g`` up to
    ``L = (1 - CORE_FRONT_DEPTH) × stenotic thickness``) keeps its thickness, and
    the rest (where the tools did not reach: the edges and the laminar attachments)
    is drawn back between ``L`` and the healthy posterior surface, which stays where it
    was. ``f`` is continuous and increasing, so the remnant never folds over itself.

    Parameters
    ----------
    level : Level
    side : {"left", "right"}
    points_mm : (n, 3) float
        Points of the stenotic ligament (remnant vertices), LPS mm.
    amount : float
        The level's thickening (its severity), 0..1.

    Returns
    -------
    (n, 3) float
        The points after MILD, LPS mm.
    """
    s, w, d = ligament.local_to_param(level, side, level.local(points_mm), amount).T
    healthy, bulge = ligament.profiles(level, s, w)
    stenotic = healthy + amount * bulge
    behind_front = (1.0 - d) * stenotic
    layer = np.minimum((1.0 - CORE_FRONT_DEPTH) * stenotic, REMNANT_MAX_SHARE * healthy)
    squeezed = layer + (behind_front - layer) * (healthy - layer) / np.maximum(stenotic - layer, 1e-9)
    after = np.where(behind_front <= layer, behind_front, squeezed)
    return level.world(ligament.param_to_local(level, side, s, w, 1.0 - after / healthy, 0.0))


def _without_slivers(solid: manifold3d.Manifold) -> manifold3d.Manifold:
    """``solid`` without the disconnected pieces smaller than :data:`SLIVER_MM3`."""
    kept = [piece for piece in solid.decompose() if piece.volume() >= SLIVER_MM3]
    return manifold3d.Manifold.batch_boolean(kept, manifold3d.OpType.Add) if kept else solid


def _inset(mesh: trimesh.Trimesh, distance_mm: float) -> trimesh.Trimesh:
    """``mesh`` with every vertex moved ``distance_mm`` inward along its normal."""
    return trimesh.Trimesh(mesh.vertices - distance_mm * mesh.vertex_normals, mesh.faces, process=False)


def to_manifold(mesh: trimesh.Trimesh) -> manifold3d.Manifold:
    """A manifold3d solid from a closed trimesh."""
    data = manifold3d.Mesh(vert_properties=np.asarray(mesh.vertices, np.float32),
                           tri_verts=np.asarray(mesh.faces, np.uint32))
    return manifold3d.Manifold(data)


def from_manifold(solid: manifold3d.Manifold) -> trimesh.Trimesh:
    """A trimesh from a manifold3d solid (vertex order as manifold3d gives it)."""
    data = solid.to_mesh()
    return trimesh.Trimesh(np.asarray(data.vert_properties[:, :3], float),
                           np.asarray(data.tri_verts, np.int64), process=False)


def portal_axis(level: Level, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Docking point (on the upper lamina's lower edge) and unit direction into the body.

    The portal comes from below and behind (skin entry caudal to the level)
    and points cranially and forward onto the lamina, paramedian on ``side``.
    """
    dock = ligament.param_to_local(level, side, 0.35, 1.0, -0.9, 1.0)
    direction = np.array([0.0, -0.75, 0.66])
    direction /= np.linalg.norm(direction)
    return level.world(dock), direction @ level.frame


def _along(direction: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Affine (3, 4) taking manifold3d's +z-axis primitives to ``direction`` at ``start``."""
    z = np.array([0.0, 0.0, 1.0])
    angle = np.arccos(np.clip(direction @ z, -1.0, 1.0))
    rotation = trimesh.transformations.rotation_matrix(angle, np.cross(z, direction))[:3, :3]
    return np.hstack([rotation, np.asarray(start, float)[:, None]])


def _reach(level: Level, side: str) -> manifold3d.Manifold:
    """The tools' working cone: from the pivot behind the portal, opening toward the ligament."""
    dock, direction = portal_axis(level, side)
    length = 70.0
    spread = 0.5 * PORTAL_DIAMETER_MM + length * np.tan(np.radians(TOOL_HALF_ANGLE_DEG))
    cone = manifold3d.Manifold.cylinder(length, 0.5 * PORTAL_DIAMETER_MM, spread, 48)
    return cone.transform(_along(direction, dock - direction * TOOL_PIVOT_MM))


def _lamina_bite(bone: trimesh.Trimesh, level: Level, side: str) -> manifold3d.Manifold:
    dock, direction = portal_axis(level, side)
    tip = manifold3d.Manifold.cylinder(LAMINA_BITE_DEPTH_MM + 1.0, 0.5 * PORTAL_DIAMETER_MM,
                                       0.5 * PORTAL_DIAMETER_MM, 32)
    return to_manifold(bone) ^ tip.transform(_along(direction, dock - direction * 1.0))


def decompress_level(level: Level, ligament_cells: tuple[int, int, int], upper_bone: trimesh.Trimesh,
                     amount: float, counts: tuple[int, int, int], keep_out: list[trimesh.Trimesh] = ()):
    """Cut the bites out of one level's stenotic ligaments and upper lamina.

    Parameters
    ----------
    level : Level
    ligament_cells : (3,) int
        Grid cells (along s, w and depth) of the stenotic ligament slabs
        (:func:`viz.models.ligament.slab_mesh`). Each is built as its posterior skin and
        the rest, two slabs meeting on one grid, so before removal the ligament's back
        and edges show no cut.
    upper_bone : trimesh.Trimesh
        The upper vertebra (closed), for the lamina trim.
    amount : float
        The level's ligament thickening (its severity).
    counts : (3,) int
        Grid cells of each core sector.
    keep_out : list of trimesh.Trimesh, default: none
        Closed solids no bite may enter (the nerve roots, inflated by
        ``ROOT_CLEARANCE_MM``, in every state).

    Returns
    -------
    remains : dict
        Side -> what is left of the ligament (trimesh).
    bone_remains : trimesh.Trimesh
        The upper vertebra after the lamina trims.
    pieces : list of Piece
        Removed pieces in removal order.
    """
    pieces, remains = [], {}
    bone = to_manifold(upper_bone)
    edges = np.linspace(SECTOR_S[0], SECTOR_S[1], BITES_PER_SIDE + 1)
    guard = manifold3d.Manifold.batch_boolean([to_manifold(m) for m in keep_out], manifold3d.OpType.Add)
    for side in ("left", "right"):
        trim = _lamina_bite(upper_bone, level, side)
        bone = bone - trim
        pieces.append(Piece(from_manifold(trim), side, "bone"))
        skin = to_manifold(ligament.slab_mesh(level, side, amount, (*ligament_cells[:2], 1),
                                              d_range=(0.0, POSTERIOR_KEEP)))
        if (skin ^ guard).volume() > 0.0:
            skin = skin - guard
        solid = to_manifold(ligament.slab_mesh(level, side, amount, ligament_cells, d_range=(POSTERIOR_KEEP, 1.0)))
        reach = _reach(level, side)
        for k in range(BITES_PER_SIDE):
            core = ligament.slab_mesh(level, side, amount, counts, s_range=(edges[k + 1], edges[k]),
                                      w_range=SECTOR_W, d_range=(-POSTERIOR_REACH, CORE_FRONT_DEPTH))
            bite = (solid ^ to_manifold(core) ^ reach) - guard
            if bite.volume() > 1.0:
                solid = solid - bite
                if skin is not None:
                    bite, skin = bite + skin, None
                pieces.append(Piece(_inset(from_manifold(bite), BITE_INSET_MM), side, "ligament"))
        remains[side] = from_manifold(_without_slivers(solid))
    return remains, from_manifold(bone), pieces
