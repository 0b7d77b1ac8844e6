"""The bones: L2-L5 from the mean CT-derived mesh, L1 derived from L2, the sacrum.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior).

L2-L5 are the mean shapes of 87 CT scans [1]_, shipped in
``assets/meshes/reference`` (MIT licence, see its README) and kept in their
mean in-situ alignment (lordosis and disc spaces as published). L1 is L2
scaled by the published L1/L2 size ratio [2]_ and placed above L2 with the
same relative pose as L2 has above L3, tilted further back to continue the
lordosis. The sacrum is built under L5 by :mod:`viz.models.sacrum`.

References
----------
.. [1] Clouthier AL et al. J Biomech 2023;146:111421.
   https://doi.org/10.1016/j.jbiomech.2022.111421
.. [2] Panjabi MM et al. Spine 1992;17(3):299-306.
   https://doi.org/10.1097/00007632-199203000-00010
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import trimesh

from viz.models.constants import L1_SCALE_FROM_L2
from viz.models.geometry import sagittal_frame, to_local, to_world
from viz.models.landmarks import VertebraLandmarks, vertebra_landmarks
from viz.models.sacrum import build_sacrum, sacrum_landmarks

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


def bones(spacing_mm: float) -> dict[str, tuple[trimesh.Trimesh, VertebraLandmarks]]:
    """All six bones with their landmarks, from L1 (cranial) to the sacrum.

    Parameters
    ----------
    spacing_mm : float
        Grid spacing of the sacrum's signed-distance field.
    """
    tilts = reference_tilts_deg()
    out = {}
    for name in ("L2", "L3", "L4", "L5"):
        mesh = reference_vertebra(name)
        out[name] = (mesh, vertebra_landmarks(mesh.vertices, mesh.faces, tilts[name]))
    l1 = l1_from_l2(out["L2"][0], out["L2"][1], out["L3"][1], tilts["L2"], tilts["L3"])
    l1_marks = vertebra_landmarks(l1.vertices, l1.faces, 2 * tilts["L2"] - tilts["L3"])
    sacrum = build_sacrum(*out["L5"], spacing_mm)
    ordered = {"L1": (l1, l1_marks)}
    ordered.update(out)
    ordered["sacrum"] = (sacrum, sacrum_landmarks(out["L5"][1]))
    return ordered
