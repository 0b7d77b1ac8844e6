"""The sacrum: five fused vertebrae below L5, as a smooth signed-distance shape.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior). The shape is built in the sacrum's local frame
(:func:`sacrum_frame`): origin at the centre of the S1 upper endplate, x to
the left, y posterior, z along the S1 body axis (tilted forward by the sacral
slope [1]_); the bone runs down to local z of about -106 mm.

What is built (all smooth unions and subtractions, meshed by
:func:`viz.models.sdf.mesh_field`):

* the fused bodies S1-S5, a column whose top is L5's lower endplate outline
  carried across the L5-S1 disc (the sacral promontory is its front edge),
  with transverse ridges on the pelvic side where the bodies fused;
* the alae and lateral masses, with an ear-shaped auricular surface facing
  sideways on S1-S3 [2]_;
* the sacral canal, continuing the lumbar canal and narrowing caudally, roofed
  by the fused laminae down to the sacral hiatus at S4, open to S5 [3]_;
* the median sacral crest with four spinous tubercles, the intermediate crests
  ending in the sacral cornua beside the hiatus, and the lateral crests;
* four pairs of sacral foramina, dorsal and pelvic (:data:`SACRAL_FORAMINA_MM`);
* the S1 superior articular processes, facing L5's inferior articular
  processes across the facet joint space (:data:`FACET_JOINT_SPACE_MM`).

References
----------
.. [1] Legaye J et al. Eur Spine J 1998;7(2):99-103. https://doi.org/10.1007/s005860050038
.. [2] Morphometric analysis and clinical significance of the os sacrum (32 dry sacra),
   J Med Palliat Care. https://journal-jompac.com/Publication/DisplayArticle/26212
   (auricular surface arms 31.9 and 39.4 mm; S1 body 47.0 x 28.3 mm).
.. [3] Nastoulis E et al. Folia Morphol 2023;82(3):603-614.
   https://doi.org/10.5603/FM.a2022.0078 (see :data:`SACRAL_HIATUS_MM`).
.. [4] Anatomical evaluation of sacrum in dry bones (30 sacra): height 106.7 +/- 10.2 mm,
   width 103.6 +/- 6.8 mm.
   https://discovery.researcher.life/article/anatomical-evaluation-of-sacrum-in-dry-bones/4daff67b8543338f9a3a1306a43b5b7f
.. [5] Radiologic and anatomic evaluation of the anterior sacral foramens and nerve grooves.
   Spine 1996;21(4):407-410. https://doi.org/10.1097/00007632-199602150-00001
"""

from __future__ import annotations

import numpy as np
import trimesh
from scipy.interpolate import PchipInterpolator

from viz.models import sdf
from viz.models.constants import (DISC_HEIGHT_MM, FACET_JOINT_SPACE_MM, PELVIC_FORAMEN_OFFSET_MM,
                                  SACRAL_FORAMINA_MM, SACRAL_HIATUS_MM, SACRAL_SLOPE_DEG)
from viz.models.geometry import SurfaceProbe, sagittal_frame, to_local, to_world
from viz.models.landmarks import VertebraLandmarks

