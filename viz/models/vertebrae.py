"""The bones: L2-L5 from the mean CT-derived mesh, L1 derived from L2, a sacrum.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior).

L2-L5 are the mean shapes of 87 CT scans [1]_, shipped in
``assets/meshes/reference`` (MIT licence, see its README) and kept in their
mean in-situ alignment (lordosis and disc spaces as published). L1 is L2
scaled by the published L1/L2 size ratio [2]_ and placed above L2 with the
same relative pose as L2 has above L3, tilted further back to continue the
lordosis. The sacrum is procedural (signed-distance primitives): an S1 body
matching L5's lower endplate across the L5-S1 disc, alae, a sacral canal
continuing the lumbar canal, and S1 superior articular processes meeting
L5's inferior articular processes at the L5-S1 facet joints; its upper
endplate slopes forward by the mean sacral slope [3]_.

References
----------
.. [1] Clouthier AL et al. J Biomech 2023;146:111421.
   https://doi.org/10.1016/j.jbiomech.2022.111421
.. [2] Panjabi MM et al. Spine 1992;17(3):299-306.
   https://doi.org/10.1097/00007632-199203000-00010
.. [3] Legaye J et al. Eur Spine J 1998;7(2):99-103. https://doi.org/10.1007/s005860050038
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import trimesh

from viz.models import sdf
from viz.models.constants import DISC_HEIGHT_MM, L1_SCALE_FROM_L2, SACRAL_SLOPE_DEG
from viz.models.geometry import sagittal_frame, to_local, to_world
from viz.models.landmarks import VertebraLandmarks, vertebra_landmarks

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "assets" / "meshes" / "reference"
"""Shipped mean meshes of L2-L5 and their measured dimensions [1]_."""


def reference_tilts_deg() -> dict[str, float]:
    """Body axis tilt of each reference vertebra, degrees (``dimensions.json``)."""
    table = json.loads((REFERENCE_DIR / "dimensions.json").read_text())["vertebrae"]
    return {name: float(row["body_axis_tilt_deg"]) for name, row in table.items()}


def reference_vertebra(name: str) -> trimesh.Trimesh:
    """The shipped mean mesh of ``name`` (``"L2"`` .. ``"L5"``), LPS mm, watertight."""
    return trimesh.load(REFERENCE_DIR / f"{name}.ply", process=False)


def l1_from_l2(l2: trimesh.Trimesh, l2_marks: VertebraLandmarks, l3_marks: VertebraLandmarks,
               tilt_l2_deg: float, tilt_l3_deg: float) -> trimesh.Trimesh:
    """Derive L1 from L2: scaled [2]_ and posed above L2 as L2 sits above L3.

    Returns
    -------
    trimesh.Trimesh
        Watertight L1 in LPS millimetres.
    """
    scale = np.asarray(L1_SCALE_FROM_L2)
    local = l2_marks.local(l2.vertices) * scale
    offset = to_local(l2_marks.body_centre_mm, l3_marks.body_centre_mm, l3_marks.frame)
    offset[2] *= scale[2]
    centre = to_world(offset, l2_marks.body_centre_mm, l2_marks.frame)
    frame = sagittal_frame(2 * tilt_l2_deg - tilt_l3_deg)
    return trimesh.Trimesh(to_world(local, centre, frame), l2.faces.copy(), process=False)


def sacrum_frame(l5_marks: VertebraLandmarks) -> tuple[np.ndarray, np.ndarray]:
    """Origin (S1 upper endplate centre) and frame of the sacrum.

    The frame's z axis is the S1 body axis, tilted forward by the sacral
    slope [3]_; the origin lies one L5-S1 disc height below L5's lower endplate.
    """
    frame = sagittal_frame(SACRAL_SLOPE_DEG)
    axis = l5_marks.frame[2] + frame[2]
    axis /= np.linalg.norm(axis)
    l5_bottom = l5_marks.inferior_outline_mm.mean(axis=0)
    return l5_bottom - axis * DISC_HEIGHT_MM["L5-S1"], frame


def sacrum_landmarks(l5_marks: VertebraLandmarks) -> VertebraLandmarks:
    """Landmarks of S1, derived from L5 across the L5-S1 disc.

    The S1 upper endplate outline is L5's lower outline carried into the S1
    endplate plane; the canal and facet landmarks continue L5's.
    """
    origin, frame = sacrum_frame(l5_marks)
    l5_bottom = l5_marks.inferior_outline_mm.mean(axis=0)
    outline = l5_marks.local(l5_marks.inferior_outline_mm) - l5_marks.local(l5_bottom)
    outline[:, 2] = -1.0
    canal = to_local(l5_marks.canal_centre_mm, origin, frame)
    canal[0], canal[2] = 0.0, -14.0
    body_centre = to_world(np.array([0.0, outline[:, 1].mean(), -14.0]), origin, frame)
    superior_facets = l5_marks.inferior_facets_mm + frame[2] * 2.0 - frame[1] * 3.0
    return VertebraLandmarks(
        frame=frame, body_centre_mm=body_centre, body_depth_mm=l5_marks.body_depth_mm,
        body_height_mm=28.0, superior_outline_mm=to_world(outline, origin, frame),
        inferior_outline_mm=to_world(outline * [0.6, 0.6, 0.0] + [0.0, 0.0, -28.0], origin, frame),
        canal_centre_mm=to_world(canal, origin, frame), canal_ap_mm=l5_marks.canal_ap_mm,
        canal_width_mm=l5_marks.canal_width_mm, body_back_mm=l5_marks.body_back_mm,
        lamina_front_mm=l5_marks.lamina_front_mm, superior_facets_mm=superior_facets,
        inferior_facets_mm=superior_facets)


def sacral_canal_points(s1_marks: VertebraLandmarks) -> np.ndarray:
    """Canal centreline points inside the sacrum (S1, S2), cranial to caudal."""
    canal = s1_marks.local(s1_marks.canal_centre_mm)
    return s1_marks.world(np.array([canal, canal + [0.0, -1.0, -18.0]]))


SACRUM_PROFILE = {
    "z_mm": (4.0, -3.0, -14.0, -28.0, -44.0, -60.0, -76.0, -92.0, -106.0),
    "half_width_mm": (26.0, 44.0, 52.0, 48.0, 38.0, 29.0, 21.0, 13.0, 6.0),
    "half_depth_mm": (9.0, 12.0, 14.0, 13.0, 11.0, 9.0, 7.5, 6.0, 4.0),
    "forward_mm": (0.0, 0.0, 0.0, 0.5, 2.0, 4.5, 8.0, 12.5, 17.0),
}
"""Cross-sections of the sacral plate along the S1 axis (local z, downward
negative): half-width across the alae and lateral masses, half-depth, and the
forward drift of the sacral curve (its anterior concavity). An adult sacrum is
about 100-110 mm wide at its base and 100-110 mm long."""


def _profile(z, key):
    table = SACRUM_PROFILE
    return np.interp(-z, [-v for v in table["z_mm"]], table[key])


def _sacrum_field(points, l5_marks, origin, frame):
    """Signed distance (mm, approximate) of the sacrum, at LPS points."""
    p = to_local(points, origin, frame).astype(np.float32)
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    outline = to_local(l5_marks.inferior_outline_mm, origin, frame)
    half_width = 0.5 * np.ptp(outline[:, 0])
    half_depth = 0.5 * np.ptp(outline[:, 1])
    body_y = 0.5 * (outline[:, 1].max() + outline[:, 1].min())
    canal_y = to_local(l5_marks.canal_centre_mm, origin, frame)[1]
    body = sdf.ellipsoid(p, np.array([0.0, body_y, -14.0]), np.array([half_width, half_depth, 26.0]))
    body = np.maximum(body, z)
    width, depth = _profile(z, "half_width_mm"), _profile(z, "half_depth_mm")
    centre_y = 0.5 * (body_y + canal_y) + 2.0 - _profile(z, "forward_mm")
    radial = ((np.abs(x) / width) ** 4 + ((y - centre_y) / depth) ** 2) ** 0.25
    plate = (radial - 1.0) * np.minimum(width, depth)
    top = SACRUM_PROFILE["z_mm"][0] - 0.15 * np.abs(x)
    plate = np.maximum(plate, z - top)
    plate = np.maximum(plate, SACRUM_PROFILE["z_mm"][-1] - z)
    d = sdf.smooth_union(body, plate, 5.0)
    for sign in (1.0, -1.0):
        facet = to_local(l5_marks.inferior_facets_mm[0 if sign > 0 else 1], origin, frame)
        process = sdf.capsule(p, facet + np.array([sign * 3.0, -4.5, -16.0]),
                              facet + np.array([sign * 4.0, -5.0, -1.0]), 5.5)
        d = sdf.smooth_union(d, process, 4.0)
    crest_ends = []
    for level_z in (-18.0, -72.0):
        back = 0.5 * (body_y + canal_y) + 2.0 - _profile(level_z, "forward_mm") + _profile(level_z, "half_depth_mm")
        crest_ends.append(np.array([0.0, back - 1.5, level_z]))
    d = sdf.smooth_union(d, sdf.capsule(p, crest_ends[0], crest_ends[1], 3.0), 4.0)
    canal_half_width = np.interp(-z, [-8.0, 30.0, 90.0], [11.0, 9.0, 4.0])
    canal_half_depth = np.interp(-z, [-8.0, 30.0, 90.0], [6.5, 5.0, 2.5])
    canal_centre = canal_y - _profile(z, "forward_mm")
    canal = (np.hypot(x / canal_half_width, (y - canal_centre) / canal_half_depth) - 1.0) * canal_half_depth
    canal = np.maximum(canal, -90.0 - z)
    return np.maximum(d, -canal)


def build_sacrum(l5_marks: VertebraLandmarks, spacing_mm: float) -> trimesh.Trimesh:
    """Procedural sacrum consistent with L5's lower endplate and facets.

    Parameters
    ----------
    l5_marks : VertebraLandmarks
    spacing_mm : float
        Grid spacing of the signed-distance field (smaller is finer).

    Returns
    -------
    trimesh.Trimesh
        Watertight, outward normals, LPS millimetres.
    """
    origin, frame = sacrum_frame(l5_marks)
    corners = np.array([[x, y, z] for x in (-56, 56) for y in (-30, 60) for z in (-108, 20)], float)
    world = to_world(corners, origin, frame)
    return sdf.mesh_field(lambda q: _sacrum_field(q, l5_marks, origin, frame),
                          world.min(axis=0), world.max(axis=0), spacing_mm)


def bones(spacing_mm: float) -> dict[str, tuple[trimesh.Trimesh, VertebraLandmarks]]:
    """All six bones with their landmarks, from L1 (cranial) to the sacrum.

    Parameters
    ----------
    spacing_mm : float
        Grid spacing for the procedural sacrum.
    """
    tilts = reference_tilts_deg()
    out = {}
    for name in ("L2", "L3", "L4", "L5"):
        mesh = reference_vertebra(name)
        out[name] = (mesh, vertebra_landmarks(mesh.vertices, mesh.faces, tilts[name]))
    l1 = l1_from_l2(out["L2"][0], out["L2"][1], out["L3"][1], tilts["L2"], tilts["L3"])
    l1_marks = vertebra_landmarks(l1.vertices, l1.faces, 2 * tilts["L2"] - tilts["L3"])
    sacrum = build_sacrum(out["L5"][1], spacing_mm)
    ordered = {"L1": (l1, l1_marks)}
    ordered.update(out)
    ordered["sacrum"] = (sacrum, sacrum_landmarks(out["L5"][1]))
    return ordered
