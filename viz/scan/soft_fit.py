"""The soft tissues built on the patient's own bones: dural sac, cauda equina, discs, ligamenta flava, fat.

Each tissue is made by the model's own builders (:mod:`viz.models`), but in the
patient's frames (:mod:`viz.scan.spine_levels`: the patient's canal centreline
and disc levels), and then kept out of the patient's bone as the scan labels it
(:class:`viz.scan.bone_field.BoneField`):

- the dural sac runs along the patient's canal centreline with the model's
  cross-section (:func:`viz.models.soft_tissue.dural_sac`), is narrowed in each
  state by the model's stenosis map at the patient's levels
  (:func:`viz.models.stenosis.sac_map`) and is then pulled toward its axis
  wherever it comes within :data:`viz.models.constants.DURAL_SAC_WALL_GAP_MM` of
  bone. A sac the scan labels (TotalSpineSeg's canal, TotalSegmentator's
  ``spinal_cord`` on CT) is used as it is in the scanned state;
- each disc fills the patient's own disc space (:mod:`viz.scan.discs`); a labelled
  disc is used as it is;
- the ligamenta flava are the template's, carried through the ligament's own
  parameters (across, along and through the ligament;
  :func:`viz.models.ligament.local_to_param`) from the template's level to the
  patient's, so they run from lamina to lamina of the patient's laminae and keep
  the MILD bites and their order;
- the cauda equina follows the patient's sac, and stays inside it.

States (``docs/CONTRACTS.md`` §1): ``stenosis`` is the patient as scanned plus,
at the story's level only, the illustrative narrowing of the model
(:func:`viz.models.stenosis.level_state` at severity 1, ligament thickening
``amount``); ``healthy`` has none; ``decompressed`` keeps the disc bulge and
loses the ligament's thickening, but for the thin front layer MILD leaves over the
sac, which keeps its thickness. A measured surface moves between states as
its fitted model counterpart does (:func:`viz.scan.fit.transfer_displacement`).
Frame: LPS+ millimetres (+x patient's left, +y posterior, +z superior).

References
----------
``../shared/ANATOMY.md`` "Soft tissues"; Schizas C et al. Spine 2010;35:1919-1924
(https://doi.org/10.1097/BRS.0b013e3181d359bd).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh
from scipy.spatial import cKDTree

from viz.models import ligament
from viz.models.anatomy import STATES, Anatomy, Bite, Part
from viz.models.assemble import DETAIL, ROOTLET_WALL_GAP_MM
from viz.models.constants import DURAL_SAC_WALL_GAP_MM
from viz.models.decompression import remnant_positions
from viz.models.fat import epidural_fat
from viz.models.geometry import make_mesh, oriented_section, section_area_mm2
from viz.models.levels import Level
from viz.models.soft_tissue import cauda_equina, dural_sac
from viz.models.stenosis import LIGAMENT_RELAXED, LevelState, level_state, rootlet_positions, sac_map
from viz.scan.bone_field import BoneField, pull_toward
from viz.scan.fit import transfer_displacement
from viz.scan.templates import TEMPLATE_STENOSIS_LEVEL

WEB = DETAIL["web"]
"""The web level of detail of the model (ring counts, cells), so patient parts match the template's."""

LIGAMENT_ON_BONE_MM = 0.0
"""Where a ligament meets a lamina it ends on the bone's surface (not inside it), mm."""

SECTION_REACH = 2.0
"""A sac section is measured within this many of the healthy sac's half-widths of the ring's centre."""


@dataclass(frozen=True)
class PatientSpine:
    """The patient's frames and bone, and the story's illustrative narrowing.

    Parameters
    ----------
    levels : dict of str to Level
        The patient's disc levels (:func:`viz.scan.spine_levels.patient_levels`).
    centreline_mm : (n, 3) ndarray
        The patient's canal centreline, head to feet, inside the scan.
    field : BoneField
        The patient's bone.
    focus : str
        The level the story is told at.
    amount : float
        Illustrative ligament thickening at ``focus`` in the stenosis state (0..1).
    """

    levels: dict[str, Level]
    centreline_mm: np.ndarray
    field: BoneField
    focus: str
    amount: float

    def states(self, state: str) -> dict[str, LevelState]:
        """How much each level is narrowed in ``state`` (only the story's level is)."""
        out = {name: level_state(1.0 if name == self.focus else 0.0, state) for name in self.levels}
        if self.focus in out and state == "stenosis":
            shape = out[self.focus]
            out[self.focus] = LevelState(self.amount, shape.disc_bulge_mm, shape.facet_growth_mm)
        return out


