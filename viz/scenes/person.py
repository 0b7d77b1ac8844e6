"""A calm, smooth adult lying face down, the belly pillow and the padded table, as implicit surfaces.

Frame and units: millimetres in a local patient frame parallel to LPS+ (+x toward the
patient's left, +y posterior, +z superior) whose origin is the skin of the back over
the treated level on the midline; :mod:`viz.scenes.body` translates the meshes into the
anatomy's frame. The patient lies prone: the back (+y) faces the ceiling, the chest,
belly, thighs and shins rest on the padded table (−y), arms up beside the head, face down
on a head pillow, a soft pillow under the belly (``../shared/ANATOMY.md``, "The MILD
procedure": prone patient).

Each shape is a signed-distance-like field (negative inside): the trunk is a
superelliptic section swept along the body whose width and depth follow rounded adult
proportions; head, neck, limbs, hands, feet and buttocks are ellipsoids and rounded
cones; all are joined with a smooth minimum so no primitive edge or capsule shows. The
zero level set is meshed with marching cubes (Lewiner) and simplified by quadric
decimation. Proportions are rounded figures for a person ≈1.70 m tall with the
L4–L5 disc ≈1.0 m above the soles, chosen for a calm, recognisable figure, not
measurements. No third-party model or data is used.

References
----------
Quílez I. Distance functions (round cone, ellipsoid bound, smooth minimum), 2008–2023.
https://iquilezles.org/articles/distfunctions/
Lewiner T et al. Efficient implementation of marching cubes' cases with topological
guarantees. J Graphics Tools 2003;8(2):1-15. doi:10.1080/10867651.2003.10487582
Garland M, Heckbert PS. Surface simplification using quadric error metrics.
SIGGRAPH 1997:209-16. doi:10.1145/258734.258849
"""

from __future__ import annotations

import functools

import fast_simplification
import numpy as np
import trimesh
from skimage.measure import marching_cubes

VOXEL_MM = 7.0
"""Sampling step of the implicit fields, mm."""
PERSON_TRIANGLES = 9000
"""Triangles of the person at full detail."""
PERSON_LIGHT_TRIANGLES = 1000
"""Triangles of the person's light level of detail (playback on slow devices)."""
BLEND_MM = 38.0
"""Default width of the smooth joins between body parts, mm."""
GRID_OFFSET = 0.37
"""Sample grids start this fraction of a voxel off the round figures the shapes are placed
at, so no flat face lies exactly on a row of samples (marching cubes would not close it)."""
TABLE_TOP_MM = -245.0
"""Top of the table pad below the skin of the back, mm (local frame)."""
TABLE_PAD_MM = 70.0
"""Thickness of the soft table pad, mm."""

# Trunk profile: height above the treated level z (mm) → half width, back and front of
# the section (mm, y of the skin above/below the local origin). The lumbar back is the
# flat, slightly hollow part (y = 0 from 60 mm below to 40 mm above the level).
_TRUNK = np.array([
    # z,    half width, back y, front y
    (-330.0, 150.0, 10.0, -218.0),
    (-250.0, 172.0, 18.0, -232.0),
    (-170.0, 170.0, 20.0, -232.0),
    (-100.0, 158.0, 8.0, -225.0),
    (-60.0, 150.0, 0.0, -218.0),
    (40.0, 144.0, 0.0, -210.0),
    (130.0, 152.0, 10.0, -222.0),
    (240.0, 164.0, 26.0, -236.0),
    (330.0, 170.0, 30.0, -238.0),
    (400.0, 168.0, 20.0, -222.0),
    (440.0, 140.0, 2.0, -196.0),
])
TRUNK_EXPONENT = 2.6
"""Superellipse exponent of the trunk section (2 is an ellipse; larger is squarer)."""


def smooth_min(a: np.ndarray, b: np.ndarray, k_mm: float = BLEND_MM) -> np.ndarray:
    """Polynomial smooth minimum of two fields (a rounded union), blending over ``k_mm``."""
    h = np.clip(0.5 + 0.5 * (b - a) / k_mm, 0.0, 1.0)
    return b * (1 - h) + a * h - k_mm * h * (1 - h)


def smooth_max(a: np.ndarray, b: np.ndarray, k_mm: float) -> np.ndarray:
    """Smooth maximum (a rounded intersection)."""
    return -smooth_min(-a, -b, k_mm)


def ellipsoid(p: np.ndarray, centre, radii) -> np.ndarray:
    """Approximate signed distance to an axis-aligned ellipsoid (exact on the surface), mm."""
    q = (p - np.asarray(centre, dtype=float)) / np.asarray(radii, dtype=float)
    k0 = np.linalg.norm(q, axis=-1)
    k1 = np.linalg.norm(q / np.asarray(radii, dtype=float), axis=-1)
    return k0 * (k0 - 1.0) / np.maximum(k1, 1e-9)


