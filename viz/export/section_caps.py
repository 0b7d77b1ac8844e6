"""Solid cut faces for the off-screen renderer: where a view's clip plane cuts a part,
the cut is closed by a flat cap in the part's colour, drawn as
:data:`viz.scenes.cameras.CUT_CAPS` says (see-through groups, outlines, which cap is in
front where two coincide).

Frame and units: millimetres, LPS+ (+x patient's left, +y posterior, +z superior).

Every anatomy part is a set of closed, outward-wound shells (``docs/CONTRACTS.md`` §1),
so its section by the plane is a set of closed outlines, which VTK strips into loops
and triangulates (holes included). The cap is unlit. Each group's cap is lifted a hair
toward the viewer by its rank, so where caps of overlapping parts coincide the one that
belongs in front is drawn. The back faces of a cut part, seen through the cut beyond a
see-through cap, are painted flat in the same colour. A nerve's section has no holes,
and in stenosis the rootlets are pressed into overlapping outlines, which VTK's contour
triangulator (it pairs outer outlines with holes) does not finish on: the nerves
(:data:`EACH_OUTLINE_FILLED`) have each outline filled on its own instead.

References
----------
``../shared/ANATOMY.md``, "Imaging conventions" (the axial and mid-sagittal slices).
"""

from __future__ import annotations

import numpy as np
import vtk

from viz.scenes.cameras import CUT_CAPS

CAP_LIFT_MM = 0.02
"""Lift of a cap toward the viewer per rank, mm (the depth buffer resolves ≈0.003 mm at
the views' distances)."""

EACH_OUTLINE_FILLED = ("nerve",)
"""Groups whose cap fills each outline of the section on its own (no holes)."""

OUTLINE_SHADE = 0.6
"""Outline colour as a share of the part's colour."""

OUTLINE_WIDTH_PX_PER_1000 = 1.6
"""Outline width per 1000 px of image height (at least 1 px)."""


def _flat(prop: vtk.vtkProperty, rgb, opacity: float) -> vtk.vtkProperty:
    """Set ``prop`` to an unlit colour (ambient only) at ``opacity``."""
    prop.SetColor(*rgb)
    prop.SetAmbientColor(*rgb)
    prop.SetAmbient(1.0)
    prop.SetDiffuse(0.0)
    prop.SetSpecular(0.0)
    prop.SetOpacity(opacity)
    return prop


def _outlines_as_polygons(step: vtk.vtkProgrammableFilter) -> None:
    """Turn each closed polyline of the step's input into one polygon of its output."""
    source, target = step.GetPolyDataInput(), step.GetPolyDataOutput()
    target.SetPoints(source.GetPoints())
    target.GetPointData().PassData(source.GetPointData())
    target.SetPolys(source.GetLines())


class SectionCap:
    """The cap and outline of one part's section by a plane.

    Parameters
    ----------
    source : vtk.vtkAlgorithmOutput
        The part's closed surface (its whole mesh, before any clipping).
    group : str
        The part's group (decides rank and see-through).
    rgb : (3,) float
        The part's colour, 0..1.
    scalars : bool
        Colour the cap from the surface's ``"rgb"`` point colours (the nerves' glow).
    height_px : int
        Image height, for the outline width.
    """

    def __init__(self, source, group: str, rgb, scalars: bool, height_px: int) -> None:
        self.group = group
        self.rgb = np.asarray(rgb, dtype=float)
        self.cutter = vtk.vtkCutter()
        self.cutter.SetInputConnection(source)
        self.cutter.GenerateTrianglesOff()
        stripper = vtk.vtkStripper()
        stripper.SetInputConnection(self.cutter.GetOutputPort())
        stripper.JoinContiguousSegmentsOn()
        if group in EACH_OUTLINE_FILLED:
            outlines = vtk.vtkProgrammableFilter()
            outlines.SetInputConnection(stripper.GetOutputPort())
            outlines.SetExecuteMethod(lambda: _outlines_as_polygons(outlines))
            triangulator = vtk.vtkTriangleFilter()
            triangulator.SetInputConnection(outlines.GetOutputPort())
        else:
            triangulator = vtk.vtkContourTriangulator()
            triangulator.SetInputConnection(stripper.GetOutputPort())
        self.cap = self._actor(triangulator.GetOutputPort(), scalars)
        self.outline = self._actor(stripper.GetOutputPort(), False)
        _flat(self.outline.GetProperty(), OUTLINE_SHADE * self.rgb, 1.0)
        self.outline.GetProperty().SetLineWidth(max(1.0, OUTLINE_WIDTH_PX_PER_1000 * height_px / 1000.0))
        self.back = _flat(vtk.vtkProperty(), self.rgb, 1.0)
        self.set_plane(None)

    @staticmethod
    def _actor(port, scalars: bool) -> vtk.vtkActor:
        mapper = vtk.vtkPolyDataMapper()
        mapper.SetInputConnection(port)
        if scalars:
            mapper.SetScalarModeToUsePointFieldData()
            mapper.SelectColorArray("rgb")
            mapper.SetColorModeToDirectScalars()
            mapper.ScalarVisibilityOn()
        else:
            mapper.ScalarVisibilityOff()
        actor = vtk.vtkActor()
        actor.SetMapper(mapper)
        return actor

    def actors(self) -> tuple[vtk.vtkActor, vtk.vtkActor]:
        """The cap and outline actors, to add to the renderer once."""
        return self.cap, self.outline

    def set_plane(self, plane: tuple | None) -> None:
        """Cut along ``plane`` = ``(origin_mm, normal)`` (the bundle's clip plane: the side the
        normal points to is cut away), or draw nothing (None)."""
        self.plane = plane
        if plane is None:
            return
        origin, normal = (np.asarray(v, dtype=float) for v in plane)
        cut = vtk.vtkPlane()
        cut.SetOrigin(*origin)
        cut.SetNormal(*normal)
        self.cutter.SetCutFunction(cut)
        lift = vtk.vtkTransform()
        lift.Translate(*(normal / np.linalg.norm(normal) * CAP_LIFT_MM * (CUT_CAPS["rank"].get(self.group, 1) + 1)))
        self.cap.SetUserTransform(lift)
        self.outline.SetUserTransform(lift)

    def show(self, part: vtk.vtkActor, visible: bool, opacity: float) -> None:
        """Show the cap (and paint ``part``'s back faces flat) when the part is shown and cut."""
        on = visible and self.plane is not None
        cap_opacity = opacity if self.group in CUT_CAPS["see_through"] else 1.0
        _flat(self.cap.GetProperty(), self.rgb, cap_opacity)
        self.back.SetOpacity(cap_opacity)
        self.cap.SetVisibility(on)
        self.outline.SetVisibility(on and self.group in CUT_CAPS["outlined"])
        if on:
            part.SetBackfaceProperty(self.back)
        else:
            part.SetBackfaceProperty(None)
