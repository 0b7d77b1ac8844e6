"""The patient lying face down on the padded table, the numbed skin, incisions, bandages, C-arm.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior). The patient is prone, so the back (+y) faces the ceiling and the
table lies under the chest and belly (−y). The person, the pillows and the table pad
are smooth implicit shapes (:mod:`viz.scenes.person`) placed so the skin of the back
over the treated level lies :data:`SUBCUTANEOUS_DEPTH_MM` behind the spinous
processes. Every piece is watertight, placed in the anatomy's frame, static (group
``"body"``) and shown or hidden per stage.

MILD here treats both sides through two small incisions, one for each side's portal
(the portal enters paramedian and docks on that side's lamina; the spinous process
between the two laminae keeps one rigid 6 G portal from being swung across from a
single paramedian opening). So there is one numbed area, one incision and one
bandage per side, each centred where that side's portal axis crosses the skin.

References
----------
``../shared/ANATOMY.md``, "The MILD procedure": prone patient, local anesthetic at the
skin, fluoroscopy (C-arm), ≈5 mm incision for a 6 G portal docked on the lamina,
one side then the other, small bandage.
"""

from __future__ import annotations

import manifold3d
import numpy as np
import trimesh

from viz.scenes.landmarks import anatomy_landmarks
from viz.scenes.person import TABLE_PAD_MM, TABLE_TOP_MM, local_meshes

SIDES = ("left", "right")
SUBCUTANEOUS_DEPTH_MM = 30.0
"""Skin-to-spinous-process depth over the lumbar spine, mm (indicative adult value)."""
MIN_COVER_MM = 10.0
"""Least soft tissue kept behind any bone, mm (schematic)."""
INCISION_LENGTH_MM = 5.0
"""Length of each MILD skin incision, mm (ANATOMY.md: ≈5 mm)."""
NUMBED_DIAMETER_MM = 30.0
"""Diameter of the skin numbed around each portal entry, mm (indicative)."""
BANDAGE_SIZE_MM = (22.0, 30.0)
"""Width (left–right) and length (head–feet) of each small bandage, mm."""
TABLE_HEIGHT_MM = 820.0
"""Floor to the top of the table pad, mm (indicative procedure table)."""
C_ARM_RADIUS_MM = 480.0
"""Radius of the C-arm's arc around the isocentre (the treated level's canal), mm."""
C_ARM_SWIVEL_DEG = 35.0
"""Swivel of the C-arm about the vertical through the isocentre, base toward the head, degrees."""

BODY_COLORS = {
    "table": (0.55, 0.62, 0.70), "pillow": (0.78, 0.87, 0.94), "torso": (0.87, 0.72, 0.62),
    "numbed_area": (0.62, 0.80, 0.92), "incision": (0.74, 0.42, 0.42), "bandage": (0.97, 0.96, 0.92),
    "c_arm": (0.86, 0.88, 0.91),
}
"""Muted colours of the body pieces by kind (RGB 0..1); per-side pieces use their kind's colour."""


EQUIPMENT = ("c_arm",)
"""Pieces of room equipment: group ``"equipment"``, shown like instruments only while their
stage track shows them, at their own opacity (not faded with the see-through body)."""


def body_group(name: str) -> str:
    """The bundle group of a piece from :func:`body_meshes`: ``"equipment"`` or ``"body"``."""
    return "equipment" if name in EQUIPMENT else "body"


def body_kind(name: str) -> str:
    """The kind of a body piece: ``"incision"`` for ``"incision_left"``, the name itself otherwise."""
    for side in SIDES:
        if name.endswith(f"_{side}"):
            return name[: -len(side) - 1]
    return name


