"""Named camera views framed on the lumbar spine, and smooth camera interpolation.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior). The patient lies prone during MILD, so the surgeon looks at the back
from +y toward −y with the head up on screen (``back``). ``side`` looks from the
patient's left (+x); ``axial`` looks down the canal at the treated level
(:func:`viz.scenes.landmarks.focus_level`, L4–L5 in the standard anatomy) from above
with the back (+y) up on screen and a clip plane through that level's disc so the canal
cross-section shows; ``xray`` is the anteroposterior fluoroscopy direction (beam
from the table, detector above the back); ``oblique`` is the contralateral oblique
fluoroscopy view for work on the left side (detector 45° toward the patient's
right), which shows instrument depth against the contrast-outlined dural sac.
``room`` shows the patient on the table, ``closeup`` the left interlaminar
window of the treated level where the portal docks and ``skin`` the incision site on the back.

Views are computed from the anatomy (:func:`camera_views`); ``VIEWS`` is the same
for the cached standard anatomy, built on first use.

References
----------
``../shared/ANATOMY.md``, "The MILD procedure": prone patient, contralateral oblique view.
"""

from __future__ import annotations

import functools
from dataclasses import asdict, dataclass

import numpy as np

from viz.errors import UserError
from viz.scenes.instruments import incision_point_mm
from viz.scenes.landmarks import anatomy_landmarks, focus_level
from viz.scenes.story import NUMBED_AREAS

VIEW_NAMES = ("back", "side", "axial", "xray", "oblique", "room", "closeup", "skin")
"""Every named view; the first five are the public ``view=`` URL values."""

VIEW_ANGLE_DEG = 30.0
"""Vertical view angle of every view, degrees (VTK's default)."""

OBLIQUE_ANGLE_DEG = 45.0
"""Contralateral oblique angle from the anteroposterior beam, degrees (indicative value)."""

AXIAL_HALF_MM = 21.0
"""Half height framed by the ``axial`` view: the canal, ligaments and facets at one level, mm."""
XRAY_HALF_MM = 75.0
"""Half height framed by the ``xray`` and ``oblique`` views (a small intensifier field), mm."""
ROOM_HALF_MM = 520.0
"""Half height framed by the ``room`` view: the patient's trunk on the table, mm."""
CLOSEUP_HALF_MM = 32.0
"""Half height framed by the ``closeup`` view: one interlaminar window, mm."""
SKIN_HALF_MM = 70.0
"""Half height framed by the ``skin`` view: the incision site on the lower back, mm."""
FRAME_MARGIN = 0.08
"""Share of the half screen kept free around a view's subjects when a player frames them
for its screen's aspect ratio (``view_subjects``)."""


@dataclass(frozen=True)
class Camera:
    """A camera in LPS+ millimetres.

    Attributes
    ----------
    position_mm, focal_point_mm : (3,) float
        Eye and look-at points.
    view_up : (3,) float
        Unit vector pointing up on screen.
    clip_plane : ((3,) float, (3,) float) or None
        ``(origin_mm, normal)``: geometry on the side the normal points to is cut away.
    """

    position_mm: tuple[float, float, float]
    focal_point_mm: tuple[float, float, float]
    view_up: tuple[float, float, float]
    clip_plane: tuple[tuple[float, float, float], tuple[float, float, float]] | None = None

    def to_json(self) -> dict:
        """Return the camera as JSON-able plain data."""
        return asdict(self)


def _tuple(vector: np.ndarray) -> tuple[float, float, float]:
    return tuple(round(float(v), 3) for v in vector)


def _distance_to_fit(half_extent_mm: float) -> float:
    """Distance at which ``half_extent_mm`` fills 45 % of the screen height."""
    return half_extent_mm / np.tan(np.radians(VIEW_ANGLE_DEG / 2)) / 0.9


