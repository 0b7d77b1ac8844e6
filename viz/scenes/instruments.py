"""MILD instruments as meshes, and their poses along the story.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior). Each instrument mesh is modelled with its tip at the origin pointing
along −z (handle toward +z); a key poses it by the rotation taking +z to
``direction`` (unit vector from the tip toward the handle) and a translation to
``position_mm`` (the tip), as in ``docs/CONTRACTS.md`` §3.

Sizes: the epidurography needle is 22 G (0.72 mm outer diameter, 89 mm long);
the skin anesthetic needle 25 G (0.51 mm, 38 mm); the portal 6 G (5.1 mm outer
diameter, ANATOMY.md); the bone and tissue tools pass through the portal (3.8 mm
shafts). Paths, at the level MILD treats (:func:`viz.scenes.landmarks.focus_level`,
L4–L5 in the standard anatomy): the needle reaches the posterior epidural space at
that level from a posterior paramedian, slightly caudal approach; the portal docks on
the inferior edge of the lamina above it (L4 for L4–L5) on the working side (left
first, then right), entering from caudal at ≈35°; the tools pivot in the portal and
their tips visit the bites of tissue in the anatomy's removal order (lateral to medial,
left then right), each arriving just before the bite's removal progress ``t``.

References
----------
ISO 9626:2016, Stainless steel needle tubing for the manufacture of medical devices
(nominal outer diameters: 22 G 0.72 mm, 25 G 0.51 mm).
``../shared/ANATOMY.md``, "The MILD procedure" (6 G portal ≈5.1 mm, steps and order).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import manifold3d
import numpy as np
import scipy.spatial
import trimesh

from viz.scenes.body import skin_y_mm
from viz.scenes.landmarks import focus_level, upper_vertebra

NEEDLE_OUTER_DIAMETER_MM = 0.72
"""22 G needle outer diameter, mm (ISO 9626)."""
ANESTHETIC_NEEDLE_OUTER_DIAMETER_MM = 0.51
"""25 G needle outer diameter, mm (ISO 9626)."""
PORTAL_OUTER_DIAMETER_MM = 5.1
"""6 G portal outer diameter, mm (ANATOMY.md)."""
PORTAL_INNER_DIAMETER_MM = 4.2
PORTAL_LENGTH_MM = 70.0
TOOL_SHAFT_DIAMETER_MM = 3.8
TOOL_LENGTH_MM = 120.0
SEGMENTS = 20
"""Facets around every round shaft."""
CLEARANCE_MM = 1.5
"""Least distance kept between an instrument path and any bone vertex, mm."""

PORTAL_APPROACH = (0.12, 0.82, -0.56)
"""Portal axis from tip toward handle for the left side (≈35° caudal approach; indicative)."""
NEEDLE_APPROACH = (0.25, 0.88, -0.35)
"""Needle axis from tip toward hub: posterior paramedian, slightly caudal."""


@dataclass(frozen=True)
class InstrumentKey:
    """Pose of an instrument at ``t_s`` (stage-local): tip position and tip→handle direction."""

    t_s: float
    position_mm: tuple[float, float, float]
    direction: tuple[float, float, float]
    visible: bool


@dataclass(frozen=True)
class InstrumentTrack:
    """The keys of one instrument during one stage."""

    name: str
    keys: tuple[InstrumentKey, ...]

    def to_json(self) -> dict:
        """Return the track as JSON-able plain data."""
        return asdict(self)


def _mesh(solid: manifold3d.Manifold) -> trimesh.Trimesh:
    out = solid.to_mesh()
    return trimesh.Trimesh(np.asarray(out.vert_properties[:, :3], dtype=np.float64),
                           np.asarray(out.tri_verts, dtype=np.int64), process=False)


def _rod(diameter_mm: float, z0_mm: float, z1_mm: float, tip_diameter_mm: float | None = None,
         segments: int = SEGMENTS) -> manifold3d.Manifold:
    """A cylinder (or cone) along z from ``z0_mm`` to ``z1_mm``."""
    top = diameter_mm / 2 if tip_diameter_mm is None else tip_diameter_mm / 2
    return manifold3d.Manifold.cylinder(z1_mm - z0_mm, diameter_mm / 2, top, segments).translate([0, 0, z0_mm])


def needle_mesh(diameter_mm: float = NEEDLE_OUTER_DIAMETER_MM, length_mm: float = 89.0,
                hub_diameter_mm: float = 6.0) -> trimesh.Trimesh:
    """A spinal needle: sharp 2 mm tip, thin shaft, hub. Tip at the origin along −z.

    Parameters
    ----------
    diameter_mm : float, default: 0.72 (22 G)
    length_mm : float, default: 89 (3.5 inch)
    hub_diameter_mm : float, default: 6
    """
    tip = _rod(0.05, 0.0, 2.0, diameter_mm, 12)
    shaft = _rod(diameter_mm, 1.99, length_mm, segments=12)
    hub = _rod(hub_diameter_mm * 0.6, length_mm - 1, length_mm + 4, hub_diameter_mm) + \
        _rod(hub_diameter_mm, length_mm + 4, length_mm + 16)
    return _mesh(tip + shaft + hub)


def anesthetic_needle_mesh() -> trimesh.Trimesh:
    """A 25 G, 38 mm needle on a small syringe body (tip at the origin along −z)."""
    needle = needle_mesh(ANESTHETIC_NEEDLE_OUTER_DIAMETER_MM, 38.0, 5.0)
    barrel = _mesh(_rod(10.0, 53.0, 103.0) + _rod(4.0, 103.0, 125.0) + _rod(14.0, 125.0, 128.0))
    return trimesh.util.concatenate([needle, barrel])


def portal_mesh() -> trimesh.Trimesh:
    """The 6 G portal: a 5.1 mm tube, 70 mm long, with a flat grip. Tip at the origin along −z."""
    tube = _rod(PORTAL_OUTER_DIAMETER_MM, 0.0, PORTAL_LENGTH_MM, segments=24)
    grip = manifold3d.Manifold.cube([22.0, 9.0, 8.0], True).translate([0, 0, PORTAL_LENGTH_MM])
    bore = _rod(PORTAL_INNER_DIAMETER_MM, -1.0, PORTAL_LENGTH_MM + 6.0, segments=24)
    return _mesh(tube + grip - bore)


def _tool(tip: manifold3d.Manifold) -> trimesh.Trimesh:
    """A tool shaft with the given tip piece and a round handle."""
    shaft = _rod(TOOL_SHAFT_DIAMETER_MM, 4.0, TOOL_LENGTH_MM)
    handle = _rod(14.0, TOOL_LENGTH_MM, TOOL_LENGTH_MM + 45.0, segments=24)
    return _mesh(tip + shaft + handle)


def bone_tool_mesh() -> trimesh.Trimesh:
    """Bone tool: a shaft ending in a small biting jaw (open notch). Tip at the origin."""
    jaw = _rod(TOOL_SHAFT_DIAMETER_MM, 0.0, 4.5)
    notch = manifold3d.Manifold.cube([6.0, 3.0, 2.5], True).translate([0, 1.6, 2.2])
    return _tool(jaw - notch)


def tissue_tool_mesh() -> trimesh.Trimesh:
    """Tissue sculpter: a shaft with a rounded tip and a side cutting window. Tip at the origin."""
    nose = manifold3d.Manifold.sphere(TOOL_SHAFT_DIAMETER_MM / 2, SEGMENTS).translate(
        [0, 0, TOOL_SHAFT_DIAMETER_MM / 2]) + _rod(TOOL_SHAFT_DIAMETER_MM, TOOL_SHAFT_DIAMETER_MM / 2, 8.0)
    window = manifold3d.Manifold.cube([2.6, 3.0, 4.0], True).translate([0, 1.7, 4.5])
    return _tool(nose - window)


def instrument_meshes() -> dict[str, trimesh.Trimesh]:
    """Return every instrument mesh by name (tips at the origin, pointing along −z)."""
    return {"anesthetic_needle": anesthetic_needle_mesh(), "needle": needle_mesh(),
            "portal": portal_mesh(), "bone_tool": bone_tool_mesh(), "tissue_tool": tissue_tool_mesh()}


def pose_matrix(position_mm, direction) -> np.ndarray:
    """Return the 4×4 pose taking the model (tip at origin, handle on +z) to a tip and direction.

    The rotation is the smallest one turning +z onto ``direction`` (Rodrigues).
    """
    d = np.asarray(direction, dtype=float)
    d /= np.linalg.norm(d)
    z = np.array([0.0, 0.0, 1.0])
    axis = np.cross(z, d)
    sin_angle, cos_angle = np.linalg.norm(axis), float(np.dot(z, d))
    if sin_angle < 1e-9:
        rotation = np.eye(3) if cos_angle > 0 else np.diag([1.0, -1.0, -1.0])
    else:
        k = axis / sin_angle
        cross = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
        rotation = np.eye(3) + sin_angle * cross + (1 - cos_angle) * cross @ cross
    pose = np.eye(4)
    pose[:3, :3] = rotation
    pose[:3, 3] = position_mm
    return pose


def _unit(vector) -> np.ndarray:
    vector = np.asarray(vector, dtype=float)
    return vector / np.linalg.norm(vector)


def _path_is_clear(tip_mm: np.ndarray, direction: np.ndarray, bone_points: scipy.spatial.cKDTree,
                   start_mm: float) -> bool:
    """True when the path from ``start_mm`` behind the tip to 80 mm keeps :data:`CLEARANCE_MM` from bone."""
    samples = tip_mm + np.arange(start_mm, 80.0, 0.5)[:, None] * direction
    distance_mm, _ = bone_points.query(samples)
    return bool(distance_mm.min() > CLEARANCE_MM)


def _approaches(preferred, side: float) -> list[np.ndarray]:
    """Candidate tip→handle directions, nearest to ``preferred`` (mirrored by ``side``) first."""
    base = _unit(np.array(preferred) * [side, 1.0, 1.0])
    return [_unit(base + [side * spread, 0.0, tilt])
            for tilt in (0.0, 0.15, -0.15, 0.3, -0.3, 0.45) for spread in (0.0, 0.15, 0.3)]


def _bone_points(anatomy, state: str = "stenosis") -> scipy.spatial.cKDTree:
    return scipy.spatial.cKDTree(np.concatenate([p.positions_mm[state] for p in anatomy.parts.values()
                                                 if p.group == "bone"]))


def portal_docks(anatomy) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Return, per side, the portal tip docked on the lamina and its tip→handle direction.

    The lamina is the one above the treated level (L4 for L4–L5). The tip is its vertex nearest to the first bite worked on that side (the
    inferior edge of the lamina, lateral part of the interlaminar window), 0.5 mm
    out along the first approach whose path keeps clear of bone beyond 6 mm.
    """
    bones = _bone_points(anatomy)
    lamina = anatomy.parts[upper_vertebra(focus_level(anatomy))].positions_mm["stenosis"].astype(float)
    bites = sorted((b for p in anatomy.parts.values() for b in p.bites), key=lambda b: b.order)
    docks = {}
    for side_name, side in (("left", 1.0), ("right", -1.0)):
        first = np.array(next(b for b in bites if b.side == side_name).centre_mm)
        candidates = _approaches(PORTAL_APPROACH, side)
        rest = lamina[np.argmin(np.linalg.norm(lamina - (first + 3.0 * candidates[0]), axis=1))]
        direction = next((c for c in candidates if _path_is_clear(rest, c, bones, 6.0)), candidates[0])
        docks[side_name] = (rest + 0.5 * direction, direction)
    return docks


