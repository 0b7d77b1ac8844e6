"""Canal metrics measured on the meshes, per disc level.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior). Every metric is taken in the level's mid-disc
plane (:class:`viz.models.levels.Level`: through the canal centreline,
perpendicular to the mean body axis), the axial MRI slice a radiologist
would read.

- ``dural_sac_csa_mm2``: area of the dural sac's section [1]_ [2]_.
- ``canal_ap_mm``: free midline depth of the canal, from the back of the disc
  (or body) to the front of the ligamentum flavum (or lamina), the mean of
  two paramedian lines 1.5 mm either side of the midline (Verbiest: < 10 mm
  absolute, 10-12 mm relative stenosis).
- ``lf_thickness_mm``: largest thickness of each ligamentum flavum measured
  perpendicular to it (along its axial-plane normal), counting all ligament
  tissue on the line [3]_. Once MILD has removed tissue from a side, the
  residual thickness where it was removed: the largest thickness left on the
  lines that cross the floor of the removal (where at least
  ``REMOVAL_FLOOR_SHARE`` of the deepest removal was cut away).
- ``schizas_grade``: from what the section shows [4]_, as a picture of it would:
  whether the rootlets can be told apart (at least ``APART_SHARE`` of the
  rootlets cut lie clear of every other one), the share of the sac's section
  they cover (``rootlet_fraction``, their union) and the posterior epidural fat
  left behind the sac. Rootlets apart: A below ``ROOTLET_FRACTION_A`` (they
  float in clear fluid), else B (they fill the sac but can be told apart).
  Rootlets pressed together covering at least ``ROOTLET_FRACTION_FILLED`` of the
  sac (no fluid seen between them): C when posterior fat remains (at least
  ``FAT_AREA_MM2``), D when not; pressed together with fluid still around them: B.

References
----------
.. [1] Dural sac CSA at L4-L5: controls 151.7 mm2, LSS 80.0 mm2 (Medicine 2017, PMC5728944).
.. [2] Schonstrom N et al. Spine 1985;10(9):806-811. https://doi.org/10.1097/00007632-198511000-00005
.. [3] Khasawneh RR et al. Folia Morphol 2023;82(1):72-79. https://doi.org/10.5603/FM.a2021.0136
.. [4] Schizas C et al. Spine 2010;35(21):1919-1924. https://doi.org/10.1097/BRS.0b013e3181d359bd
"""

from __future__ import annotations

import numpy as np

from viz.models import ligament
from viz.models.anatomy import STATES, Anatomy
from viz.models.geometry import oriented_section, ray_hits_2d, section_area_mm2, section_loops

ROOTLET_FRACTION_A = 0.33
"""Below this rootlet share of the sac section, rootlets apart float in clear fluid (grade A)."""

ROOTLET_FRACTION_FILLED = 0.7
"""Rootlets pressed together covering at least this share of the sac leave no fluid
to be seen between them: grade C or D."""

APART_SHARE = 0.75
"""Rootlets can be told apart when at least this share of those cut lie clear of the others."""

RASTER_MM = 0.05
"""Pixel size of the section raster on which rootlets are told apart, mm."""

FAT_AREA_MM2 = 2.0
"""Posterior epidural fat section needed to call grade C rather than D."""

PARAMEDIAN_MM = 1.5
"""Offset of the two AP measuring lines from the midline."""

THICKNESS_RAYS = 60
"""Lines per side used to find the ligament's maximal thickness."""

REMOVAL_FLOOR_SHARE = 0.75
"""Lines on which at least this share of the deepest removed length was cut away
measure the residual ligament thickness after MILD."""


def _section(anatomy, positions, name, level, progress, removed=False):
    """Section of part ``name`` in the level's mid-disc plane: LPS segments and their
    level-frame ``(k, 2, 2)`` copy; of its bites gone at ``progress`` when ``removed``."""
    part = anatomy.parts[name]
    faces = part.removed_faces(progress) if removed else part.kept_faces(progress)
    seg = oriented_section(np.asarray(positions[name], float), faces, level.origin_mm, level.frame[2])
    if len(seg) == 0:
        return seg, np.zeros((0, 2, 2))
    flat = level.local(seg.reshape(-1, 3))[:, :2].reshape(-1, 2, 2)
    return seg, flat


