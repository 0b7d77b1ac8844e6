"""The MILD story as an ordered list of stages: plain, frozen, JSON-serialisable data.

Frame and units: millimetres, LPS+ (+x toward the patient's left, +y posterior,
+z superior); times in seconds (``t_s``). A stage names what is shown and how the
anatomy changes; the geometry that depends on the anatomy (camera positions,
instrument poses, hotspot positions) is resolved by :mod:`viz.scenes.cameras`,
:mod:`viz.scenes.instruments` and :mod:`viz.scenes.bundle`. The words live in
``viz/scenes/text/{en,es}.json``, keyed by stage id.

The steps follow the MILD procedure as summarised in ``../shared/ANATOMY.md``
(prone patient, local anesthetic, fluoroscopy with a contrast epidurogram, a
≈5 mm incision, a 6-gauge portal docked on the lamina, bone and ligament removed
lateral to medial on one side then the other, under one hour, home the same day).
Both sides are treated, each through its own small incision (:mod:`viz.scenes.body`
says why): one numbed spot, one incision and one bandage per side.

Besides the steps, the story carries what a patient must hear before deciding (what
MILD is for, who it may help, results as averages, risks, other choices): each stage
names the sections of the catalogue's ``consult`` text a player offers with it
(:attr:`Stage.consult`), and :data:`ORIENTATION` gives the directions of a small
head/feet and front/back cue.

References
----------
``../shared/ANATOMY.md``, "The MILD procedure" (steps, timing, recovery).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace

from viz.errors import UserError
from viz.scenes.landmarks import upper_vertebra

ANATOMY_GROUPS = ("bone", "disc", "ligament", "dural_sac", "nerve", "fat")
"""Groups of :class:`viz.models.anatomy.Part` drawn in every stage."""


@dataclass(frozen=True)
class CameraKey:
    """The camera reaches the named view at ``t_s`` seconds after the stage start."""

    t_s: float
    view: str


@dataclass(frozen=True)
class Hotspot:
    """A tappable label on a structure (an anatomy part, a body piece or an instrument).

    ``part`` may name the treated level as ``{level}`` (``"L4-L5"``) and the vertebra
    above it as ``{vertebra}`` (``"L4"``); :meth:`part_at` fills them in for an anatomy's
    level (:func:`viz.scenes.landmarks.focus_level`). Where it sits, at the stage's end
    shape, is decided when the bundle is built (``_hotspot_position`` in
    :mod:`viz.scenes.bundle`).
    """

    id: str
    part: str

    def part_at(self, level: str) -> str:
        """The part's name at a treated ``level`` such as ``"L3-L4"``."""
        return self.part.format(level=level, vertebra=upper_vertebra(level))


@dataclass(frozen=True)
class Stage:
    """One step of the story.

    Attributes
    ----------
    id : str
        Short lowercase word; the key of the stage's texts in the catalogue.
    duration_s : float
        Length of the stage in seconds.
    morph : (str, str)
        Anatomy state (one of ``viz.models.anatomy.STATES``) at the stage start and end;
        positions are interpolated linearly in between.
    removal : (float, float)
        Removal progress 0..1 at the stage start and end (bites with ``t <= progress`` are gone).
    camera : tuple of CameraKey
        Camera keyframes in stage-local time.
    show_groups : tuple of str
        Groups drawn in this stage (anatomy groups and ``"body"``; instruments and the
        contrast dye are shown by their tracks).
    hide_parts : tuple of str
        Names of parts or body pieces hidden although their group is shown.
    opacity : dict of str to float
        Opacity per group (1.0 when absent).
    instruments : tuple of str
        Instruments used in this stage; their poses are built by
        :func:`viz.scenes.instruments.instrument_tracks`.
    overlay : str or None
        ``"xray"`` shows the simulated fluoroscopy images next to the 3D view.
    compare : (str, str) or None
        Two anatomy states a player may show side by side or with a slider.
    hotspots : tuple of Hotspot
        Tappable labels; their texts are in the catalogue under ``hotspots``.
    consult : tuple of str
        Ids of the catalogue's ``consult`` sections (``what_for``, ``who``, ``results``,
        ``risks``, ``alternatives``) a player offers during this stage, e.g. behind an
        "Is MILD right for me?" button; empty when none fits.
    """

    id: str
    duration_s: float
    morph: tuple[str, str]
    removal: tuple[float, float]
    camera: tuple[CameraKey, ...]
    show_groups: tuple[str, ...]
    hide_parts: tuple[str, ...] = ()
    opacity: dict[str, float] = field(default_factory=dict)
    instruments: tuple[str, ...] = ()
    overlay: str | None = None
    compare: tuple[str, str] | None = None
    hotspots: tuple[Hotspot, ...] = ()
    consult: tuple[str, ...] = ()

    def to_json(self) -> dict:
        """Return the stage as JSON-able plain data (tuples become lists)."""
        return asdict(self)