def needle_target(anatomy) -> tuple[np.ndarray, np.ndarray]:
    """Return the needle tip in the posterior epidural space at the treated level and its tip→hub direction.

    The tip lies 1 mm behind the dural sac on the midline of the canal, at the first
    height of the interlaminar window (from the middle of that level's ligamentum flavum
    outward) where a posterior paramedian path clears the laminae.
    """
    bones = _bone_points(anatomy)
    sac = anatomy.parts["dural_sac"].positions_mm["stenosis"]
    level = focus_level(anatomy)
    ligament = np.concatenate([anatomy.parts[f"ligamentum_flavum_{level}_{side}"].positions_mm["stenosis"]
                               for side in ("left", "right")])
    low, high = ligament[:, 2].min() + 3.0, ligament[:, 2].max() - 3.0
    heights = sorted(np.linspace(low, high, 13), key=lambda z: abs(z - (low + high) / 2))
    first = None
    for z in heights:
        ring = sac[np.abs(sac[:, 2] - z) < 2.0]
        tip = np.array([(ring[:, 0].min() + ring[:, 0].max()) / 2, ring[:, 1].max() + 1.0, z])
        first = first if first is not None else tip
        for direction in _approaches(NEEDLE_APPROACH, 1.0):
            if _path_is_clear(tip, direction, bones, 1.0):
                return tip, direction
    return first, _approaches(NEEDLE_APPROACH, 1.0)[0]