SACRUM_PROFILE = {
    "z_mm": (0.0, -7.0, -14.0, -27.0, -45.0, -62.0, -78.0, -92.0, -99.0, -106.0),
    "forward_mm": (0.0, 0.0, 0.0, 0.5, 2.5, 6.0, 11.5, 18.0, 21.5, 25.0),
    "half_width_mm": (44.0, 51.0, 52.5, 51.0, 45.0, 37.5, 30.5, 24.5, 19.0, 11.0),
    "body_half_width_mm": (26.1, 25.8, 25.0, 19.0, 15.5, 12.5, 10.5, 9.5, 9.0, 7.5),
    "body_front_mm": (44.5, 44.0, 42.0, 37.0, 31.5, 27.5, 22.5, 17.5, 14.5, 11.5),
    "lateral_front_mm": (34.0, 33.5, 32.5, 30.0, 26.0, 22.5, 18.5, 15.0, 13.5, 11.5),
    "edge_front_mm": (9.0, 9.0, 9.0, 8.0, 7.0, 7.0, 7.5, 6.0, 5.0, 4.0),
    "canal_front_mm": (11.7, 11.5, 10.0, 9.0, 7.0, 5.5, 4.0, 3.0, 2.5, 2.5),
    "canal_back_mm": (8.5, 8.5, 7.5, 6.5, 5.0, 4.0, 2.5, 2.5, 2.5, 2.5),
    "canal_half_width_mm": (13.6, 13.3, 12.5, 11.0, 9.0, 7.5, 6.5, 6.2, 6.2, 6.2),
    "dorsal_mm": (14.5, 14.5, 14.0, 13.0, 11.0, 9.5, 8.0, 6.5, 5.0, 3.5),
    "edge_back_mm": (5.0, 5.0, 5.0, 5.5, 7.0, 9.0, 10.0, 8.0, 6.5, 5.0),
}
"""Sections of the sacrum along its local z axis (downward negative), mm.

``forward_mm`` is the forward drift of the sacral curve (its pelvic
concavity); the canal line runs at ``y = canal_y - forward_mm`` and every
``*_front_mm``, ``*_back_mm`` and ``dorsal_mm`` is a distance from that line:
forward to the front of the bodies and of the lateral masses (which lie behind
the bodies), to the front of the canal (back of the bodies), backward to the
front of the laminae and to the dorsal surface on the midline. ``half_width_mm``
is the lateral border (the base about 107 mm wide, the bone 107 mm from promontory to
apex, inside the published 103.6 +/- 6.8 and 108.4 +/- 6.1 mm widths and 106.7 +/- 10.2
and 103.3 +/- 10.0 mm lengths [2]_ [4]_),
``body_half_width_mm`` the fused bodies. The top section is L5's lower endplate
carried across the disc (outline 52 x 32 mm, canal 27 mm wide); the canal
narrows to the published depth and width at the hiatus (:data:`SACRAL_HIATUS_MM`).
Values between sections are monotone cubic (PCHIP), so the surface has no creases."""

SPINOUS_TUBERCLES = ((-21.0, 4.5), (-38.0, 5.0), (-58.5, 4.0), (-76.0, 2.5))
"""Local z and height above the dorsal surface (mm) of the S1-S4 spinous tubercles of the
median sacral crest, midway between the foramina levels; S1's sits below L5's spinous process."""

AURICULAR_ARMS_MM = ((26.0, -8.0), (14.0, -31.0), (23.0, -58.0))
"""The auricular surface's spine, (y behind the lateral front, local z): an ear opening
backward, its angle in front at the top of S2, the short cranial arm running back and up
along S1, the long caudal arm back and down along S2-S3 (arms about 32 and 39 mm long [2]_)."""

AURICULAR_HALF_WIDTH_MM = 6.0
"""Half the breadth of each arm of the auricular surface."""

LAMINA_TOP_MM = (-12.0, -13.0)
"""Local z of the upper border of the dorsal part of the base: at the midline (S1 lamina,
where the L5-S1 ligamentum flavum attaches) and at the lateral border."""

ALA_TOP_MM = (-2.0, -13.0)
"""Local z of the alae's upper surface beside the body and at the lateral border."""

NERVE_GROOVE_MM = 11.0
"""Lateral run of the 1.5-mm-deep groove leaving each pelvic foramen: the projection of a
pelvic foramen with its groove reaches about 10 mm lateral of the dorsal foramen [5]_."""

L5_REACH_MM = 8.0
"""Distance from L5 within which its surface is trusted to shape the sacrum (the probe's sign,
from the nearest vertex's normal, is reliable only near the surface)."""

S1_LANDMARK_Z_MM = -14.0
"""Local z of the S1 landmarks (body and canal centres, canal size): mid-S1."""

SAC_END_Z_MM = -32.0
"""Local z of the last canal centreline point, where the dural sac ends (upper S2)."""

BOX_MM = ((-57.0, -24.0, -110.0), (57.0, 54.0, 3.0))
"""Local bounds of the sacrum's grid (lower, upper corner), mm."""


def sacrum_frame(l5_marks: VertebraLandmarks) -> tuple[np.ndarray, np.ndarray]:
    """Origin (S1 upper endplate centre) and frame of the sacrum.

    The frame's z axis is the S1 body axis, tilted forward by the sacral
    slope [1]_; the origin lies one L5-S1 disc height below L5's lower endplate.
    """
    frame = sagittal_frame(SACRAL_SLOPE_DEG)
    axis = l5_marks.frame[2] + frame[2]
    axis /= np.linalg.norm(axis)
    l5_bottom = l5_marks.inferior_outline_mm.mean(axis=0)
    return l5_bottom - axis * DISC_HEIGHT_MM["L5-S1"], frame