def make_part(name: str, group: str, faces: np.ndarray, positions: dict[str, np.ndarray], bites=()) -> Part:
    return Part(name=name, group=group, faces=np.ascontiguousarray(faces, dtype=np.int32),
                positions_mm={s: np.ascontiguousarray(positions[s], dtype=np.float32) for s in STATES},
                bites=tuple(bites))


def measured_part(name: str, group: str, mesh: trimesh.Trimesh, model: dict[str, np.ndarray]) -> Part:
    """A surface from the scan: as scanned in ``stenosis``, moved as its model counterpart in the others."""
    vertices = np.asarray(mesh.vertices, dtype=np.float64)
    positions = {s: vertices if s == "stenosis" else transfer_displacement(vertices, model["stenosis"], model[s])
                 for s in STATES}
    return make_part(name, group, mesh.faces, positions)


def sac_part(spine: PatientSpine, measured: trimesh.Trimesh | None) -> Part:
    """The dural sac: built in the patient's canal and kept clear of bone, or the scan's own."""
    tube = dural_sac(spine.centreline_mm, WEB["sac_step"], WEB["sac_ring"])
    model = {s: spine.field.pull_clear(sac_map(tube.vertices, tube.centres, tube.semi_axes, spine.levels,
                                               spine.states(s)), tube.centres, DURAL_SAC_WALL_GAP_MM)
             for s in STATES}
    if measured is not None:
        return measured_part("dural_sac", "dural_sac", measured, model)
    return make_part("dural_sac", "dural_sac", tube.faces, model)


