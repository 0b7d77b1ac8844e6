"""Simulated fluoroscopy: a digitally reconstructed radiograph computed from the 3D meshes.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior). The beam is parallel (the C-arm's source-to-detector distance is
large against the field of view). For every pixel the path length through each
closed mesh is summed exactly: along a ray, thickness = Σ depth at exits − Σ depth
at entries, so every triangle is rasterised once with the sign of its facing. The
image is then formed with Beer–Lambert attenuation per material and shown as an
interventional C-arm screen shows it: what stops X-rays is dark on a light field.
Contrast medium is radiopaque like bone and metal, so the dye in the epidural space
is drawn with the same polarity: darker where the beam crosses more of it, which
outlines the edges of the dural sac (an epidurogram). Only the 3D view tints the dye
(:data:`DYE_COLOR`), and the captions say how it looks on the real screen. The ``xray``
view is anteroposterior; ``oblique`` is the contralateral oblique view
(:mod:`viz.scenes.cameras`) and :func:`mirrored_camera` gives the one for the other
side. Oblique pictures carry a thin dashed line along the ventral edge of the two
laminae at the treated level (the ventral interlaminar line), the landmark against
which instrument depth is judged.

Attenuation coefficients are rounded diagnostic-energy values (≈60 keV) chosen
for a readable picture, not dosimetry.

References
----------
Hubbell JH, Seltzer SM. Tables of X-ray mass attenuation coefficients (NIST
Standard Reference Database 126), 1996. doi:10.18434/T4D01F
``../shared/ANATOMY.md``, "The MILD procedure" (epidurogram with contrast dye,
contralateral oblique view) and "Imaging conventions" (contrast is radiopaque: same
polarity as bone and metal on the C-arm screen).
Kim YH et al. Modified interlaminar approach with a contralateral oblique view and the
ventral interlaminar line. PLoS ONE 2021;16(1):e0244992. doi:10.1371/journal.pone.0244992
"""

from __future__ import annotations

import base64
import io

import fast_simplification
import manifold3d
import numpy as np
import trimesh
from PIL import Image

ATTENUATION_PER_MM = {"bone": 0.045, "soft": 0.006, "metal": 0.9}
"""Linear attenuation by material, 1/mm (rounded, ≈60 keV; NIST XCOM order of magnitude)."""
DYE_ATTENUATION_PER_MM = 0.35
"""Linear attenuation of the iodinated contrast layer, 1/mm (radiopaque: adds to the dark like bone)."""
DYE_THICKNESS_MM = 1.6
"""Thickness of the contrast layer around the dural sac, mm (schematic)."""
DYE_HALF_HEIGHT_MM = 32.0
"""The dye spreads this far above and below the needle tip along the canal, mm (schematic)."""
DYE_TRIANGLES = 900
"""Triangles of the dye shell after simplification (it is drawn as a soft glow)."""
FIELD_MM = 150.0
"""Side of the square field of view, mm (a small image intensifier field)."""
SIZE_PX = 384
FIELD_RADIUS = 0.98
"""Radius of the round image-intensifier field as a fraction of half the image side."""
DYE_COLOR = np.array([0.72, 0.97, 1.0])
"""Colour of the contrast dye in the 3D view only (a highlight; the X-ray shows it dark)."""
LAMINA_BAND_MM = 5.0
"""Half width of the midline band where the laminae's ventral edge is looked for, mm."""
LANDMARK_RGB = (235, 190, 60)
"""Colour of the dashed lamina line drawn on oblique pictures (calm amber)."""
LANDMARK_DASH_PX = (9, 6)
"""Dash and gap of the lamina line, px at :data:`SIZE_PX`."""