def skin_y_mm(anatomy) -> float:
    """Return the height (LPS y) of the skin of the back over the lumbar spine, mm.

    :data:`SUBCUTANEOUS_DEPTH_MM` behind the spinous processes within 50 mm of the
    treated level (:func:`viz.scenes.landmarks.focus_level`), and at least :data:`MIN_COVER_MM` behind any bone (the sacrum slopes backward).
    """
    level_z = anatomy_landmarks(anatomy)["level_mm"][2]
    bones = np.concatenate([p.positions_mm["healthy"] for p in anatomy.parts.values() if p.group == "bone"])
    near = bones[np.abs(bones[:, 2] - level_z) < 50.0]
    return max(float(near[:, 1].max()) + SUBCUTANEOUS_DEPTH_MM, float(bones[:, 1].max()) + MIN_COVER_MM)


def _trimesh(solid: manifold3d.Manifold) -> trimesh.Trimesh:
    out = solid.to_mesh()
    return trimesh.Trimesh(np.asarray(out.vert_properties[:, :3], dtype=np.float64),
                           np.asarray(out.tri_verts, dtype=np.int64), process=False)


def _manifold(mesh: trimesh.Trimesh) -> manifold3d.Manifold:
    return manifold3d.Manifold(manifold3d.Mesh(vert_properties=np.asarray(mesh.vertices, dtype=np.float32),
                                               tri_verts=np.asarray(mesh.faces, dtype=np.uint32)))


def _closed_grid(rings: np.ndarray) -> trimesh.Trimesh:
    """A watertight mesh from rings of points (r, s, 3), closed by a centre point at each end."""
    count, segments = rings.shape[:2]
    points = np.concatenate([rings.reshape(-1, 3), [rings[0].mean(axis=0)], [rings[-1].mean(axis=0)]])
    faces = []
    for i in range(count - 1):
        for j in range(segments):
            a, b = i * segments + j, i * segments + (j + 1) % segments
            faces += [[a, b + segments, b], [a, a + segments, b + segments]]
    first, last = len(points) - 2, len(points) - 1
    for j in range(segments):
        faces.append([first, j, (j + 1) % segments])
        faces.append([last, (count - 1) * segments + (j + 1) % segments, (count - 1) * segments + j])
    mesh = trimesh.Trimesh(points, np.array(faces), process=True)
    if mesh.volume < 0:
        mesh.invert()
    return mesh


def _rounded_arc(centre_mm, radius_mm: float, angles_rad: np.ndarray, half_radial_mm: float,
                half_axial_mm: float, segments: int = 14) -> trimesh.Trimesh:
    """A closed arc in the axial (x–y) plane with a rounded rectangular section (superellipse)."""
    around = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    cos, sin = np.cos(around), np.sin(around)
    radial = np.sign(cos) * np.abs(cos) ** 0.5 * half_radial_mm
    axial = np.sign(sin) * np.abs(sin) ** 0.5 * half_axial_mm
    directions = np.stack([np.cos(angles_rad), np.sin(angles_rad), np.zeros_like(angles_rad)], axis=1)
    rings = (np.asarray(centre_mm)[None, None, :] + (radius_mm + radial)[None, :, None] * directions[:, None, :]
             + axial[None, :, None] * np.array([0.0, 0.0, 1.0]))
    return _closed_grid(rings)