def sac_centreline(spine: PatientSpine, sac: Part) -> np.ndarray:
    """The centreline through the middle of the healthy sac's sections, where the sac reaches."""
    vertices = np.asarray(sac.positions_mm["healthy"], dtype=np.float64)
    line = spine.centreline_mm
    tangent = np.gradient(line, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    centres = []
    for point, direction in zip(line, tangent):
        near = vertices[np.abs((vertices - point) @ direction) < 1.5]
        if len(near) >= 8:
            centre = near.mean(axis=0)
            centres.append(centre - ((centre - point) @ direction) * direction)
    return np.asarray(centres)


def sac_sections(sac: trimesh.Trimesh, centres: np.ndarray, normals: np.ndarray,
                 reach_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """Area (mm2) and centre (LPS mm) of the sac's section through each centre, across ``normals``.

    Only the cut within ``reach_mm`` of the centre counts (the plane is unbounded); the
    centre is the mean of the cut's points, as the model takes a sac ring's centre.
    Where the plane misses the sac, the area is 0 and the centre is the given one.
    """
    vertices, faces = np.asarray(sac.vertices, float), np.asarray(sac.faces)
    areas, middles = np.zeros(len(centres)), np.array(centres, float)
    for index, (centre, normal) in enumerate(zip(centres, normals)):
        cut = oriented_section(vertices, faces, centre, normal)
        cut = cut[np.linalg.norm(cut - centre, axis=2).max(axis=1) < reach_mm] if len(cut) else cut
        if len(cut):
            areas[index] = section_area_mm2(cut, normal)
            middles[index] = cut.reshape(-1, 3).mean(axis=0)
    return areas, middles


def _inside(container: trimesh.Trimesh, depth_mm: float):
    """Whether points lie ``depth_mm`` inside ``container`` (exact signed distance; a point
    whose distance cannot be found, on a sac squeezed flat, counts as outside)."""
    def is_inside(points: np.ndarray, _) -> np.ndarray:
        with np.errstate(divide="ignore", invalid="ignore"):
            depth = trimesh.proximity.signed_distance(container, points)
        return np.nan_to_num(depth, nan=-np.inf) >= depth_mm
    return is_inside


def cauda_part(spine: PatientSpine, sac: Part, conus_level: str | None) -> Part | None:
    """The rootlets of the cauda equina, from the conus down, inside the patient's sac in every state.

    Built along the healthy sac's middle and placed in each state by the model's own rule
    (:func:`viz.models.stenosis.rootlet_positions`: the layout follows the section's centre
    and area, and where the section has shrunk enough the rootlets are pressed into one
    mass), with the section measured on the patient's sac in that state against its
    healthy section at the same height. Then each vertex still within
    ``ROOTLET_WALL_GAP_MM`` of that sac's wall, or beyond it, is pulled toward its ring's
    centre just far enough to lie inside (:func:`viz.scan.bone_field.pull_toward`, with
    the exact signed distance: a sac made from the scan's voxels is too uneven for the
    model's fast probe): the patient's sac is not the model's ellipse the rootlets are
    laid out in.
    """
    line = sac_centreline(spine, sac)
    if len(line) < 8:
        return None
    start = 0
    if conus_level in spine.levels:
        level = spine.levels[conus_level]
        start = int(np.argmin(np.abs((line - level.origin_mm) @ level.frame[2])))
    rootlets = cauda_equina(line, start, WEB["rootlet_step"], WEB["rootlet_ring"])
    rings, ring_of = np.unique(rootlets.centres, axis=0, return_inverse=True)
    tangent = np.gradient(line, axis=0)
    normals = tangent[cKDTree(line).query(rings)[1]]
    reach = SECTION_REACH * float(rootlets.semi_axes.max())
    healthy_area, healthy_centre = sac_sections(sac.mesh("healthy"), rings, normals, reach)
    positions = {}
    for state in STATES:
        area, centre = sac_sections(sac.mesh(state), rings, normals, reach)
        share = np.where((healthy_area > 0) & (area > 0), area / np.maximum(healthy_area, 1e-9), 1.0)
        shift = (centre - healthy_centre)[ring_of]
        moved = rootlet_positions(rootlets, spine.levels, spine.states(state), share[ring_of], shift)
        positions[state] = pull_toward(moved, rootlets.centres + shift, _inside(sac.mesh(state), ROOTLET_WALL_GAP_MM))
    return make_part("cauda_equina", "nerve", rootlets.faces, positions)


def ligament_parts(level: Level, spine: PatientSpine, template: Anatomy) -> dict[str, Part]:
    """Both ligamenta flava of a patient level, carried from the template in the ligament's parameters.

    At the story's level they come from the template's narrowed level with its
    MILD bites (removed tissue keeps its stenotic shape once gone, as in the model)
    and, after MILD, the thin front layer left over the sac keeps its thickness and falls
    back to the healthy front (:func:`viz.models.decompression.remnant_positions`, as the
    model's ligament does); elsewhere they come from a healthy template level.
    """
    focus = level.name == spine.focus
    source = template.levels[TEMPLATE_STENOSIS_LEVEL if focus else
                             (level.name if level.name != TEMPLATE_STENOSIS_LEVEL else "L3-L4")]
    amounts = {"healthy": 0.0, "stenosis": spine.amount if focus else 0.0,
               "decompressed": LIGAMENT_RELAXED * spine.amount if focus else 0.0}
    parts = {}
    for side in ("left", "right"):
        part = template.parts[f"ligamentum_flavum_{source.name}_{side}"]
        scanned = np.asarray(part.positions_mm["stenosis"], dtype=np.float64)
        s, w, d = ligament.local_to_param(source, side, source.local(scanned), 1.0 if focus else 0.0).T
        built = {state: level.world(ligament.param_to_local(level, side, s, w, d, amount))
                 for state, amount in amounts.items()}
        keep = min((bite.start for bite in part.bites), default=len(scanned))
        if part.bites:
            built["decompressed"][:keep] = remnant_positions(level, side, built["stenosis"][:keep], amounts["stenosis"])
        positions = {state: _off_laminae(points, level, spine.field) for state, points in built.items()}
        positions["decompressed"][keep:] = positions["stenosis"][keep:]
        bites = tuple(_moved_bite(bite, positions["stenosis"], part.faces) for bite in part.bites)
        name = f"ligamentum_flavum_{level.name}_{side}"
        parts[name] = make_part(name, "ligament", part.faces, positions, bites)
    return parts


def _off_laminae(vertices: np.ndarray, level: Level, field: BoneField) -> np.ndarray:
    """Ligament points inside bone moved toward the canal's axis (in the level plane) onto the bone's surface.

    A function of each point alone, so the faces that bites and what remains share stay shared.
    """
    along = (vertices - level.origin_mm) @ level.frame[2]
    return field.pull_clear(vertices, level.origin_mm + along[:, None] * level.frame[2], LIGAMENT_ON_BONE_MM)


def _moved_bite(bite: Bite, vertices: np.ndarray, faces: np.ndarray) -> Bite:
    first = faces[:, 0]
    shell = make_mesh(vertices, faces[(first >= bite.start) & (first < bite.stop)])
    centre = vertices[bite.start:bite.stop].mean(axis=0)
    return Bite(order=bite.order, side=bite.side, tissue=bite.tissue, start=bite.start, stop=bite.stop, t=bite.t,
                centre_mm=tuple(float(v) for v in centre), volume_mm3=float(abs(shell.volume)))


def fat_part(level: Level, spine: PatientSpine) -> Part:
    """The posterior epidural fat of a patient level (:func:`viz.models.fat.epidural_fat`)."""
    positions, faces = {}, None
    for state in STATES:
        positions[state], faces = epidural_fat(level, spine.levels, spine.states(state), WEB["fat_cells"])
    return make_part(f"epidural_fat_{level.name}", "fat", faces, positions)
