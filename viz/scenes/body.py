"""A calm body context: the patient lying face down on the table, skin, incision, bandage, C-arm.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior). The patient is prone, so the back (+y) faces the ceiling and the
table lies under the chest and abdomen (−y). Every piece is a simple, smooth,
watertight mesh placed in the anatomy's frame; the pieces are static (group
``"body"``) and shown or hidden per stage. Sizes are rounded adult figures chosen
for a calm, schematic look, not measurements: the skin of the back lies
:data:`SUBCUTANEOUS_DEPTH_MM` behind the tips of the spinous processes.

References
----------
``../shared/ANATOMY.md``, "The MILD procedure": prone patient, local anesthetic at the
skin, fluoroscopy (C-arm), ≈5 mm incision, small bandage.
"""

from __future__ import annotations

import manifold3d
import numpy as np
import trimesh

from viz.scenes.landmarks import anatomy_landmarks

SUBCUTANEOUS_DEPTH_MM = 30.0
"""Skin-to-spinous-process depth over the lumbar spine, mm (indicative adult value)."""
MIN_COVER_MM = 10.0
"""Least soft tissue kept behind any bone, mm (schematic)."""
TORSO_HALF_WIDTH_MM = 175.0
TORSO_HALF_DEPTH_MM = 110.0
INCISION_LENGTH_MM = 5.0
"""Length of the MILD skin incision, mm (ANATOMY.md: ≈5 mm)."""
C_ARM_RADIUS_MM = 430.0

BODY_COLORS = {
    "table": (0.62, 0.67, 0.72), "torso": (0.87, 0.75, 0.67), "numbed_area": (0.62, 0.80, 0.92),
    "incision": (0.80, 0.50, 0.50), "bandage": (0.97, 0.96, 0.92), "c_arm": (0.80, 0.82, 0.85),
}
"""Muted colours of the body pieces (RGB 0..1)."""


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


def torso_mesh(centre_mm, length_mm: float = 760.0, segments: int = 24, rings: int = 16) -> trimesh.Trimesh:
    """A prone torso: a rounded superellipse section (flat back), tapered at both ends.

    Parameters
    ----------
    centre_mm : (3,) float
        Centre of the torso (LPS); its back surface lies at ``y + TORSO_HALF_DEPTH_MM``.
    length_mm : float, default: 760
        From the hips to the shoulders.
    """
    angle = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    cos, sin = np.cos(angle), np.sin(angle)
    section = np.stack([np.sign(cos) * np.abs(cos) ** (2 / 3), np.sign(sin) * np.abs(sin) ** (2 / 3)], axis=1)
    u = np.linspace(-1.0, 1.0, rings)
    scale = np.sqrt(np.clip(1 - np.clip((np.abs(u) - 0.7) / 0.3, 0, 1) ** 2, 0.05, 1))
    z = centre_mm[2] + u * length_mm / 2
    grid = np.empty((rings, segments, 3))
    grid[:, :, 0] = centre_mm[0] + scale[:, None] * TORSO_HALF_WIDTH_MM * section[None, :, 0]
    grid[:, :, 1] = centre_mm[1] + scale[:, None] * TORSO_HALF_DEPTH_MM * section[None, :, 1]
    grid[:, :, 2] = z[:, None]
    return _closed_grid(grid)


def c_arm_mesh(isocentre_mm, segments: int = 10) -> trimesh.Trimesh:
    """A simple fluoroscope: a C-shaped arm around the patient's right side, the X-ray
    source under the table and the round detector above the back (anteroposterior beam)."""
    iso = np.asarray(isocentre_mm, dtype=float)
    theta = np.linspace(-np.pi / 2 - 0.15, np.pi / 2 + 0.15, 20)
    path = iso + C_ARM_RADIUS_MM * np.stack([-np.cos(theta), np.sin(theta), np.zeros_like(theta)], axis=1)
    angle = np.linspace(0, 2 * np.pi, segments, endpoint=False)
    tangent = np.gradient(path, axis=0)
    tangent /= np.linalg.norm(tangent, axis=1, keepdims=True)
    normal = np.cross(tangent, [0.0, 0.0, 1.0])
    circle = 32.0 * (np.cos(angle)[None, :, None] * normal[:, None, :] + np.sin(angle)[None, :, None] * [0, 0, 1.0])
    arm = _manifold(_closed_grid(path[:, None, :] + circle))
    detector = manifold3d.Manifold.cylinder(70.0, 150.0, 150.0, 24).rotate([-90, 0, 0]).translate(
        iso + [0, C_ARM_RADIUS_MM - 60, 0])
    source = manifold3d.Manifold.cube([200.0, 140.0, 200.0], True).translate(iso + [0, -C_ARM_RADIUS_MM + 30, 0])
    return _trimesh(arm + detector + source)


def _on_skin(size_mm, entry_mm, lift_mm: float) -> trimesh.Trimesh:
    """A flat rounded patch (ellipsoid) lying on the skin plane at ``entry_mm``."""
    patch = trimesh.creation.icosphere(subdivisions=1)
    patch.vertices *= np.asarray(size_mm) / 2
    patch.vertices += np.asarray(entry_mm) + [0, lift_mm, 0]
    return patch


def body_meshes(anatomy, entry_mm) -> dict[str, trimesh.Trimesh]:
    """Return the body pieces in the anatomy's frame.

    Parameters
    ----------
    anatomy : viz.models.anatomy.Anatomy
    entry_mm : (3,) float
        Where the portal crosses the skin (the incision), from
        :func:`viz.scenes.instruments.incision_point_mm`.

    Returns
    -------
    dict of str to trimesh.Trimesh
        ``table``, ``torso``, ``numbed_area``, ``incision``, ``bandage``, ``c_arm`` (watertight).
    """

    marks = anatomy_landmarks(anatomy)
    skin = skin_y_mm(anatomy)
    level = marks["level_mm"]
    torso_centre = np.array([marks["canal_mm"][0], skin - TORSO_HALF_DEPTH_MM, level[2] + 110.0])
    torso = _manifold(torso_mesh(torso_centre))
    head = manifold3d.Manifold.sphere(1.0, 16).scale([80.0, 85.0, 100.0]).translate(
        torso_centre + [0, -15.0, 500.0])
    legs = [manifold3d.Manifold.cylinder(820.0, 70.0, 48.0, 16).rotate([180, 0, 0]).scale([1, 0.85, 1]).translate(
        torso_centre + [side * 90.0, -25.0, -280.0]) for side in (-1, 1)]
    table_top = skin - 2 * TORSO_HALF_DEPTH_MM + 8.0
    table = manifold3d.Manifold.cube([520.0, 40.0, 2000.0], True).translate(
        [torso_centre[0], table_top - 20.0, torso_centre[2] - 180.0])
    pedestal = manifold3d.Manifold.cube([160.0, 460.0, 260.0], True).translate(
        [torso_centre[0], table_top - 270.0, torso_centre[2] - 380.0])
    entry = np.array([entry_mm[0], skin, entry_mm[2]])
    return {
        "table": _trimesh(table + pedestal),
        "torso": _trimesh(manifold3d.Manifold.batch_boolean([torso, head, *legs], manifold3d.OpType.Add)),
        "numbed_area": _on_skin((34.0, 1.6, 34.0), entry, 0.6),
        "incision": _on_skin((1.0, 1.2, INCISION_LENGTH_MM), entry, 0.9),
        "bandage": _on_skin((24.0, 3.0, 34.0), entry, 1.2),
        "c_arm": c_arm_mesh(marks["canal_mm"]),
    }
