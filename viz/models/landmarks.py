"""Landmarks measured on a vertebra mesh: body, endplates, canal, facets.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior). Each vertebra also has a local frame whose z axis is
its body axis (tilted in the sagittal plane by ``body_axis_tilt_deg`` as
defined with the reference mesh of Clouthier et al. 2023) and whose y axis
points posterior.

References
----------
.. [1] Clouthier AL, Wenghofer J, Wai EK, Graham RB. J Biomech 2023;146:111421.
   https://doi.org/10.1016/j.jbiomech.2022.111421
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from viz.models.geometry import oriented_section, polar_outline, ray_hits_2d, sagittal_frame, to_local, to_world

OUTLINE_POINTS = 48
"""Angular samples of a vertebral body outline (used to loft the discs)."""


@dataclass(frozen=True)
class VertebraLandmarks:
    """Measured landmarks of one vertebra (all positions LPS, mm).

    Attributes
    ----------
    frame : (3, 3) float
        Rows: local x (left), y (posterior), z (body axis, superior).
    body_centre_mm : (3,) float
    body_depth_mm, body_height_mm : float
    superior_outline_mm, inferior_outline_mm : (OUTLINE_POINTS, 3) float
        Body rim 1 mm inside the upper and lower endplates, counter-clockwise
        about the body axis starting at local +x.
    canal_centre_mm : (3,) float
        Centre of the vertebral foramen at the closed-ring level, on the midline.
    canal_ap_mm, canal_width_mm : float
    body_back_mm : float
        Local y of the posterior wall of the body on the midline.
    lamina_front_mm : float
        Local y of the anterior surface of the lamina on the midline.
    superior_facets_mm, inferior_facets_mm : (2, 3) float
        Tips of the superior and inferior articular processes, rows (left, right).
    """

    frame: np.ndarray
    body_centre_mm: np.ndarray
    body_depth_mm: float
    body_height_mm: float
    superior_outline_mm: np.ndarray
    inferior_outline_mm: np.ndarray
    canal_centre_mm: np.ndarray
    canal_ap_mm: float
    canal_width_mm: float
    body_back_mm: float
    lamina_front_mm: float
    superior_facets_mm: np.ndarray
    inferior_facets_mm: np.ndarray

    def local(self, points_mm: np.ndarray) -> np.ndarray:
        """LPS points in this vertebra's frame centred on the body centre."""
        return to_local(points_mm, self.body_centre_mm, self.frame)

    def world(self, local_mm: np.ndarray) -> np.ndarray:
        """Local points (see :meth:`local`) back in LPS."""
        return to_world(local_mm, self.body_centre_mm, self.frame)


def _midline_hits(vertices, faces, origin, frame, height, xmid):
    """Local-y crossings of the midline AP line at a local height."""
    centre = to_world(np.array([xmid, 0.0, height]), origin, frame)
    seg = oriented_section(vertices, faces, centre, frame[2])
    if len(seg) == 0:
        return np.zeros(0), seg
    seg2 = to_local(seg.reshape(-1, 3), origin, frame)[:, :2].reshape(-1, 2, 2)
    start = np.array([xmid, -200.0])
    hits = ray_hits_2d(seg2, start, np.array([[0.0, 1.0]]))[0] - 200.0
    return hits, seg2


def _outline(seg2, body_back):
    """Outer rim of the body section; the back is cut flat at the posterior wall."""
    keep = (seg2[:, :, 1] < body_back + 3.0).all(axis=1)
    radius = polar_outline(seg2[keep], np.zeros(2), OUTLINE_POINTS)
    angles = np.linspace(0.0, 2 * np.pi, OUTLINE_POINTS, endpoint=False)
    with np.errstate(divide="ignore"):
        flat = np.where(np.sin(angles) > 1e-6, (body_back - 0.5) / np.sin(angles), np.inf)
    return np.minimum(radius, flat)