def _frame(camera) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Centre, screen-right, screen-up and viewing direction of a camera (unit vectors)."""
    focal = np.asarray(camera.focal_point_mm, dtype=float)
    forward = focal - np.asarray(camera.position_mm, dtype=float)
    forward /= np.linalg.norm(forward)
    up = np.asarray(camera.view_up, dtype=float)
    up = up - np.dot(up, forward) * forward
    up /= np.linalg.norm(up)
    return focal, np.cross(forward, up), up, forward


def _rasterise(px: np.ndarray, py: np.ndarray, depth: np.ndarray, faces: np.ndarray,
               weight: np.ndarray, size_px: int) -> np.ndarray:
    """Sum ``weight × interpolated depth`` of each triangle over the pixel centres it covers."""
    image = np.zeros(size_px * size_px)
    x, y, z = px[faces], py[faces], depth[faces]
    i0 = np.ceil(x.min(axis=1) - 0.5).astype(np.int64)
    j0 = np.ceil(y.min(axis=1) - 0.5).astype(np.int64)
    nx = np.floor(x.max(axis=1) - 0.5).astype(np.int64) - i0 + 1
    ny = np.floor(y.max(axis=1) - 0.5).astype(np.int64) - j0 + 1
    span = np.maximum(nx, ny)
    area = (x[:, 1] - x[:, 0]) * (y[:, 2] - y[:, 0]) - (x[:, 2] - x[:, 0]) * (y[:, 1] - y[:, 0])
    usable = (span > 0) & (np.abs(area) > 1e-12)
    low = 0
    for high in (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024):
        pick = np.flatnonzero(usable & (span > low) & (span <= high))
        low = high
        for chunk in np.array_split(pick, max(1, len(pick) * high * high // 4_000_000 + 1)):
            if len(chunk) == 0:
                continue
            offset = np.arange(high)
            ci = i0[chunk, None, None] + offset[None, None, :]
            ci, cj = np.broadcast_arrays(ci, j0[chunk, None, None] + offset[None, :, None])
            inside_box = (offset[None, None, :] < nx[chunk, None, None]) & (offset[None, :, None] < ny[chunk, None, None])
            sx, sy = ci + 0.5 + 1.234e-5, cj + 0.5 + 2.345e-5
            xs, ys = x[chunk][:, :, None, None], y[chunk][:, :, None, None]
            w0 = (xs[:, 1] - sx) * (ys[:, 2] - sy) - (xs[:, 2] - sx) * (ys[:, 1] - sy)
            w1 = (xs[:, 2] - sx) * (ys[:, 0] - sy) - (xs[:, 0] - sx) * (ys[:, 2] - sy)
            w2 = (xs[:, 0] - sx) * (ys[:, 1] - sy) - (xs[:, 1] - sx) * (ys[:, 0] - sy)
            a = area[chunk][:, None, None]
            b0, b1, b2 = w0 / a, w1 / a, w2 / a
            hit = inside_box & (b0 >= 0) & (b1 >= 0) & (b2 >= 0) & (ci >= 0) & (ci < size_px) & (cj >= 0) & (cj < size_px)
            zc = z[chunk]
            value = (b0 * zc[:, 0, None, None] + b1 * zc[:, 1, None, None] + b2 * zc[:, 2, None, None])
            value *= weight[chunk][:, None, None]
            image += np.bincount(cj[hit] * size_px + ci[hit], weights=value[hit], minlength=image.size)
    return image.reshape(size_px, size_px)


def thickness_mm(meshes, camera, field_mm: float = FIELD_MM, size_px: int = SIZE_PX) -> np.ndarray:
    """Return the summed path length (mm) of parallel rays along the camera's direction.

    Parameters
    ----------
    meshes : sequence of trimesh.Trimesh
        Closed meshes with outward winding, LPS+ mm.
    camera : viz.scenes.cameras.Camera
        Viewing direction, centre (focal point) and up vector of the image.
    field_mm : float, default: 150
        Side of the square field of view.
    size_px : int, default: 384

    Returns
    -------
    (size_px, size_px) float
        Row 0 at the top of the screen.
    """
    centre, right, up, forward = _frame(camera)
    total = np.zeros((size_px, size_px))
    scale = size_px / field_mm
    for mesh in meshes:
        local = np.asarray(mesh.vertices, dtype=float) - centre
        px = local @ right * scale + size_px / 2
        py = size_px / 2 - local @ up * scale
        depth = local @ forward
        faces = np.asarray(mesh.faces)
        facing = np.sign(np.asarray(mesh.face_normals) @ forward)
        total += _rasterise(px, py, depth, faces, facing, size_px)
    return np.clip(total, 0.0, None)


def contrast_dye_mesh(dural_sac: trimesh.Trimesh, centre_mm) -> trimesh.Trimesh:
    """The contrast layer around the dural sac, :data:`DYE_HALF_HEIGHT_MM` above and below
    ``centre_mm`` (the needle tip): :data:`DYE_THICKNESS_MM` thick at the tip's height and
    thinning toward both ends as the injected contrast spreads out (so the column fades
    instead of ending in a hard edge)."""
    normals = np.asarray(dural_sac.vertex_normals)
    along = (np.asarray(dural_sac.vertices)[:, 2] - centre_mm[2]) / DYE_HALF_HEIGHT_MM
    layer_mm = DYE_THICKNESS_MM * np.clip(1.0 - along ** 2, 0.04, 1.0)
    outer = trimesh.Trimesh(dural_sac.vertices + layer_mm[:, None] * normals, dural_sac.faces, process=False)

    def solid(mesh: trimesh.Trimesh) -> manifold3d.Manifold:
        return manifold3d.Manifold(manifold3d.Mesh(vert_properties=np.asarray(mesh.vertices, dtype=np.float32),
                                                   tri_verts=np.asarray(mesh.faces, dtype=np.uint32)))

    box = manifold3d.Manifold.cube([400.0, 400.0, 2 * DYE_HALF_HEIGHT_MM], True).translate(list(centre_mm))
    shell = ((solid(outer) - solid(dural_sac)) ^ box).to_mesh()
    points, faces = fast_simplification.simplify(np.array(shell.vert_properties[:, :3], dtype=np.float64),
                                                 np.array(shell.tri_verts, dtype=np.int32),
                                                 target_count=DYE_TRIANGLES)
    return trimesh.Trimesh(np.asarray(points, dtype=np.float64), np.asarray(faces, dtype=np.int64), process=False)


def radiograph(by_material: dict[str, list[trimesh.Trimesh]], camera, size_px: int = SIZE_PX) -> np.ndarray:
    """Return an RGB fluoroscopy image (uint8, (size_px, size_px, 3)).

    Parameters
    ----------
    by_material : dict of str to list of trimesh.Trimesh
        Keys among ``"bone"``, ``"soft"``, ``"metal"``, ``"dye"``; all attenuate
        (darken) the picture, the dye like a thin layer of bone.
    camera : viz.scenes.cameras.Camera
    """
    optical = np.zeros((size_px, size_px))
    for material, mu in {**ATTENUATION_PER_MM, "dye": DYE_ATTENUATION_PER_MM}.items():
        if by_material.get(material):
            optical += mu * thickness_mm(by_material[material], camera, size_px=size_px)
    grey = 0.08 + 0.80 * np.exp(-optical)
    rgb = np.repeat(grey[:, :, None], 3, axis=2)
    centre = (np.arange(size_px) + 0.5 - size_px / 2) / (size_px / 2)
    outside = np.hypot(centre[None, :], centre[:, None]) > FIELD_RADIUS
    rgb[outside] = 0.04
    return np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8)


def png_bytes(image: np.ndarray) -> bytes:
    """Encode an RGB uint8 image as PNG (deterministic bytes)."""
    buffer = io.BytesIO()
    Image.fromarray(image, mode="RGB").save(buffer, format="PNG", optimize=False, compress_level=9)
    return buffer.getvalue()


def png_data_url(image: np.ndarray) -> str:
    """Encode an RGB uint8 image as a ``data:image/png;base64,`` URL."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