def skin_entry(tip_mm: np.ndarray, direction: np.ndarray, skin_y_mm: float) -> np.ndarray:
    """Where the line from the tip along ``direction`` crosses the skin plane ``y = skin_y_mm``."""
    return tip_mm + (skin_y_mm - tip_mm[1]) / direction[1] * direction


def incision_points_mm(anatomy) -> dict[str, np.ndarray]:
    """Return, per side, where that side's portal path crosses the skin of the back (its ≈5 mm incision), LPS mm."""
    skin = skin_y_mm(anatomy)
    return {side: skin_entry(tip, direction, skin) for side, (tip, direction) in portal_docks(anatomy).items()}


def incision_point_mm(anatomy, side: str = "left") -> np.ndarray:
    """Return where one side's portal path crosses the skin (the incision the story starts with), LPS mm."""
    return incision_points_mm(anatomy)[side]


def _key(t_s, position, direction, visible=True) -> InstrumentKey:
    return InstrumentKey(round(float(t_s), 4), tuple(round(float(v), 3) for v in position),
                         tuple(round(float(v), 5) for v in direction), visible)


def _shown_from(t_s: float, duration_s: float) -> tuple[InstrumentKey, ...]:
    """Identity-pose keys of a piece already in place that appears at ``t_s`` and stays to the stage end."""
    return (_key(0.0, (0, 0, 0), (0, 0, 1), False), _key(t_s, (0, 0, 0), (0, 0, 1), True),
            _key(duration_s, (0, 0, 0), (0, 0, 1), True))


