"""The state of the whole scene at any time: the Python twin of the browser player.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior); times in seconds (``t_s``). :func:`frame_at` reads only the scene
bundle (``docs/CONTRACTS.md`` §3) and follows the rules written there (§3,
"Playback rules"), so the movie, the PNG render and the glTF export show exactly
what the browser shows:

- the stage is the one whose ``[start_s, start_s + duration_s)`` holds ``t_s``
  (clamped to the story); local time ``u = (t_s − start_s) / duration_s``;
- anatomy positions are ``(1 − u)·P[morph[0]] + u·P[morph[1]]``, removal progress
  is ``lerp(removal, u)`` and bites with ``t <= progress`` are hidden;
- part opacity is ``part.opacity × stage.opacity[group]`` when the group is shown
  and the part not hidden, else 0, faded in from the previous stage's value over
  ``meta["playback"]["fade_s"]`` (:data:`FADE_S`) with smoothstep;
- camera keys of all stages form one track in absolute time; between two keys the
  camera moves with smoothstep easing (:func:`viz.scenes.cameras.interpolate_cameras`);
- instrument keys are stage-local; between two keys the tip moves with smoothstep
  easing, the direction is normalised-lerped, visibility is the earlier key's; a
  body piece with a track in the stage (the C-arm) is shown only while its track
  is visible;
- ``glow`` (how strongly pinched nerves are coloured) is the weight of the
  ``stenosis`` state in the current morph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from viz.scenes.cameras import FRAME_MARGIN, VIEW_ANGLE_DEG, Camera, ease_in_out, interpolate_cameras
from viz.scenes.instruments import pose_matrix

FADE_S = 1.0
"""Opacity changes between stages fade over this time, s."""
BITE_FADE = 0.04
"""Share of the removal progress over which the browser shrinks a bite to its centre before
its time ``t`` (:func:`visible_faces` drops it at ``t``)."""


def playback_constants() -> dict:
    """Every timing and camera constant a player needs, as the bundle's ``meta["playback"]``.

    ``fade_s`` (s) and ``bite_fade`` (share of the removal) from this module,
    ``view_angle_deg`` (vertical, degrees) and ``frame_margin`` (share of the half
    screen kept free around a view's subjects) from :mod:`viz.scenes.cameras`.
    """
    return {"fade_s": FADE_S, "bite_fade": BITE_FADE, "view_angle_deg": VIEW_ANGLE_DEG, "frame_margin": FRAME_MARGIN}


@dataclass(frozen=True)
class InstrumentFrame:
    """An instrument (or static body/dye piece) at one moment: visibility and 4×4 pose (LPS mm)."""

    visible: bool
    pose: np.ndarray


@dataclass(frozen=True)
class Frame:
    """The whole scene at ``t_s``.

    Attributes
    ----------
    t_s, local_t_s : float
        Absolute time and time since the stage start, s.
    stage_id : str
    stage_index : int
    morph : (str, str, float)
        States at the stage start and end, and the blend weight 0..1.
    removal_progress : float
        0..1; bites with ``t <= removal_progress`` are gone.
    glow : float
        0..1 weight of the ``stenosis`` state (colours pinched nerves).
    opacity : dict of str to float
        Every part, instrument and body piece by name; 0 means hidden.
    instruments : dict of str to InstrumentFrame
        Every entry of ``meta["instruments"]`` (instruments, body, dye).
    camera : Camera
    overlay : str or None
    compare : (str, str) or None
    positions_mm : dict of str to (n, 3) float32, optional
        Interpolated anatomy positions (only when bundle data was given).
    """

    t_s: float
    local_t_s: float
    stage_id: str
    stage_index: int
    morph: tuple[str, str, float]
    removal_progress: float
    glow: float
    opacity: dict[str, float]
    instruments: dict[str, InstrumentFrame]
    camera: Camera
    overlay: str | None
    compare: tuple[str, str] | None
    positions_mm: dict[str, np.ndarray] = field(default_factory=dict)


def read_array(data: bytes, ref: dict) -> np.ndarray:
    """Return the array an ARRAYREF points to in the bundle bytes (a read-only view)."""
    dtype = {"f4": "<f4", "u4": "<u4"}[ref["dtype"]]
    return np.frombuffer(data, dtype=dtype, count=ref["count"], offset=ref["offset"])


def story_duration_s(meta: dict) -> float:
    """Return the length of the whole story, s."""
    last = meta["stages"][-1]
    return last["start_s"] + last["duration_s"]


def _stage_at(meta: dict, t_s: float) -> tuple[int, float]:
    t_s = min(max(t_s, 0.0), story_duration_s(meta))
    for index, stage in enumerate(meta["stages"]):
        if t_s < stage["start_s"] + stage["duration_s"]:
            return index, t_s - stage["start_s"]
    return len(meta["stages"]) - 1, meta["stages"][-1]["duration_s"]


def _camera_from(meta: dict, key: dict) -> Camera:
    source = meta["views"][key["view"]] if "view" in key else key
    clip = source.get("clip_plane")
    return Camera(tuple(source["position_mm"]), tuple(source["focal_point_mm"]), tuple(source["view_up"]),
                  None if clip is None else (tuple(clip[0]), tuple(clip[1])))


def camera_at(meta: dict, t_s: float) -> Camera:
    """Return the camera at ``t_s``: one eased track through every stage's keys."""
    keys = [(stage["start_s"] + key["t_s"], key) for stage in meta["stages"] for key in stage["camera"]]
    if t_s <= keys[0][0]:
        return _camera_from(meta, keys[0][1])
    for (t0, k0), (t1, k1) in zip(keys, keys[1:]):
        if t_s < t1:
            return interpolate_cameras(_camera_from(meta, k0), _camera_from(meta, k1), ease_in_out((t_s - t0) / (t1 - t0)))
    return _camera_from(meta, keys[-1][1])


def _instrument_at(keys: list[dict], local_t_s: float) -> InstrumentFrame:
    if local_t_s <= keys[0]["t_s"]:
        key = keys[0]
        return InstrumentFrame(key["visible"] and local_t_s >= key["t_s"], pose_matrix(key["position_mm"], key["direction"]))
    for k0, k1 in zip(keys, keys[1:]):
        if local_t_s < k1["t_s"]:
            u = ease_in_out((local_t_s - k0["t_s"]) / max(k1["t_s"] - k0["t_s"], 1e-9))
            position = (1 - u) * np.array(k0["position_mm"]) + u * np.array(k1["position_mm"])
            direction = (1 - u) * np.array(k0["direction"]) + u * np.array(k1["direction"])
            return InstrumentFrame(k0["visible"], pose_matrix(position, direction))
    key = keys[-1]
    return InstrumentFrame(key["visible"], pose_matrix(key["position_mm"], key["direction"]))


def _stage_opacity(stage: dict, item: dict) -> float:
    if item["group"] not in stage["show_groups"] or item["name"] in stage["hide_parts"]:
        return 0.0
    return item["opacity"] * stage["opacity"].get(item["group"], 1.0)


def frame_at(meta: dict, t_s: float, data: bytes | None = None) -> Frame:
    """Return the state of every part at ``t_s`` (clamped to the story).

    Parameters
    ----------
    meta : dict
        The bundle's JSON part (``load_bundle().meta``).
    t_s : float
        Time since the story start, s.
    data : bytes, optional
        The bundle's binary part; when given, ``positions_mm`` holds the interpolated
        full-detail positions of every anatomy part.
    """
    index, local_t_s = _stage_at(meta, t_s)
    stage = meta["stages"][index]
    u = min(max(local_t_s / stage["duration_s"], 0.0), 1.0)
    state_a, state_b = stage["morph"]
    removal = (1 - u) * stage["removal"][0] + u * stage["removal"][1]
    glow = (1 - u) * (state_a == "stenosis") + u * (state_b == "stenosis")
    fade = ease_in_out(local_t_s / meta["playback"]["fade_s"]) if index > 0 else 1.0
    previous = meta["stages"][index - 1] if index > 0 else stage
    opacity = {}
    for item in meta["parts"] + [i for i in meta["instruments"] if i["group"] == "body"]:
        now, before = _stage_opacity(stage, item), _stage_opacity(previous, item)
        opacity[item["name"]] = round((1 - fade) * before + fade * now, 6)
    tracks = {track["name"]: track["keys"] for track in stage["instruments"]}
    instruments = {}
    for item in meta["instruments"]:
        name, is_body = item["name"], item["group"] == "body"
        if name in tracks:
            state = _instrument_at(tracks[name], local_t_s)
        else:
            state = InstrumentFrame(is_body and opacity[name] > 0, np.eye(4))
        if not state.visible:
            opacity[name] = 0.0
        elif not is_body:
            opacity[name] = item["opacity"]
        instruments[name] = InstrumentFrame(state.visible and opacity[name] > 0, state.pose)
    positions = {}
    if data is not None:
        for part in meta["parts"]:
            a = read_array(data, part["positions"][state_a])
            b = read_array(data, part["positions"][state_b])
            positions[part["name"]] = ((1 - u) * a + u * b).astype(np.float32).reshape(-1, 3)
    compare = stage.get("compare")
    return Frame(round(float(t_s), 6), local_t_s, stage["id"], index, (state_a, state_b, u), removal, glow,
                 opacity, instruments, camera_at(meta, t_s), stage["overlay"],
                 None if compare is None else tuple(compare), positions)


def visible_faces(faces: np.ndarray, bites: list[dict], removal_progress: float) -> np.ndarray:
    """Drop the triangles of bites already removed (``t <= removal_progress``).

    Parameters
    ----------
    faces : (m, 3) int
        Triangles of one part (full or light LOD, matching ``bites``).
    bites : list of dict
        The part's bites with vertex ranges ``start``/``stop``.
    """
    keep = np.ones(len(faces), dtype=bool)
    for bite in bites:
        if bite["t"] <= removal_progress:
            keep &= ~((faces[:, 0] >= bite["start"]) & (faces[:, 0] < bite["stop"]))
    return faces[keep]