MATERIAL_OF_GROUP = {"bone": "bone", "disc": "soft", "ligament": "soft", "dural_sac": "soft",
                     "nerve": "soft", "fat": "soft", "instrument": "metal", "dye": "dye"}
"""Which attenuation each mesh group uses."""


def mirrored_camera(camera, midline_x_mm: float):
    """The same view mirrored left–right about the sagittal plane ``x = midline_x_mm``.

    The contralateral oblique view for work on the right side is the mirror of the one
    for the left side (:mod:`viz.scenes.cameras` ``oblique``).
    """
    def mirror(point):
        return (2 * midline_x_mm - point[0], point[1], point[2])

    up = camera.view_up
    return type(camera)(mirror(camera.position_mm), mirror(camera.focal_point_mm), (-up[0], up[1], up[2]))


def _project(points_mm: np.ndarray, camera, size_px: int, field_mm: float = FIELD_MM) -> np.ndarray:
    """Pixel coordinates (column, row) of points, as :func:`thickness_mm` places them."""
    centre, right, up, _ = _frame(camera)
    scale = size_px / field_mm
    local = np.asarray(points_mm, dtype=float) - centre
    return np.stack([local @ right * scale + size_px / 2, size_px / 2 - local @ up * scale], axis=1)


def lamina_line_px(anatomy, camera, size_px: int = SIZE_PX) -> np.ndarray:
    """End points (column, row) of the ventral interlaminar line in a picture, px.

    For the two vertebrae around the treated level, the laminae meet behind the canal
    on the midline (within :data:`LAMINA_BAND_MM`); the ventral edge is that bone's most
    anterior point as the picture shows it (the roof of the canal). The line joins the two edges and runs 40 % past each.
    """
    from viz.scenes.landmarks import anatomy_landmarks, focus_level

    level = focus_level(anatomy)
    canal = anatomy_landmarks(anatomy)["canal_mm"]
    anterior = _project(np.array([canal, canal - [0.0, 1.0, 0.0]]), camera, size_px)
    anterior = (anterior[1] - anterior[0]) / np.linalg.norm(anterior[1] - anterior[0])
    edges = []
    for vertebra in (level.split("-")[0], level.split("-")[1]):
        if vertebra not in anatomy.parts:
            continue
        bone = np.asarray(anatomy.parts[vertebra].positions_mm["stenosis"], dtype=float)
        arch = bone[(bone[:, 1] > canal[1] + 3.0) & (np.abs(bone[:, 0] - canal[0]) < LAMINA_BAND_MM)
                    & (np.abs(bone[:, 2] - canal[2]) < 40.0)]
        pixels = _project(arch, camera, size_px)
        edges.append(pixels[np.argmax(pixels @ anterior)])
    if len(edges) < 2:
        return np.empty((0, 2))
    start, end = edges
    return np.array([start + 0.4 * (start - end), end + 0.4 * (end - start)])


