"""Off-screen pyvista rendering of the story: one timeline frame or one stage's end.

The renderer reads the same scene bundle as the browser player
(:func:`viz.scenes.bundle.load_bundle`) and poses it with the player's Python
twin (:func:`viz.scenes.timeline.frame_at`), so stills and movies show exactly
what the app shows: the same colours and opacities, camera, instruments and
X-ray panel. One plotter is built once and reused for every frame of a movie;
per frame only what changed since the previous frame is touched (vertex
positions and normals of morphing parts, visible triangles, nerve colours,
instrument poses, opacities, the camera), and a frame in which nothing changed
(a camera hold) is not rendered again: the previous picture is reused.

Frame and units: millimetres, LPS+ (+x patient's left, +y posterior,
+z superior), as in the bundle; no axis is flipped here.
"""

from __future__ import annotations

import numpy as np
import pyvista as pv
import vtk
from vtkmodules.util.numpy_support import vtk_to_numpy

from viz.export.burn_in import burn_text, burn_xray, decode_data_uri
from viz.export.section_caps import SectionCap
from viz.scenes.cameras import VIEW_ANGLE_DEG, Camera
from viz.scenes.timeline import Frame, read_array, visible_faces

BACKGROUND_BOTTOM_RGB = (0.80, 0.85, 0.89)
"""Calm blue-grey at the bottom of the background gradient."""

BACKGROUND_TOP_RGB = (0.96, 0.97, 0.98)
"""Near white at the top of the background gradient."""

SUPERSAMPLE_MAX_PIXELS = 1920 * 1080
"""Still images up to this many pixels are supersampled (rendered at 2×2 and filtered).

Larger stills (up to 8K) have small enough pixels without it, and supersampling a
4K frame in the software renderer would cost ≈16 s (``benchmarks/bench_exports.py``).
Movie frames are never supersampled, to stay within the frame budget.
Translucency uses VTK's order-independent blending (one pass), not depth peeling:
on this 2-core software renderer peeling cost ≈5× the whole frame.
"""

vtk.vtkLogger.SetStderrVerbosity(vtk.vtkLogger.VERBOSITY_OFF)
vtk.vtkObject.GlobalWarningDisplayOff()


