"""Nerve roots on the patient's bones: each under its own pedicle, out through its own foramen.

The model's course (:func:`viz.models.nerve_roots.root_path`: out of the sac
above the pedicle, down the lateral recess, out through the foramen between its
vertebra and the one below, through the points of greatest clearance in search
boxes set by the vertebra's landmarks) is run on the patient's landmarks
(:mod:`viz.scan.spine_levels`) against the patient's bone surfaces and the
fitted discs and ligamenta flava. A root is built only when its foramen is in
the scan (its vertebra and the bone below are both there). The story's
illustrative narrowing moves a root as the template's root in the same place
relative to the narrowed level moves (the root of the vertebra above the level
as the template's L4 root at L4–L5, the one below as its L5 root), turned from
that template vertebra's frame into the patient vertebra's and scaled. Every
state is then kept :data:`viz.models.nerve_roots.BONE_GAP_MM` clear of the
patient's bone as the scan labels it, ring by ring toward the root's axis.
Frame: LPS+ millimetres (+x patient's left, +y posterior, +z superior).

References
----------
Khasawneh RR et al. Folia Morphol 2023;82:72-79 (root diameters), https://doi.org/10.5603/FM.a2021.0136;
``../shared/ANATOMY.md`` "Nerve roots" (each root leaves below its own pedicle).
"""

from __future__ import annotations

import numpy as np
import trimesh

from viz.models import ligament
from viz.models.anatomy import STATES, Anatomy, Part
from viz.models.assemble import ROOT_PROBE_LIGAMENT_CELLS
from viz.models.geometry import SurfaceProbe, make_mesh, sweep_tube
from viz.models.landmarks import VertebraLandmarks
from viz.models.nerve_roots import BONE_GAP_MM, root_path, root_radius_mm
from viz.scan.label_tables import BONES
from viz.scan.register import uniform_scale
from viz.scan.soft_fit import WEB, PatientSpine
from viz.scan.spine_levels import template_landmarks
from viz.scan.templates import TEMPLATE_STENOSIS_LEVEL


def _probe(bone: str, bones: dict[str, trimesh.Trimesh], spine: PatientSpine, discs: dict[str, Part]) -> SurfaceProbe:
    """What the root of ``bone`` runs around: its own and the neighbouring bones, its levels' discs and ligaments."""
    index = BONES.index(bone)
    meshes = [bones[name] for name in BONES[max(index - 1, 0):index + 2] if name in bones]
    for level in spine.levels.values():
        if bone in (level.upper, level.lower):
            meshes.append(discs[level.name].mesh("healthy"))
            meshes += [ligament.slab_mesh(level, side, 0.0, ROOT_PROBE_LIGAMENT_CELLS) for side in ("left", "right")]
    return SurfaceProbe(meshes)


def _template_motion(bone: str, side: str, spine: PatientSpine, template: Anatomy,
                     marks: VertebraLandmarks, patient_from_template: np.ndarray) -> dict[str, np.ndarray]:
    """Per-vertex motion from healthy in each state, from the template root in the same place, LPS+ mm."""
    offset = BONES.index(bone) - BONES.index(spine.levels[spine.focus].upper)
    analogue = BONES.index(TEMPLATE_STENOSIS_LEVEL.split("-")[0]) + offset
    name = f"nerve_root_{BONES[analogue]}_{side}" if 0 <= analogue < len(BONES) - 1 else None
    if name not in template.parts:
        return {state: 0.0 for state in STATES}
    part = template.parts[name]
    frame = template_landmarks()[BONES[analogue]].frame
    to_patient = frame.T @ marks.frame * uniform_scale(patient_from_template)
    healthy = np.asarray(part.positions_mm["healthy"], dtype=np.float64)
    return {state: (np.asarray(part.positions_mm[state], dtype=np.float64) - healthy) @ to_patient
            for state in STATES}


def _ring_centres(vertices: np.ndarray) -> np.ndarray:
    """Each vertex's ring centre on a swept tube (:func:`viz.models.geometry.sweep_tube` layout)."""
    per_ring = WEB["root_ring"]
    rings = vertices[:-2].reshape(-1, per_ring, 3)
    centres = np.repeat(rings.mean(axis=1), per_ring, axis=0)
    return np.vstack([centres, vertices[-2:]])


def root_parts(spine: PatientSpine, bones: dict[str, trimesh.Trimesh], marks: dict[str, VertebraLandmarks],
               transforms: dict[str, np.ndarray], discs: dict[str, Part], template: Anatomy) -> dict[str, Part]:
    """Both roots of every lumbar vertebra whose foramen (with the bone below) is in the scan."""
    parts = {}
    for bone, below in zip(BONES[:-1], BONES[1:]):
        if bone not in marks or below not in marks:
            continue
        probe = _probe(bone, bones, spine, discs)
        for side in ("left", "right"):
            path = root_path(bone, side, marks[bone], probe, WEB["root_samples"])
            vertices, faces = sweep_tube(path, root_radius_mm(bone), WEB["root_ring"])
            if make_mesh(vertices, faces).volume < 0:
                faces = faces[:, ::-1].copy()
            motion = _template_motion(bone, side, spine, template, marks[bone], transforms[bone])
            positions = {}
            for state in STATES:
                moved = vertices + motion[state]
                positions[state] = spine.field.pull_clear(moved, _ring_centres(moved), BONE_GAP_MM).astype(np.float32)
            name = f"nerve_root_{bone}_{side}"
            parts[name] = Part(name=name, group="nerve", faces=np.asarray(faces, np.int32), positions_mm=positions)
    return parts