SWITCH_S = {"tool_out": 0.3, "portal_out": 0.7, "cross": 0.5, "portal_in": 0.7}
"""Durations of the moves between the two sides, s: the tool is drawn back into the portal,
the portal comes out through the first incision, crosses above the skin to the second
incision, and goes in to dock on the other lamina."""
PORTAL_LIFT_MM = 10.0
"""How far above the skin the portal tip rides while it crosses between the incisions, mm."""


def side_switch_s() -> float:
    """Time from the last bite on the first side to the portal docked on the second side, s."""
    return sum(SWITCH_S.values())


def _switch(keys: dict, start_s: float, old, new, skin: float) -> float:
    """Append the keys that move the portal from one side's dock to the other's; return the docked time."""
    (old_tip, old_axis), (new_tip, new_axis) = old, new
    out_old = skin_entry(old_tip, old_axis, skin) + PORTAL_LIFT_MM / old_axis[1] * old_axis
    out_new = skin_entry(new_tip, new_axis, skin) + PORTAL_LIFT_MM / new_axis[1] * new_axis
    t_s = start_s + SWITCH_S["tool_out"]
    keys["portal"] += [_key(t_s, old_tip, old_axis)]
    t_s += SWITCH_S["portal_out"]
    keys["portal"] += [_key(t_s, out_old, old_axis)]
    t_s += SWITCH_S["cross"]
    keys["portal"] += [_key(t_s, out_new, new_axis)]
    t_s += SWITCH_S["portal_in"]
    keys["portal"] += [_key(t_s, new_tip, new_axis)]
    return t_s


def _bite_tracks(anatomy, docks, duration_s: float, removal: tuple[float, float]) -> tuple[list[InstrumentTrack], float]:
    """Portal, bone rongeur and tissue sculpter keys visiting every bite in removal order.

    Between the sides the portal comes out through the first incision, crosses above
    the skin and goes in through the second (:data:`SWITCH_S`). Returns the tracks and
    the time the portal starts into the second incision (when that incision is made).
    """
    bites = sorted((b for p in anatomy.parts.values() for b in p.bites), key=lambda b: b.order)
    span = removal[1] - removal[0]
    skin = skin_y_mm(anatomy)
    keys = {"portal": [], "bone_tool": [], "tissue_tool": []}
    previous_t_s, previous_side, second_incision_s = 0.0, None, duration_s
    for bite in bites:
        gone_t_s = (bite.t - removal[0]) / span * duration_s
        tip, axis = docks[bite.side]
        if previous_side is None:
            keys["portal"].append(_key(0.0, tip, axis))
        elif bite.side != previous_side:
            old_tip, old_axis = docks[previous_side]
            for name in ("bone_tool", "tissue_tool"):
                keys[name].append(_key(previous_t_s + SWITCH_S["tool_out"], old_tip, old_axis, False))
            docked_s = _switch(keys, previous_t_s, docks[previous_side], docks[bite.side], skin)
            second_incision_s = docked_s - SWITCH_S["portal_in"] - 0.2
            previous_t_s = docked_s
        previous_side = bite.side
        pivot = tip + 0.6 * PORTAL_LENGTH_MM * axis
        centre = np.array(bite.centre_mm)
        direction = _unit(pivot - centre)
        tool = "bone_tool" if bite.tissue == "bone" else "tissue_tool"
        other = "tissue_tool" if tool == "bone_tool" else "bone_tool"
        arrive_t_s = previous_t_s + 0.6 * (gone_t_s - previous_t_s)
        keys[other].append(_key(previous_t_s, tip, axis, False))
        keys[tool] += [_key(previous_t_s, tip, direction), _key(arrive_t_s, centre, direction),
                       _key(gone_t_s, centre + 2.5 * direction, direction)]
        previous_t_s = gone_t_s
    last_tip, last_axis = docks[previous_side]
    for name in ("bone_tool", "tissue_tool"):
        keys[name].append(_key(previous_t_s + 0.5, last_tip, last_axis, False))
    return [InstrumentTrack(name, tuple(k)) for name, k in keys.items()], second_incision_s