def camera_views(anatomy) -> dict[str, Camera]:
    """Return every named view framed on this anatomy.

    Parameters
    ----------
    anatomy : viz.models.anatomy.Anatomy

    Returns
    -------
    dict of str to Camera
        Keys :data:`VIEW_NAMES`.
    """
    marks = anatomy_landmarks(anatomy)
    low, high, canal = marks["spine_min_mm"], marks["spine_max_mm"], marks["canal_mm"]
    centre = np.array([canal[0], canal[1], (low[2] + high[2]) / 2])
    spine_half_mm = (high[2] - low[2]) / 2
    oblique = np.radians(OBLIQUE_ANGLE_DEG)
    up_z = np.array([0.0, 0.0, 1.0])

    def looking(focal: np.ndarray, direction: np.ndarray, distance_mm: float,
                up: np.ndarray = up_z, clip=None) -> Camera:
        direction = direction / np.linalg.norm(direction)
        return Camera(_tuple(focal + distance_mm * direction), _tuple(focal), _tuple(up), clip)

    closeup_focal = (marks["ligament_left_mm"] + canal) / 2
    return {
        "back": looking(centre, np.array([0.0, 1.0, 0.0]), _distance_to_fit(spine_half_mm)),
        "side": looking(centre, np.array([1.0, 0.0, 0.0]), _distance_to_fit(spine_half_mm)),
        "axial": looking(canal, up_z, _distance_to_fit(AXIAL_HALF_MM), np.array([0.0, 1.0, 0.0]),
                         (_tuple(canal), _tuple(up_z))),
        "xray": looking(canal, np.array([0.0, 1.0, 0.0]), _distance_to_fit(XRAY_HALF_MM)),
        "oblique": looking(canal, np.array([-np.sin(oblique), np.cos(oblique), 0.0]),
                           _distance_to_fit(XRAY_HALF_MM)),
        "room": looking(centre + [0.0, -60.0, 0.0], np.array([-0.8, 0.5, 0.25]), _distance_to_fit(ROOM_HALF_MM),
                        np.array([0.0, 1.0, 0.0])),
        "closeup": looking(closeup_focal, np.array([-0.45, 0.8, 0.4]), _distance_to_fit(CLOSEUP_HALF_MM)),
        "skin": looking(incision_point_mm(anatomy), np.array([-0.25, 0.9, 0.35]), _distance_to_fit(SKIN_HALF_MM)),
    }


def view_subjects(anatomy) -> dict[str, tuple[str, ...]]:
    """Return the structures each named view is about (part or body-piece names).

    A player keeps them fully in view, ``FRAME_MARGIN`` from the edges, at any aspect
    ratio: it moves the camera back along its line of sight when the screen is too narrow
    (a phone held upright) for the distance the view was framed at. Views not listed
    keep their distance.

    Parameters
    ----------
    anatomy : viz.models.anatomy.Anatomy
    """
    level = focus_level(anatomy)
    bones = tuple(name for name, part in anatomy.parts.items() if part.group == "bone")
    around = tuple(name for name in level.split("-") if name in anatomy.parts)
    ligaments = tuple(f"ligamentum_flavum_{level}_{side}" for side in ("left", "right"))
    return {
        "back": bones, "side": bones, "room": bones,
        "axial": (*ligaments, "dural_sac"),
        "xray": around, "oblique": around,
        "closeup": ligaments[:1],
        "skin": NUMBED_AREAS,
    }


@functools.cache
def _standard_views() -> dict[str, Camera]:
    from viz.models.cache import load_anatomy

    return camera_views(load_anatomy())


def __getattr__(name: str):
    if name == "VIEWS":
        return _standard_views()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def check_view(view: str) -> str:
    """Return ``view`` if it is a named view, else raise :class:`UserError`."""
    if view not in VIEW_NAMES:
        raise UserError(f"Unknown view {view!r}; choose one of: {', '.join(VIEW_NAMES[:5])}.")
    return view


def ease_in_out(u: float) -> float:
    """Smoothstep easing 3u² − 2u³ of ``u`` clipped to 0..1."""
    u = min(max(u, 0.0), 1.0)
    return u * u * (3.0 - 2.0 * u)


def _slerp(a: np.ndarray, b: np.ndarray, u: float) -> np.ndarray:
    """Spherical interpolation between unit vectors (falls back to a normalised lerp)."""
    cos_angle = float(np.clip(np.dot(a, b), -1.0, 1.0))
    angle = np.arccos(cos_angle)
    if angle < 1e-6 or np.pi - angle < 1e-3:
        mixed = (1 - u) * a + u * b
        norm = np.linalg.norm(mixed)
        return mixed / norm if norm > 1e-9 else a
    return (np.sin((1 - u) * angle) * a + np.sin(u * angle) * b) / np.sin(angle)


def interpolate_cameras(a: Camera, b: Camera, u: float) -> Camera:
    """Blend two cameras for eased progress ``u`` (0 → ``a``, 1 → ``b``).

    The focal point moves linearly, the viewing direction and the up vector turn
    on the sphere (slerp), the distance changes linearly, so the camera orbits
    around the spine instead of cutting through it. The clip plane is the nearer key's.
    """
    focal_a, focal_b = np.array(a.focal_point_mm), np.array(b.focal_point_mm)
    offset_a = np.array(a.position_mm) - focal_a
    offset_b = np.array(b.position_mm) - focal_b
    distance_a, distance_b = np.linalg.norm(offset_a), np.linalg.norm(offset_b)
    direction = _slerp(offset_a / distance_a, offset_b / distance_b, u)
    focal = (1 - u) * focal_a + u * focal_b
    position = focal + ((1 - u) * distance_a + u * distance_b) * direction
    up = _slerp(np.array(a.view_up), np.array(b.view_up), u)
    up = up - np.dot(up, direction) * direction
    up /= np.linalg.norm(up)
    return Camera(_tuple(position), _tuple(focal), _tuple(up), a.clip_plane if u < 0.5 else b.clip_plane)
