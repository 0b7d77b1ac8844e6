"""The patient's own spine as an :class:`~viz.models.anatomy.Anatomy` with the story's three states.

The scan gives the bones (and, when labelled, the dural sac and discs); the
template (:mod:`viz.models`) gives everything else, fitted to the patient's
bones (:mod:`viz.scan.fit`). The three states (``docs/CONTRACTS.md`` §1):

``stenosis``
    The patient as scanned: their bones, their dural sac and discs when the scan
    has them, and the template's thickened ligamentum flavum at their narrowest
    level, fitted to their laminae.
``healthy`` and ``decompressed``
    Template parts take their own fitted states. A patient surface moves as its
    fitted template counterpart moves between ``stenosis`` and that state
    (:func:`viz.scan.fit.transfer_displacement`): where the template sac re-opens
    after the ligament is trimmed, the patient's sac re-opens by the same amount.
    Bones do not move; the template's lamina trims are cut from the patient's
    own bone (:mod:`viz.scan.bone_bites`).

The story is replayed at the patient's narrowest level: the one with the
smallest measured dural sac area among the levels whose two bones are in the
scan (:func:`narrowest_level`). The patient's anatomy is then fitted from the
template narrowed at that level (:mod:`viz.scan.templates`), so its ligamentum
flavum carries the MILD bites there and the scenes tell the story there
(:func:`viz.scenes.landmarks.focus_level`). Metrics are
:func:`viz.models.metrics.compute_metrics` on the patient geometry.
Frame: LPS+ millimetres (+x patient's left, +y posterior, +z superior).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np
import trimesh

from viz.models.anatomy import STATES, Anatomy, Part
from viz.models.metrics import compute_metrics
from viz.scan.bone_bites import carve_bone_bites
from viz.scan.fit import SpineDeformation, fit_level, register_bone, transfer_displacement
from viz.scan.labels import BONES, DISCS
from viz.scan.sources import ScanStructures
from viz.scan.templates import TEMPLATE_STENOSIS_LEVEL, template_anatomy

_LEVEL_PATTERN = re.compile(r"L[1-5]-(?:L[1-5]|S1)")
_BONE_PATTERN = re.compile(r"(?<![A-Za-z0-9])(L[1-5]|S1)(?![0-9-])")


@dataclass(frozen=True)
class PatientScan:
    """A patient's spine ready for the story.

    Parameters
    ----------
    anatomy : Anatomy
        Three states; ``stenosis`` is the patient as scanned. Works with
        ``viz.scenes.bundle.build_bundle``.
    metrics : dict
        ``{"levels": {level: {"dural_sac_csa_mm2", "canal_ap_mm", "lf_thickness_mm",
        "schizas_grade"}}}`` in the stenosis state, for the levels the scan covers.
    narrowest_level : str
        Where the story is told, e.g. ``"L4-L5"``.
    measured : tuple of str
        Structures taken from the scan.
    fitted : tuple of str
        Structures fitted from the template.
    kind : str
        ``"nifti"`` or ``"meshes"``.
    convention : str or None
        Label convention of a NIfTI scan.
    """

    anatomy: Anatomy
    metrics: dict
    narrowest_level: str
    measured: tuple[str, ...]
    fitted: tuple[str, ...]
    kind: str
    convention: str | None

    @property
    def message(self) -> str:
        """One plain sentence or two for the page: what was read, where the story is told."""
        bones = ", ".join(name for name in self.measured if name in BONES)
        if "dural_sac" in self.measured:
            return (f"Your scan was read ({bones}). The story is shown at {self.narrowest_level}, where the "
                    f"nerve sac is narrowest; parts a scan does not show come from a typical spine.")
        return (f"Your scan was read ({bones}). It does not mark the nerve sac, so its size is not measured; "
                f"the story is shown at {self.narrowest_level} with parts from a typical spine.")


def triangle_budgets(template: Anatomy) -> dict[str, int]:
    """Per-structure triangle budget: as many as the template part a patient surface replaces."""
    return {name: int(len(part.faces)) for name, part in template.parts.items()}


def covered_levels(bones: set[str]) -> tuple[str, ...]:
    """Levels (discs) whose bone above and bone below are both in the scan."""
    return tuple(level for level, upper, lower in zip(DISCS, BONES, BONES[1:]) if upper in bones and lower in bones)


def _keeps(name: str, bones: set[str], levels: tuple[str, ...]) -> bool:
    """Whether a template part belongs to the part of the spine the scan shows."""
    level = _LEVEL_PATTERN.search(name)
    if level:
        return level.group(0) in levels
    bone = _BONE_PATTERN.search(name)
    if bone:
        return (bone.group(1) if bone.group(1) != "S1" else "sacrum") in bones
    return True


def _fitted_part(part: Part, deformation: SpineDeformation) -> Part:
    positions = {state: deformation.apply(part.positions_mm[state]) for state in STATES}
    bites = tuple(replace(bite, centre_mm=tuple(float(v) for v in deformation.apply(np.array([bite.centre_mm]))[0]),
                          volume_mm3=float(bite.volume_mm3 * deformation.volume_scale(np.array([bite.centre_mm]))[0]))
                  for bite in part.bites)
    return Part(name=part.name, group=part.group, faces=part.faces, positions_mm=positions, bites=bites)


def _patient_part(part: Part, mesh: trimesh.Trimesh, deformation: SpineDeformation) -> Part:
    if part.group == "bone":
        vertices, faces, bites = carve_bone_bites(part, mesh, deformation)
        return Part(name=part.name, group=part.group, faces=faces,
                    positions_mm={state: vertices for state in STATES}, bites=bites)
    vertices = np.asarray(mesh.vertices, dtype=np.float32)
    fitted = {state: deformation.apply(part.positions_mm[state]) for state in STATES}
    positions = {state: vertices if state == "stenosis" else
                 transfer_displacement(vertices, fitted["stenosis"], fitted[state]) for state in STATES}
    return Part(name=part.name, group=part.group, faces=np.asarray(mesh.faces, dtype=np.int32),
                positions_mm=positions)


def fit_to_patient(template: Anatomy, structures: ScanStructures,
                   patient_from_template: dict[str, np.ndarray]) -> Anatomy:
    """Assemble the patient's anatomy from their surfaces and the fitted template.

    Parameters
    ----------
    template : Anatomy
    structures : ScanStructures
        The patient's surfaces (bones, optionally dural sac and discs).
    patient_from_template : dict of str to (4, 4) ndarray
        Per-bone similarity transforms from :func:`register_bones`.

    Returns
    -------
    Anatomy
        Template parts in template order, limited to the bones and levels the scan covers;
        its ``levels`` (the metrics' mid-disc frames) are the template's, carried along
        (:func:`viz.scan.fit.fit_level`).
    """
    anchors = {name: np.asarray(template.parts[name].positions_mm["stenosis"]).mean(axis=0)
               for name in patient_from_template}
    deformation = SpineDeformation(anchors, patient_from_template)
    bones = {name for name in structures.meshes if name in BONES}
    levels = covered_levels(bones)
    parts = {}
    for name, part in template.parts.items():
        if name in structures.meshes:
            parts[name] = _patient_part(part, structures.meshes[name], deformation)
        elif part.group != "bone" and _keeps(name, bones, levels):
            parts[name] = _fitted_part(part, deformation)
    fitted_levels = {name: fit_level(template.levels[name], deformation) for name in levels}
    return Anatomy(parts=parts, lod=template.lod, levels=fitted_levels)


def register_bones(template: Anatomy, structures: ScanStructures) -> dict[str, np.ndarray]:
    """``patient_from_template`` for every bone in both the scan and the template."""
    return {name: register_bone(template.parts[name].positions_mm["stenosis"], mesh)
            for name, mesh in structures.meshes.items() if name in BONES and name in template.parts}


def _stenosis_metrics(anatomy: Anatomy, levels: tuple[str, ...]) -> dict:
    positions = {name: part.positions_mm["stenosis"] for name, part in anatomy.parts.items()}
    measured = compute_metrics(anatomy, positions, 0.0)
    return {"levels": {level: values for level, values in measured["levels"].items() if level in levels}}


def narrowest_level(metrics: dict, sac_measured: bool) -> str:
    """Where to tell the story.

    With the patient's dural sac: the level with the smallest sac area. Without it
    nothing measured tells the levels apart (the sac and ligaments would be the
    template's), so: :data:`TEMPLATE_STENOSIS_LEVEL`, the most common level, if
    the scan covers it, else the covered level nearest to it.
    """
    levels = metrics["levels"]
    if sac_measured:
        return min(levels, key=lambda level: levels[level]["dural_sac_csa_mm2"])
    target = DISCS.index(TEMPLATE_STENOSIS_LEVEL)
    return min(levels, key=lambda level: abs(DISCS.index(level) - target))


def patient_scan(structures: ScanStructures, template: Anatomy | None = None) -> PatientScan:
    """Fit, measure and stage a patient's scan.

    Parameters
    ----------
    structures : ScanStructures
        From :func:`viz.scan.sources.read_scan_bytes` or ``read_scan_path``.
    template : Anatomy, optional
        The template with stenosis at :data:`TEMPLATE_STENOSIS_LEVEL`; default: the cached one.

    Returns
    -------
    PatientScan
    """
    template = template or template_anatomy()
    transforms = register_bones(template, structures)
    levels = covered_levels(set(transforms))
    anatomy = fit_to_patient(template, structures, transforms)
    narrowest = narrowest_level(_stenosis_metrics(anatomy, levels), "dural_sac" in structures.meshes)
    if narrowest != TEMPLATE_STENOSIS_LEVEL:
        anatomy = fit_to_patient(template_anatomy(narrowest), structures, transforms)
    measured = tuple(name for name in anatomy.parts if name in structures.meshes)
    return PatientScan(anatomy=anatomy, metrics=_stenosis_metrics(anatomy, levels), narrowest_level=narrowest,
                       measured=measured, fitted=tuple(n for n in anatomy.parts if n not in structures.meshes),
                       kind=structures.kind, convention=structures.convention)