def _canal_y(l5_marks: VertebraLandmarks, origin: np.ndarray, frame: np.ndarray) -> float:
    """Local y of the canal line at the top of the sacrum: L5's canal centre."""
    return float(to_local(l5_marks.canal_centre_mm, origin, frame)[1])


def _section(z, key):
    """Profile value ``key`` of :data:`SACRUM_PROFILE` at local heights ``z`` (clamped at the ends)."""
    table = SACRUM_PROFILE
    curve = PchipInterpolator(table["z_mm"][::-1], table[key][::-1])
    return curve(np.clip(z, table["z_mm"][-1], table["z_mm"][0]))


def _canal_line(z, canal_y):
    """Local y of the canal line (the sacral curve) at local heights ``z``."""
    return canal_y - _section(z, "forward_mm")


def sacrum_landmarks(l5_marks: VertebraLandmarks) -> VertebraLandmarks:
    """Landmarks of S1, derived from L5 across the L5-S1 disc and from the built canal.

    The S1 upper endplate outline is L5's lower outline carried into the S1
    endplate plane; the canal centre continues L5's; the canal size, the back
    of the body and the front of the lamina are those of the sacral canal at
    mid-S1 (:data:`S1_LANDMARK_Z_MM`).
    """
    origin, frame = sacrum_frame(l5_marks)
    l5_bottom = l5_marks.inferior_outline_mm.mean(axis=0)
    outline = l5_marks.local(l5_marks.inferior_outline_mm) - l5_marks.local(l5_bottom)
    outline[:, 2] = -1.0
    canal_y = _canal_y(l5_marks, origin, frame)
    body_y = outline[:, 1].mean()
    mid = S1_LANDMARK_Z_MM
    front, back = _section(mid, "canal_front_mm"), _section(mid, "canal_back_mm")
    superior_facets = l5_marks.inferior_facets_mm + frame[2] * 2.0 - frame[1] * 3.0
    return VertebraLandmarks(
        frame=frame, body_centre_mm=to_world(np.array([0.0, body_y, mid]), origin, frame),
        body_depth_mm=l5_marks.body_depth_mm, body_height_mm=28.0, superior_outline_mm=to_world(outline, origin, frame),
        inferior_outline_mm=to_world(outline * [0.6, 0.6, 0.0] + [0.0, 0.0, -28.0], origin, frame),
        canal_centre_mm=to_world(np.array([0.0, canal_y, mid]), origin, frame), canal_ap_mm=float(front + back),
        canal_width_mm=float(2.0 * _section(mid, "canal_half_width_mm")),
        body_back_mm=float(canal_y - front - body_y), lamina_front_mm=float(canal_y + back - body_y),
        superior_facets_mm=superior_facets, inferior_facets_mm=superior_facets)


def sacral_canal_points(s1_marks: VertebraLandmarks) -> np.ndarray:
    """Canal centreline points inside the sacrum, on the canal line: mid-S1 and upper S2,
    where the dural sac ends (:data:`SAC_END_Z_MM`); cranial to caudal, LPS mm."""
    canal = s1_marks.local(s1_marks.canal_centre_mm)
    drop = _section(SAC_END_Z_MM, "forward_mm") - _section(S1_LANDMARK_Z_MM, "forward_mm")
    return s1_marks.world(np.array([canal, canal + [0.0, -drop, SAC_END_Z_MM - S1_LANDMARK_Z_MM]]))


def _smoothstep(u):
    """Cubic step from 0 (``u <= 0``) to 1 (``u >= 1``) and its derivative."""
    u = np.clip(u, 0.0, 1.0)
    return u * u * (3.0 - 2.0 * u), 6.0 * u * (1.0 - u)


def _top_mm(x, y, canal_y):
    """Upper surface of the alae and lateral masses (local z) and its slope along y.

    The alae, in front, sit just below the endplate and fall toward the lateral
    border; behind the canal line the base drops to the upper border of the
    laminae (:data:`LAMINA_TOP_MM`), leaving the L5-S1 interlaminar space.
    """
    half = max(SACRUM_PROFILE["half_width_mm"])
    ala = ALA_TOP_MM[0] + (ALA_TOP_MM[1] - ALA_TOP_MM[0]) * _smoothstep((np.abs(x) - 20.0) / (half - 20.0))[0]
    back = LAMINA_TOP_MM[0] + (LAMINA_TOP_MM[1] - LAMINA_TOP_MM[0]) * _smoothstep((np.abs(x) - 16.0) / (half - 16.0))[0]
    weight, slope = _smoothstep((y - canal_y + 9.0) / 8.0)
    return ala + (back - ala) * weight, (back - ala) * slope / 8.0