def instrument_tracks(anatomy, stages) -> dict[str, list[InstrumentTrack]]:
    """Return the instrument tracks of every stage (stage id → tracks).

    Both sides are treated, each through its own small incision (:mod:`viz.scenes.body`):
    the numbing needle numbs the left then the right entry, the left incision is made
    before the portal goes in, and the right one when the portal moves to the right side.

    Parameters
    ----------
    anatomy : viz.models.anatomy.Anatomy
    stages : sequence of viz.scenes.story.Stage
        Each stage lists the instruments and timed body pieces it uses; ``contrast_dye``,
        ``c_arm``, ``numbed_area_<side>`` and ``incision_<side>`` (already in place) get
        identity poses that only time their visibility.
    """
    docks = portal_docks(anatomy)
    skin = skin_y_mm(anatomy)
    entries = incision_points_mm(anatomy)
    portal_tip, portal_axis = docks["left"]
    needle_tip, needle_axis = needle_target(anatomy)
    needle_out = skin_entry(needle_tip, needle_axis, skin) + 10 * needle_axis
    portal_out = entries["left"] + 30 * portal_axis
    numbing = {side: (entries[side] + 25 * docks[side][1], entries[side] - 6 * docks[side][1], docks[side][1])
               for side in docks}
    in_place = ((0.0, 0.0, 0.0), (0.0, 0.0, 1.0))
    plans = {
        "needle": ((0.0, needle_out, False), (0.35, needle_out, True), (0.6, needle_tip, True),
                   (0.9, needle_tip, True), (0.97, needle_out, False)),
        "portal": ((0.0, portal_out, False), (0.2, portal_out, True), (0.75, portal_tip, True), (1.0, portal_tip, True)),
    }
    numbing_plan = ((0.0, "left", "out", False), (0.42, "left", "out", True), (0.52, "left", "in", True),
                    (0.6, "left", "in", True), (0.66, "left", "out", True), (0.74, "right", "out", True),
                    (0.8, "right", "in", True), (0.88, "right", "in", True), (0.95, "right", "out", False))
    timing = {"contrast_dye": ((0.0, False), (0.62, True), (1.0, True)), "c_arm": ((0.0, True), (0.4, False)),
              "numbed_area_left": ((0.0, False), (0.57, True), (1.0, True)),
              "numbed_area_right": ((0.0, False), (0.85, True), (1.0, True)),
              "incision_left": ((0.0, False), (0.15, True), (1.0, True))}
    tracks = {}
    for stage in stages:
        d = stage.duration_s
        made = []
        for name in stage.instruments:
            if name == "portal" and stage.removal[1] > stage.removal[0]:
                bite_tracks, second_s = _bite_tracks(anatomy, docks, d, stage.removal)
                made += bite_tracks + [InstrumentTrack("incision_right", _shown_from(second_s, d))]
            elif name == "anesthetic_needle":
                made.append(InstrumentTrack(name, tuple(
                    _key(f * d, numbing[side][0 if where == "out" else 1], numbing[side][2], shown)
                    for f, side, where, shown in numbing_plan)))
            elif name in plans:
                axis = needle_axis if name == "needle" else portal_axis
                made.append(InstrumentTrack(name, tuple(_key(f * d, where, axis, shown)
                                                        for f, where, shown in plans[name])))
            elif name in timing:
                made.append(InstrumentTrack(name, tuple(_key(f * d, *in_place, shown) for f, shown in timing[name])))
        tracks[stage.id] = made
    return tracks