SIDES = ("left", "right")
NUMBED_AREAS = tuple(f"numbed_area_{side}" for side in SIDES)
INCISIONS = tuple(f"incision_{side}" for side in SIDES)
BANDAGES = tuple(f"bandage_{side}" for side in SIDES)
CONSULT_SECTIONS = ("what_for", "who", "results", "risks", "alternatives")
"""Ids of the catalogue's ``consult`` sections, in reading order."""

ORIENTATION = {"head": (0.0, 0.0, 1.0), "feet": (0.0, 0.0, -1.0), "back": (0.0, 1.0, 0.0),
               "front": (0.0, -1.0, 0.0), "left": (1.0, 0.0, 0.0), "right": (-1.0, 0.0, 0.0)}
"""Unit directions (LPS+) of the patient's head, feet, back, front, left and right, for a
small calm orientation cue in patient views; the words are the catalogue's ``ui.orientation``."""

def _holding_last_view(stage: Stage) -> Stage:
    """Keep the stage's last view until its end, so the stage's end state (a deep
    link, a paused step) shows that view; the flight to the next view happens in
    the next stage."""
    last = stage.camera[-1]
    if last.t_s >= stage.duration_s:
        return stage
    return replace(stage, camera=stage.camera + (CameraKey(stage.duration_s, last.view),))