def _ridges_mm(z):
    """Forward relief of the transverse ridges, where the bodies fused, at the pelvic foramina levels."""
    out = np.zeros_like(z)
    for height, (level_z, *_) in zip((1.8, 1.6, 1.3, 1.0), SACRAL_FORAMINA_MM.values()):
        out = out + height * np.exp(-(((z - level_z - 1.5) / 2.5) ** 2))
    return out


def _bodies(x, y, z, line):
    """The fused bodies S1-S5: a column under L5's endplate outline, tapering to the apex."""
    front = line - _section(z, "body_front_mm") - _ridges_mm(z)
    back = line - _section(z, "canal_front_mm") + 3.0
    d = sdf.superellipse(x, y - 0.5 * (front + back), _section(z, "body_half_width_mm"), 0.5 * (back - front), 2.3)
    d = sdf.smooth_intersection(d, z, 1.5)
    return sdf.smooth_intersection(d, SACRUM_PROFILE["z_mm"][-1] - z, 3.0)


def _plate(x, y, z, line, canal_y):
    """Alae, lateral masses and the fused laminae, between the pelvic and dorsal surfaces."""
    half = _section(z, "half_width_mm")
    spread = (x / half) ** 2
    front = _pelvic_y(x, z, canal_y)
    back = line + _section(z, "dorsal_mm") - _section(z, "edge_back_mm") * spread
    d = sdf.smooth_intersection(np.abs(x) - half, front - y, 10.0)
    d = sdf.smooth_intersection(d, y - back, 8.0)
    top, slope = _top_mm(x, y, canal_y)
    d = sdf.smooth_intersection(d, (z - top) / np.sqrt(1.0 + slope * slope), 9.0)
    return sdf.smooth_intersection(d, SACRUM_PROFILE["z_mm"][-1] - z, 3.0)


def _pelvic_y(x, z, canal_y):
    """Local y of the pelvic surface of the lateral masses at ``(x, z)`` (before rounding)."""
    spread = (x / _section(z, "half_width_mm")) ** 2
    return _canal_line(z, canal_y) - _section(z, "lateral_front_mm") + _section(z, "edge_front_mm") * spread


def _dorsal_point(x, z, canal_y, lift):
    """Local point on the dorsal surface (before the crests) at ``(x, z)``, lifted by ``lift`` mm."""
    half = _section(z, "half_width_mm")
    y = _canal_line(z, canal_y) + _section(z, "dorsal_mm") - _section(z, "edge_back_mm") * (x / half) ** 2
    return np.array([x, y + lift, z])


def _chain(points, spine, radius):
    """Distance to a chain of capsules through the ``spine`` points."""
    return np.min([sdf.capsule(points, a, b, radius) for a, b in zip(spine[:-1], spine[1:])], axis=0)


def _crests(points, canal_y):
    """The median crest with its spinous tubercles, and the paired intermediate and lateral
    crests (fused articular and transverse processes, the latter with transverse tubercles),
    all from the S1 lamina down; the intermediate crests end in the sacral cornua beside
    the hiatus. Paired crests run 3 mm medial and 5.5 mm lateral of the dorsal foramina."""
    levels = list(SACRAL_FORAMINA_MM.values())
    medial = [xc - 0.5 * w for _, xc, w, *_ in levels]
    lateral = [xc + 0.5 * w for _, xc, w, *_ in levels]
    tubercle_z = [z for z, _ in SPINOUS_TUBERCLES]
    median = [_dorsal_point(0.0, z, canal_y, -0.4) for z in [-15.0] + tubercle_z]
    d = _chain(points, median, 2.4)
    for z, height in SPINOUS_TUBERCLES:
        centre = _dorsal_point(0.0, z, canal_y, height - 4.5)
        d = sdf.smooth_union(d, sdf.ellipsoid(points, centre, np.array([3.2, 4.5, 6.0])), 2.0)
    mirrored = np.concatenate([np.abs(points[..., :1]), points[..., 1:]], axis=-1)
    cornu_x = 0.5 * SACRAL_HIATUS_MM["width"] + 2.5
    inner_x = [medial[0] - 3.0] + [0.5 * (a + b) - 3.0 for a, b in zip(medial[:-1], medial[1:])]
    inner = [_dorsal_point(x, z, canal_y, -1.0) for x, z in zip(inner_x, [-17.0] + tubercle_z[1:])]
    inner += [_dorsal_point(cornu_x, z, canal_y, -0.6) for z in (-93.0, -103.0)]
    outer_x = [lateral[0] + 5.5] + [0.5 * (a + b) + 5.5 for a, b in zip(lateral[:-1], lateral[1:])]
    outer = [_dorsal_point(x, z, canal_y, -2.0) for x, z in zip(outer_x, [-17.0] + tubercle_z[1:])]
    paired = np.minimum(_chain(mirrored, inner, 2.3), _chain(mirrored, outer, 2.6))
    for point in outer:
        tubercle = sdf.ellipsoid(mirrored, point + [0.0, -0.6, 0.0], np.array([3.5, 3.0, 5.0]))
        paired = sdf.smooth_union(paired, tubercle, 2.0)
    return sdf.smooth_union(d, paired, 2.0)