class _Piece:
    """One drawn mesh (anatomy part or instrument): VTK points, triangles, actor; an
    anatomy part also has the solid cap of its cut (:class:`SectionCap`)."""

    def __init__(self, entry: dict, data: bytes, positions_key: str, pinch_rgb: list[float],
                 height_px: int = 0, growth: dict | None = None) -> None:
        self.name = entry["name"]
        self.group = entry["group"]
        self.faces = read_array(data, entry["faces"]).reshape(-1, 3).astype(np.int64)
        shared: dict[int, np.ndarray] = {}
        self.positions = {state: shared.setdefault(ref["offset"], read_array(data, ref).reshape(-1, 3))
                          for state, ref in entry["positions"].items()}
        self.bites = entry.get("bites", [])
        self.rgb = np.asarray(entry["color"], dtype=float)
        self.pinch_rgb = np.asarray(pinch_rgb, dtype=float)
        self.pinch = None if entry.get("pinch") is None else read_array(data, entry["pinch"])
        self.growth = growth
        self._removed_key: tuple[bool, ...] | None = None
        self._glow: float | None = None
        self._morph: tuple | None = None
        self._shown: tuple[bool, float] | None = None
        self._pose: bytes | None = None
        self.mesh = pv.PolyData(np.array(self.positions[positions_key], dtype=np.float32),
                                _vtk_faces(self.faces))
        self.normals = vtk.vtkPolyDataNormals()
        self.normals.SetInputData(self.mesh)
        self.normals.SetFeatureAngle(60.0)
        self.normals.SplittingOff()
        self.normals.ConsistencyOff()
        self.clipper = vtk.vtkClipPolyData()
        self.clipper.SetInputConnection(self.normals.GetOutputPort())
        self.mapper = vtk.vtkPolyDataMapper()
        self.mapper.SetInputConnection(self.normals.GetOutputPort())
        if self.pinch is not None or growth is not None:
            self.set_glow(0.0)
            self._shade_growth()
            self.mapper.SetScalarModeToUsePointFieldData()
            self.mapper.SelectColorArray("rgb")
            self.mapper.SetColorModeToDirectScalars()
            self.mapper.ScalarVisibilityOn()
        else:
            self.mapper.ScalarVisibilityOff()
        self.actor = vtk.vtkActor()
        self.actor.SetMapper(self.mapper)
        prop = self.actor.GetProperty()
        prop.SetColor(*entry["color"])
        prop.SetInterpolationToPhong()
        prop.SetSpecular(0.25 if self.group in ("bone", "instrument") else 0.12)
        prop.SetSpecularPower(30.0)
        prop.SetDiffuse(0.85)
        prop.SetAmbient(0.12)
        self.section = None
        if height_px:
            self.section = SectionCap(self.normals.GetOutputPort(), self.group, entry["color"],
                                      self.pinch is not None, height_px)

    def set_morph(self, state_a: str, state_b: str, u: float) -> bool:
        """Blend positions ``(1 − u)·P[state_a] + u·P[state_b]``; return False (and skip) when nothing moves."""
        a, b = self.positions[state_a], self.positions[state_b]
        key = (id(a), id(b), u) if a is not b else (id(a),)
        if key == self._morph:
            return False
        self._morph = key
        self.mesh.points = a if a is b else ((1.0 - u) * a + u * b).astype(np.float32)
        self._shade_growth()
        return True

    def _shade_growth(self) -> None:
        """Shade grown tissue toward the bundle's ``growth`` colour by each vertex's distance from
        its healthy place over ``full_mm`` (as the player does, ``viz/web/js/core/growth.js``)."""
        if self.growth is None:
            return
        distance = np.linalg.norm(np.asarray(self.mesh.points) - self.positions["healthy"], axis=1)
        weight = np.clip(distance / self.growth["full_mm"], 0.0, 1.0)[:, None]
        rgb = (self.rgb + (np.asarray(self.growth["color"]) - self.rgb) * weight) * 255.0
        self.mesh.point_data["rgb"] = np.round(rgb).astype(np.uint8)

    def set_removal(self, progress: float) -> bool:
        """Hide the triangles of bites whose removal time ``t`` has passed; return whether that changed."""
        key = tuple(bite["t"] <= progress for bite in self.bites)
        if key == self._removed_key:
            return False
        self._removed_key = key
        self.mesh.faces = _vtk_faces(visible_faces(self.faces, self.bites, progress))
        return True

    def set_glow(self, glow: float) -> bool:
        """Tint pinched vertices toward the bundle's ``pinch_color`` by ``pinch × glow`` (as the player does).

        Returns whether the colours changed.
        """
        if self.pinch is None or glow == self._glow:
            return False
        self._glow = glow
        weight = np.clip(self.pinch * glow, 0.0, 1.0)[:, None]
        rgb = (self.rgb + (self.pinch_rgb - self.rgb) * weight) * 255.0
        self.mesh.point_data["rgb"] = np.round(rgb).astype(np.uint8)
        return True

    def set_clip(self, plane: vtk.vtkPlane | None, clip_plane: tuple | None = None) -> None:
        """Cut the triangles away on the side of ``plane`` its normal points from (None: draw whole),
        and cap the cut along ``clip_plane`` (the camera's ``(origin_mm, normal)``).

        The cut is made in the geometry (normals and the uint8 nerve colours are
        interpolated at the cut) and redone only when the points or the plane
        change. A clipping plane on the mapper would instead test every pixel, and
        its per-pixel discard keeps the software renderer from skipping hidden
        pixels early: axial frames cost ≈2.7× more CPU that way
        (``benchmarks/bench_exports.py``).
        """
        if plane is None:
            self.mapper.SetInputConnection(self.normals.GetOutputPort())
        else:
            self.clipper.SetClipFunction(plane)
            self.mapper.SetInputConnection(self.clipper.GetOutputPort())
        if self.section is not None:
            self.section.set_plane(clip_plane)

    def set_pose(self, pose: np.ndarray) -> bool:
        """Place an instrument with a 4×4 LPS pose (mm); return whether it moved."""
        pose = np.asarray(pose, dtype=float)
        key = pose.tobytes()
        if key == self._pose:
            return False
        self._pose = key
        matrix = vtk.vtkMatrix4x4()
        matrix.DeepCopy(pose.ravel())
        self.actor.SetUserMatrix(matrix)
        return True

    def show(self, visible: bool, opacity: float) -> bool:
        """Show the piece at ``opacity`` (0..1), or hide it; return whether its look changed."""
        key = (bool(visible) and opacity > 0.0, float(opacity))
        if key == self._shown:
            return False
        was_visible = self._shown is None or self._shown[0]
        self._shown = key
        self.actor.SetVisibility(key[0])
        self.actor.GetProperty().SetOpacity(key[1])
        return was_visible or key[0]