STAGES: tuple[Stage, ...] = tuple(_holding_last_view(stage) for stage in (
    Stage(
        id="healthy", duration_s=8.0, morph=("healthy", "healthy"), removal=(0.0, 0.0),
        camera=(CameraKey(0.0, "back"), CameraKey(3.5, "side"), CameraKey(7.0, "axial")),
        show_groups=ANATOMY_GROUPS,
        opacity={"bone": 0.7},
        hotspots=(Hotspot("canal", "dural_sac"), Hotspot("ligament", "ligamentum_flavum_{level}_left")),
        consult=("what_for",),
    ),
    Stage(
        id="stenosis", duration_s=9.0, morph=("healthy", "stenosis"), removal=(0.0, 0.0),
        camera=(CameraKey(0.0, "axial"), CameraKey(8.5, "axial")),
        show_groups=ANATOMY_GROUPS,
        opacity={"bone": 0.85},
        hotspots=(Hotspot("thick_ligament", "ligamentum_flavum_{level}_left"),
                  Hotspot("disc_bulge", "{level}"), Hotspot("pinched_nerves", "dural_sac")),
        consult=("what_for", "who"),
    ),
    Stage(
        id="prepare", duration_s=9.0, morph=("stenosis", "stenosis"), removal=(0.0, 0.0),
        camera=(CameraKey(3.0, "room"), CameraKey(4.0, "room"), CameraKey(6.5, "skin")),
        show_groups=ANATOMY_GROUPS + ("body",),
        hide_parts=INCISIONS + BANDAGES,
        opacity={"body": 0.55},
        instruments=("anesthetic_needle",) + NUMBED_AREAS,
        hotspots=(Hotspot("face_down", "torso"), Hotspot("pillow", "pillow"), Hotspot("numbing", "numbed_area_left")),
        consult=("who", "risks"),
    ),
    Stage(
        id="fluoroscopy", duration_s=12.0, morph=("stenosis", "stenosis"), removal=(0.0, 0.0),
        camera=(CameraKey(3.0, "room"), CameraKey(4.0, "room"), CameraKey(7.0, "oblique")),
        show_groups=ANATOMY_GROUPS + ("body",),
        hide_parts=NUMBED_AREAS + INCISIONS + BANDAGES,
        opacity={"bone": 0.6, "body": 0.3},
        instruments=("c_arm", "needle", "contrast_dye"),
        overlay="xray",
        hotspots=(Hotspot("c_arm", "c_arm"), Hotspot("dye", "dural_sac")),
        consult=("risks",),
    ),
    Stage(
        id="incision", duration_s=8.0, morph=("stenosis", "stenosis"), removal=(0.0, 0.0),
        camera=(CameraKey(1.5, "skin"), CameraKey(3.0, "skin"), CameraKey(6.5, "closeup")),
        show_groups=ANATOMY_GROUPS + ("body",),
        hide_parts=("incision_right",) + NUMBED_AREAS + BANDAGES,
        opacity={"bone": 0.6, "body": 0.25},
        instruments=("portal", "incision_left"),
        hotspots=(Hotspot("opening", "incision_left"), Hotspot("portal", "portal")),
        consult=("risks",),
    ),
    Stage(
        id="removal", duration_s=26.0, morph=("stenosis", "decompressed"), removal=(0.0, 1.0),
        camera=(CameraKey(1.0, "closeup"), CameraKey(15.0, "closeup"), CameraKey(25.0, "axial")),
        show_groups=ANATOMY_GROUPS + ("body",),
        hide_parts=NUMBED_AREAS + BANDAGES,
        opacity={"bone": 0.5, "body": 0.12},
        instruments=("portal", "bone_tool", "tissue_tool"),
        hotspots=(Hotspot("bites", "ligamentum_flavum_{level}_left"),
                  Hotspot("sac_expands", "dural_sac")),
        consult=("results",),
    ),
    Stage(
        id="decompressed", duration_s=9.0, morph=("decompressed", "decompressed"), removal=(1.0, 1.0),
        camera=(CameraKey(0.0, "axial"), CameraKey(8.5, "axial")),
        show_groups=ANATOMY_GROUPS,
        opacity={"bone": 0.85},
        compare=("stenosis", "decompressed"),
        hotspots=(Hotspot("room_again", "dural_sac"), Hotspot("kept", "{vertebra}")),
        consult=("results", "alternatives"),
    ),
    Stage(
        id="recovery", duration_s=8.0, morph=("decompressed", "decompressed"), removal=(1.0, 1.0),
        camera=(CameraKey(2.0, "skin"), CameraKey(4.0, "skin"), CameraKey(7.0, "room")),
        show_groups=ANATOMY_GROUPS + ("body",),
        hide_parts=INCISIONS + NUMBED_AREAS,
        opacity={"body": 1.0},
        hotspots=(Hotspot("bandage", "bandage_left"), Hotspot("home", "torso")),
        consult=CONSULT_SECTIONS,
    ),
))
"""The story in timeline order (≈1.5 min in total)."""


def stage_ids() -> tuple[str, ...]:
    """Return the stage ids in timeline order."""
    return tuple(stage.id for stage in STAGES)


def get_stage(stage_id: str) -> Stage:
    """Return the stage called ``stage_id``; an unknown id raises :class:`UserError`."""
    for stage in STAGES:
        if stage.id == stage_id:
            return stage
    raise UserError(f"Unknown stage {stage_id!r}; choose one of: {', '.join(stage_ids())}.")


def stage_metrics(stage_id: str) -> dict:
    """Return the canal metrics of the anatomy as it is at the end of a stage.

    Parameters
    ----------
    stage_id : str
        One of :func:`stage_ids`.

    Returns
    -------
    dict
        ``{"levels": {"L4-L5": {"dural_sac_csa_mm2", "canal_ap_mm", "lf_thickness_mm", ...}}}``
        of the standard anatomy, from :func:`viz.models.metrics.compute_metrics`.
    """
    stage = get_stage(stage_id)
    from viz.models.cache import load_anatomy
    from viz.models.metrics import compute_metrics

    anatomy = load_anatomy()
    state = stage.morph[1]
    positions = {name: part.positions_mm[state] for name, part in anatomy.parts.items()}
    return compute_metrics(anatomy, positions, stage.removal[1])