def _auricular_surfaces(x, y, z, line, plate, top):
    """The ear-shaped auricular surfaces: L-shaped plateaus 1.2 mm proud of the lateral
    faces of S1-S3 (:data:`AURICULAR_ARMS_MM`), following the faces' curvature."""
    behind = y - (line - _section(z, "lateral_front_mm"))
    arms = AURICULAR_ARMS_MM
    spine = np.minimum(sdf.segment_distance_2d(behind, z, arms[0], arms[1]),
                       sdf.segment_distance_2d(behind, z, arms[1], arms[2]))
    d = sdf.smooth_intersection(plate - 1.2, spine - AURICULAR_HALF_WIDTH_MM, 3.0)
    d = sdf.smooth_intersection(d, z - top + 4.0, 3.0)
    return np.maximum(d, _section(z, "half_width_mm") - 4.0 - np.abs(x))


def _articular_processes(points, facets_local):
    """The S1 superior articular processes, rising in front of L5's inferior ones (left, right)."""
    out = []
    for facet, sign in zip(facets_local, (1.0, -1.0)):
        out.append(sdf.capsule(points, facet + [sign * 3.5, -5.0, -12.0], facet + [sign * 4.5, -5.5, 0.5], 6.5))
    return np.minimum(*out)


def _canal(x, y, z, line):
    """The sacral canal: a rounded triangle (wide in front), continuing the lumbar canal."""
    front = line - _section(z, "canal_front_mm")
    back = line + _section(z, "canal_back_mm")
    centre, half_depth = 0.5 * (front + back), 0.5 * (back - front)
    taper = 1.0 - 0.3 * np.clip((y - centre) / half_depth, -1.0, 1.0)
    return sdf.superellipse(x, y - centre, _section(z, "canal_half_width_mm") * taper, half_depth, 2.2), centre


def _hiatus(x, y, z, canal_centre):
    """The sacral hiatus: the roof left open from its inverted-U apex at S4 down to S5 [3]_."""
    half = 0.5 * SACRAL_HIATUS_MM["width"]
    apex = SACRAL_FORAMINA_MM["S4"][0] + 2.0
    slot = sdf.segment_distance_2d(x, z, (0.0, apex - half), (0.0, -200.0)) - half
    return sdf.smooth_intersection(slot, canal_centre - y, 1.0)


def _foramina(x, y, z, canal_y):
    """The four pairs of sacral foramina: dorsal and pelvic openings meeting in front of the
    canal line, each an elliptic channel along the local y axis; the wider pelvic opening
    overhangs the dorsal one medially (:data:`SACRAL_FORAMINA_MM`), so each pair is seen
    through, and leads into a shallow groove running laterally on the pelvic surface (the
    course of the ventral ramus [5]_)."""
    side = np.abs(x)
    medial, rise = PELVIC_FORAMEN_OFFSET_MM
    holes = np.full(np.shape(x), np.inf)
    for level_z, centre_x, dorsal_w, dorsal_h, pelvic_w, pelvic_h in SACRAL_FORAMINA_MM.values():
        meet = _canal_line(level_z, canal_y) - 3.0
        pelvic_x = centre_x - 0.5 * dorsal_w - medial + 0.5 * pelvic_w
        dorsal = (np.hypot((side - centre_x) / (0.5 * dorsal_w), (z - level_z) / (0.5 * dorsal_h)) - 1.0) \
            * 0.5 * min(dorsal_w, dorsal_h)
        pelvic = (np.hypot((side - pelvic_x) / (0.5 * pelvic_w), (z - level_z - rise) / (0.5 * pelvic_h))
                  - 1.0) * 0.5 * min(pelvic_w, pelvic_h)
        holes = np.minimum(holes, np.minimum(np.maximum(dorsal, meet - y), np.maximum(pelvic, y - meet - 1.0)))
        radius = 0.3 * pelvic_h
        groove = np.array([[pelvic_x, 0.0, level_z + rise], [pelvic_x + NERVE_GROOVE_MM, 0.0, level_z + rise - 2.0]])
        groove[:, 1] = [_pelvic_y(gx, gz, canal_y) - radius + 1.5 for gx, _, gz in groove]
        near = (np.abs(z - level_z) < pelvic_h) & (y < meet)
        channel = sdf.capsule(np.stack([side[near], y[near], z[near]], axis=-1), groove[0], groove[1], radius)
        holes[near] = np.minimum(holes[near], channel)
    return holes