def draw_dashed_line(image: np.ndarray, ends_px: np.ndarray, rgb=LANDMARK_RGB, dash_px=LANDMARK_DASH_PX) -> np.ndarray:
    """Return ``image`` with a 2 px dashed line between two (column, row) points."""
    out = np.array(image)
    if len(ends_px) < 2:
        return out
    start, end = ends_px
    length = float(np.linalg.norm(end - start))
    period = sum(dash_px)
    for step in np.arange(0.0, length, 0.5):
        if step % period >= dash_px[0]:
            continue
        point = start + (end - start) * step / length
        column, row = int(round(point[0])), int(round(point[1]))
        out[max(row - 1, 0):row + 1, max(column - 1, 0):column + 1] = rgb
    return out


def scene_radiograph(anatomy, camera, state: str = "stenosis", posed: dict[str, trimesh.Trimesh] | None = None,
                     dye: trimesh.Trimesh | None = None, size_px: int = SIZE_PX,
                     lamina_line: bool = False) -> np.ndarray:
    """Return the fluoroscopy image of the anatomy in ``state`` with posed instruments and dye.

    Parameters
    ----------
    anatomy : viz.models.anatomy.Anatomy
    camera : viz.scenes.cameras.Camera
        Usually ``camera_views(anatomy)["xray"]`` or ``["oblique"]``.
    state : str, default: "stenosis"
    posed : dict of str to trimesh.Trimesh, optional
        Instrument meshes already placed in the LPS frame.
    dye : trimesh.Trimesh, optional
        The contrast shell (:func:`contrast_dye_mesh`).
    lamina_line : bool, default: False
        Draw the dashed ventral interlaminar line (:func:`lamina_line_px`; oblique views).
    """
    by_material: dict[str, list[trimesh.Trimesh]] = {"bone": [], "soft": [], "metal": [], "dye": []}
    for part in anatomy.parts.values():
        by_material[MATERIAL_OF_GROUP[part.group]].append(part.mesh(state))
    by_material["metal"] += list((posed or {}).values())
    if dye is not None:
        by_material["dye"].append(dye)
    image = radiograph(by_material, camera, size_px)
    return draw_dashed_line(image, lamina_line_px(anatomy, camera, size_px)) if lamina_line else image