def round_cone(p: np.ndarray, a, b, radius_a: float, radius_b: float) -> np.ndarray:
    """Signed distance to a rounded cone from ``a`` (radius ``radius_a``) to ``b`` (``radius_b``), mm."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    ba = b - a
    l2 = float(ba @ ba)
    rr = radius_a - radius_b
    a2 = l2 - rr * rr
    pa = p - a
    y = pa @ ba
    z = y - l2
    x2 = np.sum((pa * l2 - y[..., None] * ba) ** 2, axis=-1)
    y2, z2 = y * y * l2, z * z * l2
    k = np.sign(rr) * rr * rr * x2
    lateral = (np.sqrt(x2 * a2 / l2) + y * rr) / l2 - radius_a
    at_b = np.sqrt(x2 + z2) / l2 - radius_b
    at_a = np.sqrt(x2 + y2) / l2 - radius_a
    return np.where(np.sign(z) * a2 * z2 > k, at_b, np.where(np.sign(y) * a2 * y2 < k, at_a, lateral))


def rounded_box(p: np.ndarray, centre, half_mm, radius_mm: float) -> np.ndarray:
    """Signed distance to a box with rounded edges (``half_mm`` includes the rounding), mm."""
    q = np.abs(p - np.asarray(centre, dtype=float)) - (np.asarray(half_mm, dtype=float) - radius_mm)
    outside = np.linalg.norm(np.maximum(q, 0.0), axis=-1)
    return outside + np.minimum(q.max(axis=-1), 0.0) - radius_mm


def trunk(p: np.ndarray) -> np.ndarray:
    """The trunk: superelliptic sections interpolated along z, rounded off at the hips and shoulders."""
    z = p[..., 2]
    half_width = np.interp(z, _TRUNK[:, 0], _TRUNK[:, 1])
    back = np.interp(z, _TRUNK[:, 0], _TRUNK[:, 2])
    front = np.interp(z, _TRUNK[:, 0], _TRUNK[:, 3])
    half_depth = (back - front) / 2
    u = np.abs(p[..., 0]) / half_width
    v = np.abs(p[..., 1] - (back + front) / 2) / half_depth
    radius = (u ** TRUNK_EXPONENT + v ** TRUNK_EXPONENT) ** (1 / TRUNK_EXPONENT)
    section = (radius - 1.0) * np.minimum(half_width, half_depth)
    ends = np.maximum(_TRUNK[0, 0] - z, z - _TRUNK[-1, 0])
    return smooth_max(section, ends, 60.0)


def _limbs(table_mm: float) -> list[tuple]:
    """Every piece joined to the trunk: (field, its bounding box (low, high) mm, blend mm)."""
    pieces = []
    for side in (-1.0, 1.0):
        def box(centre_a, centre_b, radius):
            a, b = np.asarray(centre_a, dtype=float), np.asarray(centre_b, dtype=float)
            return np.minimum(a, b) - radius, np.maximum(a, b) + radius

        def cone(a, b, ra, rb):
            a = (side * a[0], a[1], a[2])
            b = (side * b[0], b[1], b[2])
            return (lambda p, a=a, b=b: round_cone(p, a, b, ra, rb)), box(a, b, max(ra, rb)), 26.0

        def blob(centre, radii, blend=26.0):
            centre = (side * centre[0], centre[1], centre[2])
            return (lambda p, c=centre: ellipsoid(p, c, radii)), box(centre, centre, max(radii)), blend

        pieces += [
            blob((70.0, -55.0, -220.0), (88.0, 62.0, 105.0), 60.0),                                  # buttock
            cone((86.0, -100.0, -250.0), (92.0, table_mm + 62, -600.0), 84.0, 52.0),                  # thigh
            cone((92.0, table_mm + 62, -600.0), (96.0, table_mm + 52, -730.0), 52.0, 56.0),           # knee to calf
            cone((96.0, table_mm + 52, -730.0), (98.0, table_mm + 40, -905.0), 56.0, 34.0),           # calf to ankle
            blob((100.0, table_mm + 36, -985.0), (42.0, 32.0, 105.0)),                                # foot, toes down the table
            blob((166.0, -104.0, 380.0), (58.0, 56.0, 62.0), 40.0),                                   # shoulder
            cone((178.0, -112.0, 392.0), (250.0, table_mm + 48, 500.0), 50.0, 38.0),                  # upper arm, up
            cone((250.0, table_mm + 48, 500.0), (205.0, table_mm + 32, 700.0), 38.0, 27.0),           # forearm, by the head
            blob((190.0, table_mm + 24, 775.0), (32.0, 18.0, 72.0)),                                  # hand
        ]
    pieces += [
        ((lambda p: round_cone(p, (0.0, -100.0, 420.0), (0.0, -95.0, 520.0), 62.0, 52.0)),
         (np.array([-62.0, -162.0, 358.0]), np.array([62.0, -38.0, 572.0])), 45.0),                # neck
        ((lambda p: ellipsoid(p, (0.0, -92.0, 600.0), (76.0, 96.0, 108.0))),
         (np.array([-76.0, -188.0, 492.0]), np.array([76.0, 4.0, 708.0])), 30.0),                   # head, face down
    ]
    return pieces


def person_values(grid: np.ndarray) -> np.ndarray:
    """Field of the whole prone person (negative inside, mm) on a regular ``grid`` (i, j, k, 3).

    Each limb is evaluated only inside its bounding box widened by its blend width,
    where the smooth union can change the trunk's field.
    """
    values = trunk(grid)
    axes = [grid[:, 0, 0, 0], grid[0, :, 0, 1], grid[0, 0, :, 2]]
    for field, (low, high), blend_mm in _limbs(TABLE_TOP_MM):
        index = tuple(slice(np.searchsorted(axis, lo - blend_mm), np.searchsorted(axis, hi + blend_mm))
                      for axis, lo, hi in zip(axes, low, high))
        values[index] = smooth_min(values[index], field(grid[index]), blend_mm)
    return values


def pillow_field(p: np.ndarray) -> np.ndarray:
    """The soft pillow under the belly, sitting on the table pad (a squashed rounded roll), mm."""
    return rounded_box(p, (0.0, TABLE_TOP_MM + 26.0, -40.0), (232.0, 38.0, 150.0), 34.0)


def head_pillow_field(p: np.ndarray) -> np.ndarray:
    """The small pillow under the forehead, on the table pad, mm."""
    return rounded_box(p, (0.0, TABLE_TOP_MM + 22.0, 610.0), (130.0, 28.0, 110.0), 24.0)


def table_pad_field(p: np.ndarray) -> np.ndarray:
    """The padded top of the procedure table, mm."""
    return rounded_box(p, (0.0, TABLE_TOP_MM - TABLE_PAD_MM / 2, -150.0), (300.0, TABLE_PAD_MM / 2, 1030.0), 26.0)


def _mesh_field(field, low_mm, high_mm, voxel_mm: float, triangles: int) -> trimesh.Trimesh:
    """Mesh the zero level set of ``field`` inside the box [low, high], then decimate to ``triangles``.

    ``field`` takes the grid of sample points (i, j, k, 3) and returns their values.
    """
    low = np.asarray(low_mm, dtype=float) + GRID_OFFSET * voxel_mm
    high = np.asarray(high_mm, dtype=float)
    axes = [np.arange(lo, hi + voxel_mm, voxel_mm) for lo, hi in zip(low, high)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)
    values = field(grid)
    values[[0, -1]] = values[:, [0, -1]] = values[:, :, [0, -1]] = 1.0
    vertices, faces, _, _ = marching_cubes(values, 0.0, spacing=(voxel_mm,) * 3, method="lewiner")
    vertices += low
    points, faces = fast_simplification.simplify(vertices.astype(np.float32), faces.astype(np.int32),
                                                 target_count=triangles)
    mesh = trimesh.Trimesh(np.asarray(points, dtype=np.float64), np.asarray(faces, dtype=np.int64))
    if mesh.volume < 0:
        mesh.invert()
    return mesh


@functools.cache
def local_meshes() -> dict[str, trimesh.Trimesh]:
    """The person (full and light detail), pillows and table pad in the local frame.

    Returns
    -------
    dict of str to trimesh.Trimesh
        ``person``, ``person_light``, ``pillow``, ``head_pillow``, ``table_pad``;
        watertight. Built once per process (≈1 s); callers copy before moving them.
    """
    person_box = ((-300.0, TABLE_TOP_MM - 5.0, -1120.0), (300.0, 70.0, 860.0))
    person = _mesh_field(person_values, *person_box, VOXEL_MM, PERSON_TRIANGLES)
    light_points, light_faces = fast_simplification.simplify(
        person.vertices.astype(np.float32), person.faces.astype(np.int32), target_count=PERSON_LIGHT_TRIANGLES)
    return {
        "person": person,
        "person_light": trimesh.Trimesh(np.asarray(light_points, dtype=np.float64), np.asarray(light_faces)),
        "pillow": _mesh_field(pillow_field, (-250, TABLE_TOP_MM - 20, -205), (250, TABLE_TOP_MM + 80, 125), 10.0, 300),
        "head_pillow": _mesh_field(head_pillow_field, (-145, TABLE_TOP_MM - 20, 485), (145, TABLE_TOP_MM + 65, 735),
                                   10.0, 160),
        "table_pad": _mesh_field(table_pad_field, (-315, TABLE_TOP_MM - 90, -1195), (315, TABLE_TOP_MM + 15, 895),
                                 15.0, 200),
    }