def _sacrum_field(points, canal_y, facets_local):
    """Signed distance (mm, approximate; negative inside) of the sacrum at local points ``(..., 3)``.

    The crests, auricular surfaces and articular processes only change the
    field near the surface where they sit, so they are evaluated there only.
    """
    x, y, z = points[..., 0], points[..., 1], points[..., 2]
    line = _canal_line(z, canal_y)
    plate = _plate(x, y, z, line, canal_y)
    d = sdf.smooth_union(_bodies(x, y, z, line), plate, 5.0)
    band = (d > -6.0) & (d < 10.0)
    dorsal = band & (y > line - 12.0)
    d[dorsal] = sdf.smooth_union(d[dorsal], _crests(points[dorsal], canal_y), 2.5)
    lateral = band & (np.abs(x) > _section(z, "half_width_mm") - 6.0) & (z < -2.0) & (z > -70.0)
    top = _top_mm(x[lateral], y[lateral], canal_y)[0]
    d[lateral] = sdf.smooth_union(d[lateral], _auricular_surfaces(x[lateral], y[lateral], z[lateral], line[lateral],
                                                                  plate[lateral], top), 2.0)
    upper = (z > -32.0) & (y > line - 16.0)
    d[upper] = sdf.smooth_union(d[upper], _articular_processes(points[upper], facets_local), 4.0)
    canal, canal_centre = _canal(x, y, z, line)
    d = sdf.smooth_subtraction(d, canal, 1.5)
    d = sdf.smooth_subtraction(d, _hiatus(x, y, z, canal_centre), 1.5)
    return sdf.smooth_subtraction(d, _foramina(x, y, z, canal_y), 1.2)


def build_sacrum(l5: trimesh.Trimesh, l5_marks: VertebraLandmarks, spacing_mm: float) -> trimesh.Trimesh:
    """The sacrum under ``l5``: S1 across the L5-S1 disc, its facets against L5's.

    The field is sampled on a grid aligned with the sacrum's frame; near L5 the
    bone is kept :data:`FACET_JOINT_SPACE_MM` from L5's surface, so the S1
    superior articular facets are congruent with L5's inferior ones.

    Parameters
    ----------
    l5 : trimesh.Trimesh
        L5, closed, LPS mm.
    l5_marks : VertebraLandmarks
    spacing_mm : float
        Grid spacing of the signed-distance field (smaller is finer).

    Returns
    -------
    trimesh.Trimesh
        Watertight, outward normals, LPS millimetres.
    """
    origin, frame = sacrum_frame(l5_marks)
    canal_y = _canal_y(l5_marks, origin, frame)
    facets = to_local(l5_marks.inferior_facets_mm, origin, frame)
    probe = SurfaceProbe([l5])

    def field(points):
        d = _sacrum_field(points, canal_y, facets)
        near = np.flatnonzero((d < 4.0) & (points[..., 2] > -20.0) & (points[..., 1] > 15.0))
        world = to_world(points.reshape(-1, 3)[near], origin, frame)
        close = np.isfinite(probe.tree.query(world, distance_upper_bound=L5_REACH_MM)[0])
        signed = probe.signed_mm(world[close])
        clearance = np.where(np.abs(signed) < L5_REACH_MM, signed, L5_REACH_MM) - FACET_JOINT_SPACE_MM
        flat = d.reshape(-1)
        flat[near[close]] = sdf.smooth_subtraction(flat[near[close]], clearance, 1.0)
        return d

    mesh = sdf.mesh_field(field, np.array(BOX_MM[0]), np.array(BOX_MM[1]), spacing_mm)
    return trimesh.Trimesh(to_world(mesh.vertices, origin, frame), mesh.faces, process=False)