def c_arm_mesh(isocentre_mm, floor_y_mm: float) -> trimesh.Trimesh:
    """A mobile fluoroscope in the anteroposterior position, standing at the patient's left.

    The C-shaped arm (a rounded 70 × 110 mm section) runs round the patient's left side;
    the round detector hangs above the back, the X-ray tube housing sits below the table,
    and a column carries the arm from a base on the floor. The whole unit is swivelled
    :data:`C_ARM_SWIVEL_DEG` about the vertical beam through the isocentre (the beam stays
    anteroposterior), as a mobile C-arm often comes in at an angle, which also lets the
    room view see the "C".
    """
    iso = np.asarray(isocentre_mm, dtype=float)
    radius = C_ARM_RADIUS_MM
    arm = _manifold(_rounded_arc(iso, radius, np.linspace(-np.pi / 2 - 0.05, np.pi / 2 + 0.05, 22), 35.0, 55.0, 12))
    detector = (manifold3d.Manifold.cylinder(110.0, 165.0, 165.0, 28).rotate([90, 0, 0])
                + manifold3d.Manifold.cylinder(40.0, 150.0, 120.0, 28).rotate([-90, 0, 0]))
    detector = detector.translate(iso + [0.0, radius - 40.0, 0.0])
    tube = (manifold3d.Manifold.cylinder(200.0, 70.0, 70.0, 20).translate([0, 0, -100.0])
            + manifold3d.Manifold.cylinder(50.0, 45.0, 60.0, 16).rotate([-90, 0, 0]).translate([0, 60.0, 0]))
    tube = tube.translate(iso + [0.0, -radius + 10.0, 0.0])
    column_x = iso[0] + radius + 230.0
    yoke = manifold3d.Manifold.cube([230.0, 90.0, 90.0], True).translate([iso[0] + radius + 110.0, iso[1], iso[2]])
    column = manifold3d.Manifold.cube([110.0, iso[1] - floor_y_mm, 130.0], True).translate(
        [column_x, (iso[1] + floor_y_mm) / 2, iso[2]])
    base = manifold3d.Manifold.cube([380.0, 110.0, 620.0], True).translate([column_x + 60.0, floor_y_mm + 55.0, iso[2]])
    whole = manifold3d.Manifold.batch_boolean([arm, detector, tube, yoke, column, base], manifold3d.OpType.Add)
    swivel = whole.translate(-iso).rotate([0.0, -C_ARM_SWIVEL_DEG, 0.0]).translate(iso)
    return _trimesh(swivel)


def _on_skin(size_mm, centre_mm, lift_mm: float) -> trimesh.Trimesh:
    """A flat rounded patch (ellipsoid) of ``size_mm`` (x, y, z) lying on the skin at ``centre_mm``."""
    patch = trimesh.creation.icosphere(subdivisions=1)
    patch.vertices *= np.asarray(size_mm) / 2
    patch.vertices += np.asarray(centre_mm) + [0, lift_mm, 0]
    return patch


def _skin_height_mm(person: trimesh.Trimesh, x_mm: float, z_mm: float, above_mm: float) -> float:
    """Height (y) of the person's back surface under (x, z): the first hit of a ray cast down from ``above_mm``."""
    hits, _, _ = person.ray.intersects_location([[x_mm, above_mm, z_mm]], [[0.0, -1.0, 0.0]])
    return float(hits[:, 1].max()) if len(hits) else above_mm


def _table(origin_mm: np.ndarray, pad: trimesh.Trimesh, headrest: trimesh.Trimesh) -> trimesh.Trimesh:
    """The padded table: the pad with a soft headrest, a frame under it and a pedestal to the floor."""
    top = origin_mm[1] + TABLE_TOP_MM - TABLE_PAD_MM
    frame = manifold3d.Manifold.cube([520.0, 60.0, 1900.0], True).translate(
        [origin_mm[0], top - 30.0, origin_mm[2] - 150.0])
    floor = origin_mm[1] + TABLE_TOP_MM - TABLE_HEIGHT_MM
    pedestal = manifold3d.Manifold.cube([220.0, top - 60.0 - floor, 320.0], True).translate(
        [origin_mm[0], (top - 60.0 + floor) / 2, origin_mm[2] - 500.0])
    foot = manifold3d.Manifold.cube([560.0, 60.0, 820.0], True).translate(
        [origin_mm[0], floor + 30.0, origin_mm[2] - 500.0])
    soft = []
    for piece in (pad, headrest):
        moved = piece.copy()
        moved.vertices += origin_mm
        soft.append(_manifold(moved))
    return _trimesh(manifold3d.Manifold.batch_boolean([*soft, frame, pedestal, foot], manifold3d.OpType.Add))