def vertebra_landmarks(vertices: np.ndarray, faces: np.ndarray, tilt_deg: float) -> VertebraLandmarks:
    """Measure a lumbar vertebra given as a closed mesh in LPS millimetres.

    Parameters
    ----------
    vertices : (n, 3) float
    faces : (m, 3) int
    tilt_deg : float
        Body axis tilt from +z, positive when the upper end leans anteriorly [1]_.
    """
    frame = sagittal_frame(tilt_deg)
    origin = vertices.mean(axis=0)
    local = to_local(vertices, origin, frame)
    xmid = 0.5 * (local[:, 0].min() + local[:, 0].max())
    hits, _ = _midline_hits(vertices, faces, origin, frame, 0.0, xmid)
    front, back = hits[0], hits[1]
    column = (np.abs(local[:, 0] - xmid) < 10) & (local[:, 1] > front + 4) & (local[:, 1] < back - 4)
    z_low, z_high = local[column, 2].min(), local[column, 2].max()
    centre_local = np.array([xmid, 0.5 * (front + back), 0.5 * (z_low + z_high)])
    centre = to_world(centre_local, origin, frame)
    local = to_local(vertices, centre, frame)
    back_c = back - centre_local[1]
    canal = []
    for height in np.arange(-14.0, 14.1, 1.0):
        h, seg2 = _midline_hits(vertices, faces, centre, frame, height, 0.0)
        if len(h) < 4 or h[1] > back_c + 6:
            continue
        middle = np.array([0.0, 0.5 * (h[1] + h[2])])
        side = ray_hits_2d(seg2, middle, np.array([[1.0, 0.0], [-1.0, 0.0]]))
        if not (len(side[0]) and len(side[1]) and max(side[0][0], side[1][0]) < 20):
            continue
        widths = []
        for dy in np.linspace(-0.2, 0.2, 5) * (h[2] - h[1]):
            rows = ray_hits_2d(seg2, middle + [0.0, dy], np.array([[1.0, 0.0], [-1.0, 0.0]]))
            if len(rows[0]) and len(rows[1]):
                widths.append(rows[0][0] + rows[1][0])
        canal.append((height, h[1], h[2], max(widths)))
    canal = np.array(canal)
    mid = canal[len(canal) // 2]
    canal_local = np.array([0.0, 0.5 * (mid[1] + mid[2]), mid[0]])
    quarter = len(canal) // 4
    width = float(np.median(canal[quarter:len(canal) - quarter, 3]))
    outlines = []
    for height in (z_high - centre_local[2] - 1.0, z_low - centre_local[2] + 1.0):
        cut = oriented_section(vertices, faces, to_world([0.0, 0.0, height], centre, frame), frame[2])
        cut2 = to_local(cut.reshape(-1, 3), centre, frame)[:, :2].reshape(-1, 2, 2)
        radius = _outline(cut2, back_c)
        angles = np.linspace(0.0, 2 * np.pi, OUTLINE_POINTS, endpoint=False)
        ring = np.stack([radius * np.cos(angles), radius * np.sin(angles), np.full_like(radius, height)], 1)
        outlines.append(to_world(ring, centre, frame))
    posterior = (local[:, 1] > back_c + 4) & (np.abs(local[:, 0]) > 7) & (np.abs(local[:, 0]) < 32)
    facets = []
    for pick in (np.argmax, np.argmin):
        rows = []
        for sign in (1, -1):
            sel = np.where(posterior & (np.sign(local[:, 0]) == sign))[0]
            z = local[sel, 2]
            cut = np.quantile(z, 0.97) if pick is np.argmax else np.quantile(z, 0.03)
            tip = sel[z >= cut] if pick is np.argmax else sel[z <= cut]
            rows.append(vertices[tip].mean(axis=0))
        facets.append(np.array(rows))
    return VertebraLandmarks(
        frame=frame, body_centre_mm=centre, body_depth_mm=float(back - front),
        body_height_mm=float(z_high - z_low), superior_outline_mm=outlines[0],
        inferior_outline_mm=outlines[1], canal_centre_mm=to_world(canal_local, centre, frame),
        canal_ap_mm=float(mid[2] - mid[1]), canal_width_mm=float(width), body_back_mm=float(back_c),
        lamina_front_mm=float(mid[2]), superior_facets_mm=facets[0], inferior_facets_mm=facets[1])
