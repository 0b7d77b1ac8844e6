"""The patient's own vertebral landmarks, canal centreline and disc levels.

The soft tissues are built in the frames the model builds them in
(:mod:`viz.models.levels`: per disc level, a mid-disc plane through the canal
centreline, perpendicular to the mean body axis), but measured on the
patient's bones. For each bone the template bone is registered onto the
patient's (:mod:`viz.scan.register`); the patient's mesh is brought into the
template's pose by the inverse transform and measured there by the model's own
landmark finder (:func:`viz.models.landmarks.vertebra_landmarks`: body and
endplates, the canal's centre, depth and width, the front of the laminae,
the facets), and the result is carried back. A bone cut by the edge of the scan,
or one the finder cannot read, takes the template's landmarks carried by its
transform instead, and is reported as such. The sacrum always does (the model
derives its landmarks from L5, :func:`viz.models.sacrum.sacrum_landmarks`).
Frame: LPS+ millimetres (+x patient's left, +y posterior, +z superior).

References
----------
Clouthier AL et al. J Biomech 2023;146:111421. https://doi.org/10.1016/j.jbiomech.2022.111421
(mean vertebrae and the canal ranges used to judge a measurement: depth 13.0–20.4 mm,
width 21.5–31.8 mm; ``../shared/ANATOMY.md`` "Lumbar vertebrae").
"""

from __future__ import annotations

import functools
from dataclasses import replace

import numpy as np
import trimesh
from scipy.interpolate import make_interp_spline

from viz.models.landmarks import VertebraLandmarks, vertebra_landmarks
from viz.models.levels import CENTRELINE_STEP_MM, Level
from viz.models.sacrum import sacral_canal_points, sacrum_landmarks
from viz.models.vertebrae import l1_from_l2, reference_tilts_deg, reference_vertebra
from viz.scan.label_tables import BONES, DISCS
from viz.scan.register import uniform_scale

CANAL_END_MM = 16.0
"""How far the canal centreline runs on beyond the canal centre of the first and last
lumbar bone, along its body axis (as :func:`viz.models.levels.canal_centreline` above L1), mm."""

PLAUSIBLE_RATIO = (0.6, 1.6)
"""A measured canal depth, canal width or body height outside this ratio to the template's
(scaled by the registration) means the finder misread the bone; the carried template is used."""

_POSITIONS = ("body_centre_mm", "superior_outline_mm", "inferior_outline_mm", "canal_centre_mm",
              "superior_facets_mm", "inferior_facets_mm")
_LENGTHS = ("body_depth_mm", "body_height_mm", "canal_ap_mm", "canal_width_mm", "body_back_mm", "lamina_front_mm")


@functools.cache
def _tilts_deg() -> dict[str, float]:
    tilts = reference_tilts_deg()
    return {**tilts, "L1": 2 * tilts["L2"] - tilts["L3"]}


@functools.cache
def template_landmarks() -> dict[str, VertebraLandmarks]:
    """Landmarks of the template's bones, as :func:`viz.models.vertebrae.bones` measures them.

    The sacrum's come from L5 (:func:`viz.models.sacrum.sacrum_landmarks`), so its
    mesh need not be built here.
    """
    tilts = _tilts_deg()
    meshes = {name: reference_vertebra(name) for name in ("L2", "L3", "L4", "L5")}
    marks = {name: vertebra_landmarks(mesh.vertices, mesh.faces, tilts[name]) for name, mesh in meshes.items()}
    l1 = l1_from_l2(meshes["L2"], marks["L2"], marks["L3"], tilts["L2"], tilts["L3"])
    marks["L1"] = vertebra_landmarks(l1.vertices, l1.faces, tilts["L1"])
    marks["sacrum"] = sacrum_landmarks(marks["L5"])
    return {name: marks[name] for name in BONES}


def carried_landmarks(marks: VertebraLandmarks, patient_from_template: np.ndarray) -> VertebraLandmarks:
    """Landmarks moved by a similarity transform: positions moved, frame turned, lengths scaled."""
    scale = uniform_scale(patient_from_template)
    rotation = patient_from_template[:3, :3] / scale
    moved = {key: trimesh.transform_points(np.atleast_2d(getattr(marks, key)), patient_from_template).reshape(
        np.shape(getattr(marks, key))) for key in _POSITIONS}
    lengths = {key: float(getattr(marks, key)) * scale for key in _LENGTHS}
    return replace(marks, frame=np.asarray(marks.frame) @ rotation.T, **moved, **lengths)


def _plausible(measured: VertebraLandmarks, expected: VertebraLandmarks) -> bool:
    low, high = PLAUSIBLE_RATIO
    return all(low <= getattr(measured, key) / getattr(expected, key) <= high
               for key in ("canal_ap_mm", "canal_width_mm", "body_height_mm"))