def body_origin_mm(anatomy) -> np.ndarray:
    """Origin of :mod:`viz.scenes.person`'s local frame in LPS mm: the skin on the midline over the treated level."""
    marks = anatomy_landmarks(anatomy)
    return np.array([marks["canal_mm"][0], skin_y_mm(anatomy), marks["level_mm"][2]])


def body_meshes(anatomy, entries_mm: dict[str, np.ndarray]) -> dict[str, trimesh.Trimesh]:
    """Return the body pieces in the anatomy's frame.

    Parameters
    ----------
    anatomy : viz.models.anatomy.Anatomy
    entries_mm : dict of str to (3,) float
        Per side (``"left"``, ``"right"``), where that side's portal axis crosses the
        skin plane, from :func:`viz.scenes.instruments.incision_points_mm`.

    Returns
    -------
    dict of str to trimesh.Trimesh
        ``table`` (with a soft headrest), ``pillow`` (under the belly), ``torso`` (the person),
        ``numbed_area_<side>``, ``incision_<side>``, ``bandage_<side>``, ``c_arm``; watertight.
    """
    origin = body_origin_mm(anatomy)
    local = local_meshes()
    pieces: dict[str, trimesh.Trimesh] = {}
    pieces["table"] = _table(origin, local["table_pad"], local["head_pillow"])
    pieces["pillow"] = local["pillow"].copy()
    pieces["pillow"].vertices += origin
    person = local["person"].copy()
    person.vertices += origin
    pieces["torso"] = person
    width_mm, length_mm = BANDAGE_SIZE_MM
    for side in SIDES:
        x_mm, _, z_mm = entries_mm[side]
        skin = np.array([x_mm, _skin_height_mm(person, x_mm, z_mm, origin[1] + 100.0), z_mm])
        pieces[f"numbed_area_{side}"] = _on_skin((NUMBED_DIAMETER_MM, 1.6, NUMBED_DIAMETER_MM), skin, 0.5)
        pieces[f"incision_{side}"] = _on_skin((1.0, 1.2, INCISION_LENGTH_MM), skin, 0.8)
        pieces[f"bandage_{side}"] = _on_skin((width_mm, 3.0, length_mm), skin, 1.2)
    floor = origin[1] + TABLE_TOP_MM - TABLE_HEIGHT_MM
    pieces["c_arm"] = c_arm_mesh(anatomy_landmarks(anatomy)["canal_mm"], floor)
    return pieces


def body_light_meshes(anatomy) -> dict[str, trimesh.Trimesh]:
    """Lighter versions of the body pieces that have one (the person, ≈1.4k triangles), placed as
    :func:`body_meshes` places the full pieces; for playback on slow devices."""
    person = local_meshes()["person_light"].copy()
    person.vertices += body_origin_mm(anatomy)
    return {"torso": person}


UPPER_BACK_MM = 250.0
"""The patient's hotspots (face down, going home) sit this far above the left incision, on the back, mm."""


def hotspot_points(anatomy, entries_mm: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Where a label for each body piece points, LPS mm.

    The pieces on the skin point at their side's portal entry, the person at the upper
    back, the pillow at its edge on the patient's right (toward the room view), the
    C-arm at its detector above the back.
    """
    origin = body_origin_mm(anatomy)
    pillow = local_meshes()["pillow"]
    edge = pillow.vertices[np.argmin(pillow.vertices[:, 0])]
    points = {f"{kind}_{side}": np.asarray(entry, dtype=float) for side, entry in entries_mm.items()
              for kind in ("numbed_area", "incision", "bandage")}
    points["torso"] = np.asarray(entries_mm["left"], dtype=float) + [0.0, 0.0, UPPER_BACK_MM]
    points["pillow"] = origin + edge
    points["c_arm"] = anatomy_landmarks(anatomy)["canal_mm"] + [0.0, C_ARM_RADIUS_MM - 40.0, 0.0]
    return points

