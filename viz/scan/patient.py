"""The patient's own spine as an :class:`~viz.models.anatomy.Anatomy`, measured, with what is measured said.

Steps (issue 16):

1. the template's bones are registered onto the patient's (:mod:`viz.scan.register`)
   and the patient's landmarks, canal centreline and disc levels are found on
   the patient's bones (:mod:`viz.scan.spine_levels`);
2. per level, the bony canal is measured on the scan's own bone
   (:mod:`viz.scan.measure`), and the dural sac's area where the scan labels it;
3. the story's level is the patient's measured narrowest: the smallest dural sac
   area when the scan labels the sac, else the smallest bony canal; only when no
   level can be measured, the covered level nearest to L4–L5, the most common one;
4. the soft tissues are built on the patient's bones and kept out of the
   patient's bone as labelled (:mod:`viz.scan.soft_fit`, :mod:`viz.scan.roots`),
   with the model's illustrative narrowing at the story's level only, and the
   lamina trims cut from the patient's own upper vertebra (:mod:`viz.scan.bone_bites`).

Only what the scan covers is shown: its bones, the levels between two of them,
the roots whose foramen is in the scan, and a sac that ends where the scan
does; no template bone stands in for a missing one. :attr:`PatientScan.report`
says, per level and per number, whether it was measured on the scan, is the
story's illustration, or is a typical value of the model on the patient's
bones. Frame: LPS+ millimetres (+x patient's left, +y posterior, +z superior).

References
----------
``../shared/ANATOMY.md``: most stenosis is at L4–L5, then L3–L4; dural sac area < 100 mm²
relative, < 75 mm² absolute stenosis (Schönström et al. 1985).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import trimesh

from viz.models.anatomy import STATES, Anatomy, Part
from viz.models.geometry import SurfaceProbe, oriented_section, section_area_mm2
from viz.models.metrics import compute_metrics
from viz.scan.bone_bites import carve_bone_bites
from viz.scan.bone_field import BoneField
from viz.scan.label_tables import BONES, DISCS, OTHER_BONE
from viz.scan.measure import bony_canal
from viz.scan.register import inside_scan, register_bone, uniform_scale
from viz.scan.roots import root_parts
from viz.scan.discs import disc_part
from viz.scan.soft_fit import PatientSpine, cauda_part, fat_part, ligament_parts, sac_part
from viz.scan.sources import ScanStructures
from viz.scan.spine_levels import canal_centreline, patient_landmarks, patient_levels
from viz.scan.templates import TEMPLATE_STENOSIS_LEVEL, template_anatomy

ILLUSTRATIVE_AMOUNTS = (1.0, 0.75, 0.5, 0.25, 0.0)
"""Ligament thickenings tried at the story's level when the scan labels the sac: the largest
whose front stays within :data:`SAC_OVERLAP_MM` of the measured sac is shown."""

SAC_OVERLAP_MM = 0.5
"""How far the illustrative ligament may press into a measured sac, mm."""

CONUS_LEVEL = "L1-L2"
"""Where the spinal cord ends and the cauda equina begins (``../shared/ANATOMY.md``)."""


@dataclass(frozen=True)
class PatientScan:
    """A patient's spine ready for the story.

    Parameters
    ----------
    anatomy : Anatomy
        Three states; ``stenosis`` is the patient as scanned plus the story's
        illustrative narrowing at ``narrowest_level``. Works with ``build_bundle``.
    metrics : dict
        :func:`viz.models.metrics.compute_metrics` in the stenosis state for the levels
        the scan covers; ``report`` says which numbers are the patient's.
    narrowest_level : str
        Where the story is told, e.g. ``"L4-L5"``.
    measured : tuple of str
        Parts taken from the scan.
    fitted : tuple of str
        Parts built by the model on the patient's bones.
    kind : str
        ``"nifti"``, ``"masks"`` or ``"meshes"``.
    convention : str or None
        How the labels were named.
    report : dict
        What was measured and what is illustrative (see :func:`scan_report`).
    """

    anatomy: Anatomy
    metrics: dict
    narrowest_level: str
    measured: tuple[str, ...]
    fitted: tuple[str, ...]
    kind: str
    convention: str | None
    report: dict

    @property
    def message(self) -> str:
        """A few plain sentences for the status line, in English (the notices in every language and voice
        are built from the text catalogue: ``viz.export.scan_import.patient_notice``)."""
        report = self.report
        level = report["story_level"]
        text = f"Your scan shows {', '.join(report['bones'])}."
        if report["levels_missing_common"]:
            text += f" It does not show {', '.join(report['levels_missing'])}, so the story is shown at {level} instead."
        else:
            text += f" The story is shown at {level}."
        text += {"dural_sac": " That is where your nerve sac is narrowest.",
                 "bony_canal": " That is where your bony canal is narrowest.",
                 "nearest": " No level could be measured, so that is the level nearest to the usual one."
                 }[report["story_level_by"]]
        if not report["sac_measured"]:
            text += " Your scan does not mark the nerve sac, so the pinching shown is an example, not measured."
        return text


def triangle_budgets(template: Anatomy) -> dict[str, int]:
    """Per-structure triangle budget: as many as the template part a patient surface replaces."""
    return {name: int(len(part.faces)) for name, part in template.parts.items()}


def register_bones(template: Anatomy, structures: ScanStructures) -> dict[str, np.ndarray]:
    """``patient_from_template`` for every bone of the scan.

    Whole lumbar bones first (free scale); bones cut by the scan's edge then start
    from their nearest whole neighbour's transform and keep the whole bones' scale.
    The sacrum is matched the other way round (its scanned part, perhaps only S1,
    into the template's whole sacrum) with that scale too.
    """
    bones = [name for name in BONES if name in structures.meshes]
    points = {name: np.asarray(template.parts[name].positions_mm["healthy"], dtype=np.float64) for name in bones}
    whole = [name for name in bones if name not in structures.cut and name != "sacrum"]
    transforms = {name: register_bone(points[name], structures.meshes[name], structures.volume) for name in whole}
    scale = float(np.median([uniform_scale(t) for t in transforms.values()])) if transforms else 1.0
    for name in bones:
        if name in transforms:
            continue
        neighbour = min(transforms, key=lambda other: abs(BONES.index(other) - BONES.index(name)), default=None)
        initial = transforms[neighbour] if neighbour else None
        if name == "sacrum":
            template_bone = template.parts["sacrum"].mesh("healthy")
            inverse = register_bone(structures.meshes[name].vertices, template_bone, None,
                                    None if initial is None else np.linalg.inv(initial), 1.0 / scale)
            transforms[name] = np.linalg.inv(inverse)
        else:
            transforms[name] = register_bone(points[name], structures.meshes[name], structures.volume, initial, scale)
    return transforms


def _sac_areas(sac: trimesh.Trimesh, levels: dict) -> dict[str, float]:
    """Area of a measured sac's section in each level's mid-disc plane, mm² (as the model's metric)."""
    areas = {}
    for name, level in levels.items():
        segments = oriented_section(np.asarray(sac.vertices), np.asarray(sac.faces), level.origin_mm, level.frame[2])
        areas[name] = round(section_area_mm2(segments, level.frame[2]), 1)
    return areas


def _story_level(levels: dict, sac_areas: dict[str, float], canals: dict[str, dict | None]) -> tuple[str, str]:
    """The story's level and what chose it: ``"dural_sac"``, ``"bony_canal"`` or ``"nearest"``."""
    sac = {name: area for name, area in sac_areas.items() if area > 0}
    if sac:
        return min(sac, key=sac.get), "dural_sac"
    canal = {name: value["area_mm2"] for name, value in canals.items() if value}
    if canal:
        return min(canal, key=canal.get), "bony_canal"
    target = DISCS.index(TEMPLATE_STENOSIS_LEVEL)
    return min(levels, key=lambda name: abs(DISCS.index(name) - target)), "nearest"


def _amount_beside(sac: trimesh.Trimesh | None, spine: PatientSpine, template: Anatomy) -> float:
    """The largest illustrative ligament thickening that leaves a measured sac alone (1 without one)."""
    if sac is None:
        return 1.0
    probe = SurfaceProbe([sac])
    for amount in ILLUSTRATIVE_AMOUNTS:
        trial = PatientSpine(spine.levels, spine.centreline_mm, spine.field, spine.focus, amount)
        parts = ligament_parts(spine.levels[spine.focus], trial, template)
        deepest = min(float(probe.signed_mm(p.positions_mm["stenosis"]).min()) for p in parts.values())
        if deepest >= -SAC_OVERLAP_MM:
            return amount
    return 0.0


def _bone_part(name: str, mesh: trimesh.Trimesh, spine: PatientSpine, template: Anatomy) -> Part:
    level = spine.levels[spine.focus]
    if name == level.upper:
        vertices, faces, bites = carve_bone_bites(template.parts[TEMPLATE_STENOSIS_LEVEL.split("-")[0]].bites,
                                                  mesh, level)
    else:
        vertices, faces, bites = np.asarray(mesh.vertices, np.float32), np.asarray(mesh.faces, np.int32), ()
    return Part(name=name, group="bone", faces=faces, positions_mm={s: vertices for s in STATES}, bites=bites)


def _centreline_in_scan(marks: dict, structures: ScanStructures) -> np.ndarray:
    line = canal_centreline(marks)
    inside = inside_scan(structures.volume, line)
    return line[inside] if inside.sum() >= 8 else line


def build_patient_anatomy(structures: ScanStructures, template: Anatomy, marks: dict, spine: PatientSpine,
                          transforms: dict[str, np.ndarray]) -> Anatomy:
    """Every part on the patient's bones, in the template's drawing order."""
    measured = structures.meshes
    parts = {name: _bone_part(name, measured[name], spine, template) for name in BONES if name in measured}
    discs = {name: disc_part(level, spine, marks, measured.get(name)) for name, level in spine.levels.items()}
    parts.update(discs)
    for level in spine.levels.values():
        parts.update(ligament_parts(level, spine, template))
    for level in spine.levels.values():
        parts[f"epidural_fat_{level.name}"] = fat_part(level, spine)
    sac = sac_part(spine, measured.get("dural_sac"))
    cauda = cauda_part(spine, sac, CONUS_LEVEL)
    if cauda is not None:
        parts["cauda_equina"] = cauda
    bones = {name: measured[name] for name in BONES if name in measured}
    parts.update(root_parts(spine, bones, marks, transforms, discs, template))
    parts["dural_sac"] = sac
    return Anatomy(parts=parts, lod=template.lod, levels=dict(spine.levels))


def patient_scan(structures: ScanStructures, template: Anatomy | None = None) -> PatientScan:
    """Register, measure, choose the story's level, and build the patient's anatomy.

    Parameters
    ----------
    structures : ScanStructures
        From :func:`viz.scan.sources.read_scan_bytes` or ``read_scan_path``.
    template : Anatomy, optional
        The template narrowed at L4–L5; default: the committed one.

    Returns
    -------
    PatientScan
    """
    template = template or template_anatomy()
    transforms = register_bones(template, structures)
    found = {name: patient_landmarks(name, structures.meshes[name], transforms[name], name not in structures.cut)
             for name in transforms}
    marks = {name: value[0] for name, value in found.items()}
    centreline = _centreline_in_scan(marks, structures)
    levels = patient_levels(marks, canal_centreline(marks))
    bone_values = tuple(v for name in BONES + (OTHER_BONE,) for v in structures.label_of.get(name, ()))
    field = BoneField(structures.volume, bone_values)
    canals = {name: bony_canal(level, marks, field) for name, level in levels.items()}
    sac = structures.meshes.get("dural_sac")
    sac_areas = _sac_areas(sac, levels) if sac is not None else {}
    focus, chosen_by = _story_level(levels, sac_areas, canals)
    spine = PatientSpine(levels, centreline, field, focus, 1.0)
    spine = PatientSpine(levels, centreline, field, focus, _amount_beside(sac, spine, template))
    anatomy = build_patient_anatomy(structures, template, marks, spine, transforms)
    positions = {name: part.positions_mm["stenosis"] for name, part in anatomy.parts.items()}
    metrics = compute_metrics(anatomy, positions, -1.0)
    measured = tuple(name for name in anatomy.parts if name in structures.meshes)
    report = scan_report(structures, found, levels, canals, sac_areas, metrics, focus, chosen_by, spine.amount)
    return PatientScan(anatomy=anatomy, metrics=metrics, narrowest_level=focus, measured=measured,
                       fitted=tuple(name for name in anatomy.parts if name not in structures.meshes),
                       kind=structures.kind, convention=structures.convention, report=report)


def _number(value, provenance: str) -> dict:
    return {"value": value, "provenance": provenance}


def scan_report(structures: ScanStructures, found: dict, levels: dict, canals: dict, sac_areas: dict,
                metrics: dict, focus: str, chosen_by: str, amount: float) -> dict:
    """What was read, measured and illustrated, per bone and per level (JSON-ready).

    Provenance of each number: ``"measured"`` (on the scan), ``"illustrative"`` (the
    story's narrowing, added at its level only; not the patient's), ``"typical"``
    (the model's typical soft tissue fitted to the patient's bones; not measured),
    ``"not measurable"`` (the scan does not allow it; the value is None).
    """
    sac_measured = "dural_sac" in structures.meshes
    common = ("L4-L5", "L3-L4")
    per_level = {}
    for name in levels:
        canal = canals[name] or {}
        soft = "illustrative" if name == focus else "typical"
        values = metrics["levels"][name]
        per_level[name] = {
            "bony_canal_area_mm2": _number(canal.get("area_mm2"), "measured" if canal else "not measurable"),
            "bony_canal_ap_mm": _number(canal.get("ap_mm"), "measured" if canal else "not measurable"),
            "bony_canal_width_mm": _number(canal.get("width_mm"), "measured" if canal else "not measurable"),
            "dural_sac_csa_mm2": _number(sac_areas[name] if sac_measured else values["dural_sac_csa_mm2"],
                                         "measured" if sac_measured else soft),
            "canal_ap_mm": _number(values["canal_ap_mm"], soft),
            "lf_thickness_mm": _number(values["lf_thickness_mm"], soft),
            "schizas_grade": _number(values["schizas_grade"], soft),
        }
    return {
        "source": {"kind": structures.kind, "labels": structures.convention},
        "bones": {name: {"landmarks": "measured" if measured else "template carried by registration",
                         "cut_by_scan_edge": name in structures.cut} for name, (_, measured) in found.items()},
        "left_out": list(structures.left_out),
        "levels_covered": list(levels),
        "levels_missing": [name for name in DISCS if name not in levels],
        "levels_missing_common": [name for name in common if name not in levels],
        "story_level": focus,
        "story_level_by": chosen_by,
        "sac_measured": sac_measured,
        "sac_labels": [structures.volume.table.get(v, f"label {v}") for v in structures.label_of.get("dural_sac", ())]
        if sac_measured and structures.volume is not None else [],
        "illustrative_narrowing": {"level": focus, "ligament_thickening": amount,
                                   "what": "ligamentum flavum thickening, disc bulge and the sac's squeeze of the "
                                           "model (severity 1), added at the story's level only"},
        "levels": per_level,
    }