def patient_landmarks(name: str, bone: trimesh.Trimesh, patient_from_template: np.ndarray,
                      whole: bool) -> tuple[VertebraLandmarks, bool]:
    """The landmarks of one patient bone.

    Parameters
    ----------
    name : str
        ``"L1"`` … ``"L5"`` or ``"sacrum"``.
    bone : trimesh.Trimesh
        The patient's bone, LPS+ mm.
    patient_from_template : (4, 4) ndarray
        From :func:`viz.scan.register.register_bone`.
    whole : bool
        False if the scan's edge cuts the bone.

    Returns
    -------
    landmarks : VertebraLandmarks
    measured : bool
        True when measured on the patient's bone, False when the template's were carried.
    """
    template = template_landmarks()[name]
    carried = carried_landmarks(template, patient_from_template)
    if name == "sacrum" or not whole:
        return carried, False
    in_template_pose = trimesh.transform_points(bone.vertices, np.linalg.inv(patient_from_template))
    try:
        measured = vertebra_landmarks(in_template_pose, np.asarray(bone.faces), _tilts_deg()[name])
    except (IndexError, ValueError):
        return carried, False
    if not _plausible(measured, template):
        return carried, False
    return carried_landmarks(measured, patient_from_template), True


def canal_centreline(marks: dict[str, VertebraLandmarks]) -> np.ndarray:
    """The patient's canal centreline, head to feet, every ≈1 mm, LPS+ mm.

    Through the canal centres of the lumbar bones present, from
    :data:`CANAL_END_MM` above the first into the sacral canal when the sacrum
    is present (:func:`viz.models.sacrum.sacral_canal_points`), else to
    :data:`CANAL_END_MM` below the last lumbar bone.
    """
    lumbar = [marks[name] for name in BONES[:-1] if name in marks]
    points = [lumbar[0].canal_centre_mm + CANAL_END_MM * lumbar[0].frame[2]]
    points += [m.canal_centre_mm for m in lumbar]
    if "sacrum" in marks:
        points += list(sacral_canal_points(marks["sacrum"]))
    else:
        points.append(lumbar[-1].canal_centre_mm - CANAL_END_MM * lumbar[-1].frame[2])
    points = np.asarray(points, dtype=np.float64)
    chord = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(points, axis=0), axis=1))])
    spline = make_interp_spline(chord, points, k=min(3, len(points) - 1))
    return spline(np.linspace(0.0, chord[-1], int(chord[-1] / CENTRELINE_STEP_MM) + 1))


def disc_level(name: str, upper_name: str, lower_name: str, marks: dict[str, VertebraLandmarks],
               centreline_mm: np.ndarray) -> Level:
    """One disc level between two patient bones (the construction of :func:`viz.models.levels.build_levels`).

    The level's axis is the mean of the two body axes; its origin is where the
    canal centreline crosses the plane through the disc centre; its depths come
    from the bones' posterior walls and laminae, its width from their canals.
    """
    upper, lower = marks[upper_name], marks[lower_name]
    axis = upper.frame[2] + lower.frame[2]
    axis /= np.linalg.norm(axis)
    left = upper.frame[0] + lower.frame[0]
    left -= (left @ axis) * axis
    left /= np.linalg.norm(left)
    frame = np.array([left, np.cross(axis, left), axis])
    disc_centre = 0.5 * (upper.inferior_outline_mm.mean(axis=0) + lower.superior_outline_mm.mean(axis=0))
    height = (centreline_mm - disc_centre) @ axis
    crossing = int(np.flatnonzero(np.sign(height[:-1]) != np.sign(height[1:]))[0])
    t = height[crossing] / (height[crossing] - height[crossing + 1])
    origin = centreline_mm[crossing] + t * (centreline_mm[crossing + 1] - centreline_mm[crossing])
    body_back = 0.5 * (upper.body_back_mm + lower.body_back_mm)
    disc_back = body_back + float((0.5 * (upper.body_centre_mm + lower.body_centre_mm) - origin) @ frame[1])
    return Level(name=name, upper=upper_name, lower=lower_name,
                 disc_centre_mm=disc_centre, origin_mm=origin, frame=frame, disc_back_mm=float(disc_back),
                 canal_half_width_mm=0.25 * (upper.canal_width_mm + lower.canal_width_mm),
                 canal_half_depth_mm=float(0.5 * (upper.lamina_front_mm + lower.lamina_front_mm) - body_back
                                           + disc_back))


def patient_levels(marks: dict[str, VertebraLandmarks], centreline_mm: np.ndarray) -> dict[str, Level]:
    """Every disc level whose two bones are present, head to feet."""
    return {name: disc_level(name, upper, lower, marks, centreline_mm)
            for name, upper, lower in zip(DISCS, BONES, BONES[1:]) if upper in marks and lower in marks}