def _inside_lengths(hits: list[np.ndarray]) -> np.ndarray:
    """Total length inside material along each ray that starts outside it."""
    out = []
    for h in hits:
        pairs = h[: len(h) // 2 * 2].reshape(-1, 2)
        out.append(float(np.sum(pairs[:, 1] - pairs[:, 0])) if len(pairs) else 0.0)
    return np.array(out)


def rootlet_section(segments_2d: np.ndarray) -> tuple[float, bool]:
    """Area the rootlets cover in a section (their union, mm2) and whether they can be told apart.

    Each rootlet's outline (:func:`viz.models.geometry.section_loops`) is filled on a
    ``RASTER_MM`` grid; rootlets that overlap or touch fall into one connected region.
    They can be told apart when at least ``APART_SHARE`` of them lie alone in their region.

    Parameters
    ----------
    segments_2d : (k, 2, 2) float
        Oriented section segments of the cauda equina in a level's plane, mm.
    """
    from scipy import ndimage
    from skimage.draw import polygon

    loops = [loop for loop in section_loops(segments_2d) if len(loop) >= 3]
    if not loops:
        return 0.0, True
    low = np.min([loop.min(axis=0) for loop in loops], axis=0) - 2 * RASTER_MM
    high = np.max([loop.max(axis=0) for loop in loops], axis=0) + 2 * RASTER_MM
    shape = tuple(np.ceil((high - low) / RASTER_MM).astype(int) + 1)
    covered = np.zeros(shape, bool)
    pixels = [polygon(*((loop - low) / RASTER_MM).T, shape=shape) for loop in loops]
    for rows, cols in pixels:
        covered[rows, cols] = True
    regions, _ = ndimage.label(covered)
    owners: dict[int, set[int]] = {}
    for index, (rows, cols) in enumerate(pixels):
        for region in np.unique(regions[rows, cols]):
            owners.setdefault(int(region), set()).add(index)
    alone = sum(1 for index, (rows, cols) in enumerate(pixels)
                if len(rows) and all(owners[int(region)] == {index} for region in np.unique(regions[rows, cols])))
    return float(covered.sum() * RASTER_MM ** 2), alone >= APART_SHARE * len(loops)


def _ligament_thickness_mm(anatomy, positions, level, progress, side) -> float:
    """Largest ligament thickness on the measuring lines of one side; after removal,
    on the lines crossing the floor of the removed tissue only (module docstring)."""
    name = f"ligamentum_flavum_{level.name}_{side}"
    sign = 1.0 if side == "left" else -1.0
    points, normals = ligament.curve_frame(level, np.linspace(0.0, 1.0, THICKNESS_RAYS))
    sections = [_section(anatomy, positions, name, level, progress, removed)[1] for removed in (False, True)]
    tissue, removed = ([float(_inside_lengths(ray_hits_2d(flat, point - 20.0 * normal, normal[None]))[0])
                        if len(flat) else 0.0
                        for point, normal in zip(points * [sign, 1.0], normals * [sign, 1.0])]
                       for flat in sections)
    tissue, removed = np.array(tissue), np.array(removed)
    if removed.max() <= 0.0:
        return float(tissue.max())
    return float(tissue[removed >= REMOVAL_FLOOR_SHARE * removed.max()].max())


def _level_metrics(anatomy, positions, level, progress):
    sac, _ = _section(anatomy, positions, "dural_sac", level, progress)
    csa = section_area_mm2(sac, level.frame[2])
    walls_front, walls_back = [], []
    for name in (level.name, level.upper, level.lower):
        walls_front.append(_section(anatomy, positions, name, level, progress)[1])
    for side in ("left", "right"):
        walls_back.append(_section(anatomy, positions, f"ligamentum_flavum_{level.name}_{side}", level, progress)[1])
    walls_back += [_section(anatomy, positions, n, level, progress)[1] for n in (level.upper, level.lower)]
    front = np.concatenate(walls_front)
    back = np.concatenate(walls_back)
    depths = []
    for x in (-PARAMEDIAN_MM, PARAMEDIAN_MM):
        start = np.array([x, 0.0])
        ahead = ray_hits_2d(back, start, np.array([[0.0, 1.0]]))[0]
        behind = ray_hits_2d(front, start, np.array([[0.0, -1.0]]))[0]
        depths.append((ahead[0] if len(ahead) else np.nan) + (behind[0] if len(behind) else np.nan))
    thickness = {side: round(_ligament_thickness_mm(anatomy, positions, level, progress, side), 2)
                 for side in ("left", "right")}
    covered_mm2, apart = rootlet_section(_section(anatomy, positions, "cauda_equina", level, progress)[1])
    fat, _ = _section(anatomy, positions, f"epidural_fat_{level.name}", level, progress)
    share = covered_mm2 / csa if csa > 0 else 1.0
    fat_area = section_area_mm2(fat, level.frame[2])
    if apart:
        grade = "A" if share < ROOTLET_FRACTION_A else "B"
    elif share >= ROOTLET_FRACTION_FILLED:
        grade = "C" if fat_area >= FAT_AREA_MM2 else "D"
    else:
        grade = "B"
    return {
        "dural_sac_csa_mm2": round(csa, 1),
        "canal_ap_mm": round(float(np.mean(depths)), 2),
        "lf_thickness_mm": thickness,
        "schizas_grade": grade,
        "rootlet_fraction": round(float(share), 3),
        "posterior_fat_mm2": round(float(fat_area), 1),
    }


def compute_metrics(anatomy: Anatomy, positions: dict[str, np.ndarray], removal_progress: float) -> dict:
    """Metrics per level for given part positions and removal progress.

    Parameters
    ----------
    anatomy : Anatomy
    positions : dict
        Part name -> ``(n, 3)`` positions (e.g. interpolated between states).
    removal_progress : float
        Bites with ``t <= removal_progress`` are gone.

    Returns
    -------
    dict
        ``{"levels": {"L4-L5": {"dural_sac_csa_mm2", "canal_ap_mm",
        "lf_thickness_mm": {"left", "right"}, "schizas_grade", "rootlet_fraction",
        "posterior_fat_mm2"}, ...}}``
    """
    return {"levels": {name: _level_metrics(anatomy, positions, level, removal_progress)
                       for name, level in anatomy.levels.items()}}


def anatomy_state_metrics(anatomy: Anatomy, state: str) -> dict:
    """:func:`compute_metrics` for one of :data:`STATES` (decompressed: every bite gone)."""
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    positions = {name: part.positions_mm[state] for name, part in anatomy.parts.items()}
    return compute_metrics(anatomy, positions, 1.0 if state == "decompressed" else -1.0)