def _sides(points_mm: np.ndarray, origin_mm, normal) -> tuple[bool, bool]:
    """Whether some points lie on the side of the plane through ``origin_mm`` that ``normal``
    points to (cut away), and whether some lie on the other side (kept)."""
    normal = np.asarray(normal, dtype=np.float32)
    height = points_mm @ normal
    level = float(np.dot(normal, origin_mm))
    return bool(float(height.max()) > level), bool(float(height.min()) < level)


def _vtk_faces(faces: np.ndarray) -> np.ndarray:
    return np.hstack([np.full((len(faces), 1), 3, dtype=np.int64), faces]).ravel()


def xray_pictures(view: str | None, overlay: str | None) -> tuple[str, ...]:
    """Names of the bundle's X-ray images shown beside the 3D view (the player's rule).

    The ``xray`` view shows the anteroposterior picture, ``oblique`` the oblique
    one; otherwise a stage with ``overlay == "xray"`` shows both.
    """
    if view == "xray":
        return ("xray_ap",)
    if view == "oblique":
        return ("xray_oblique",)
    return ("xray_ap", "xray_oblique") if overlay == "xray" else ()


class OffscreenRenderer:
    """Render frames of the scene bundle off screen with one reused plotter.

    Parameters
    ----------
    meta, data : dict, bytes
        The scene bundle (``load_bundle()``).
    width_px, height_px : int
        Frame size.
    transparent : bool, default: False
        Transparent background (RGBA frames) instead of the calm gradient.
    lang, mode : str
        Caption language and voice used by :meth:`render` for burned-in text.
    still : bool, default: True
        Still image: supersampled up to :data:`SUPERSAMPLE_MAX_PIXELS`; False for
        movie frames (never supersampled).

    Use as a context manager, or call :meth:`close`.
    """

    def __init__(self, meta: dict, data: bytes, width_px: int, height_px: int,
                 transparent: bool = False, lang: str = "en", mode: str = "patient", still: bool = True) -> None:
        self.transparent = transparent
        self.text = meta["text"][lang]
        self.mode = mode
        self.plotter = pv.Plotter(off_screen=True, window_size=(width_px, height_px), lighting="light_kit")
        if transparent:
            self.plotter.set_background(BACKGROUND_TOP_RGB)
        else:
            self.plotter.set_background(BACKGROUND_BOTTOM_RGB, top=BACKGROUND_TOP_RGB)
        self.plotter.camera_set = True
        self.plotter.ren_win.SetMultiSamples(0)
        self.plotter.renderer.SetUseOIT(True)
        if still and width_px * height_px <= SUPERSAMPLE_MAX_PIXELS:
            self.plotter.enable_anti_aliasing("ssaa")
        growth = meta.get("growth", {})
        self.pieces = [_Piece(entry, data, "healthy", meta["pinch_color"], height_px, growth.get(entry["group"]))
                       for entry in meta["parts"]]
        self.instruments = [_Piece(entry, data, "rest", meta["pinch_color"]) for entry in meta["instruments"]]
        for piece in self.pieces + self.instruments:
            self.plotter.renderer.AddActor(piece.actor)
        for piece in self.pieces:
            for actor in piece.section.actors():
                self.plotter.renderer.AddActor(actor)
        self.xray = {key: decode_data_uri(uri) for key, uri in meta.get("images", {}).items()}
        self._clip_plane: tuple | None = None
        self._camera: Camera | None = None
        self._image: np.ndarray | None = None

    def __enter__(self) -> "OffscreenRenderer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Release the render window."""
        self.plotter.close()

    def _set_camera(self, camera: Camera) -> bool:
        """Point the camera (and its clip plane); return False when it is where it was."""
        if camera == self._camera:
            return False
        self._camera = camera
        vtk_camera = self.plotter.camera
        vtk_camera.position = camera.position_mm
        vtk_camera.focal_point = camera.focal_point_mm
        vtk_camera.up = camera.view_up
        vtk_camera.view_angle = VIEW_ANGLE_DEG
        if camera.clip_plane != self._clip_plane:
            self._clip_plane = camera.clip_plane
            plane = None
            if camera.clip_plane is not None:
                plane = vtk.vtkPlane()
                plane.SetOrigin(*camera.clip_plane[0])
                plane.SetNormal(*(-np.asarray(camera.clip_plane[1], dtype=float)))
            for piece in self.pieces:
                piece.set_clip(plane, camera.clip_plane)
        return True

    def _pose(self, frame: Frame) -> bool:
        """Move every piece to where ``frame`` (from ``frame_at``) puts it; return whether the picture changed.

        Parts wholly on the cut-away side of the camera's clip plane are hidden, so
        they are neither cut nor drawn.
        """
        state_a, state_b, u = frame.morph
        clip = frame.camera.clip_plane
        changed = self._set_camera(frame.camera)
        for piece in self.pieces:
            opacity = frame.opacity[piece.name]
            moved = False
            if opacity > 0.0:
                moved = piece.set_morph(state_a, state_b, u)
                moved = piece.set_removal(frame.removal_progress) or moved
                moved = piece.set_glow(frame.glow) or moved
            cut, kept = (False, True) if clip is None else _sides(piece.mesh.points, *clip)
            visible = opacity > 0.0 and kept
            piece.section.show(piece.actor, visible and cut, opacity)
            changed = piece.show(visible, opacity) or (visible and moved) or changed
        for piece in self.instruments:
            state = frame.instruments[piece.name]
            moved = state.visible and piece.set_pose(state.pose)
            changed = piece.show(state.visible, frame.opacity[piece.name]) or moved or changed
        return changed

    def _read_back(self) -> np.ndarray:
        """Render the window and read its pixels: (h, w, 3), or (h, w, 4) when transparent, uint8, top row first."""
        window = self.plotter.ren_win
        window.Render()
        width_px, height_px = window.GetSize()
        pixels = vtk.vtkUnsignedCharArray()
        if self.transparent:
            window.GetRGBACharPixelData(0, 0, width_px - 1, height_px - 1, 1, pixels, 0)
        else:
            window.GetPixelData(0, 0, width_px - 1, height_px - 1, 1, pixels, 0)
        image = np.ascontiguousarray(vtk_to_numpy(pixels).reshape(height_px, width_px, -1)[::-1])
        image.flags.writeable = False
        return image

    def draw(self, frame: Frame, view: str | None = None) -> np.ndarray:
        """Render one posed frame without text: (h, w, 3) or (h, w, 4) uint8, read-only.

        When nothing in the scene changed since the previous call (a camera hold
        with nothing moving), the previous picture is returned without rendering.
        ``view`` names the camera view when it replaces the frame's own (it selects
        the X-ray picture shown beside the 3D view, as the player does).
        """
        if self._pose(frame) or self._image is None:
            self.plotter.renderer.ResetCameraClippingRange()
            self._image = self._read_back()
        image = self._image
        pictures = xray_pictures(view, frame.overlay)
        if pictures:
            image = burn_xray(image, [self.xray[name] for name in pictures if name in self.xray])
        return image

    def render(self, frame: Frame, caption: bool = True, view: str | None = None) -> np.ndarray:
        """Render one frame and burn in the learning-only note, with the stage title and caption
        when ``caption`` (ANATOMY.md, "MILD": a short, visible note belongs on every screen)."""
        image = self.draw(frame, view)
        if not caption:
            return burn_text(image, note=self.text["ui"]["disclaimer"])
        stage_text = self.text["stages"][frame.stage_id][self.mode]
        return burn_text(image, title=stage_text["title"], caption=stage_text["caption"],
                         note=self.text["ui"]["disclaimer"])
