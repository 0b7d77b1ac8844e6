"""The whole lumbar anatomy in three states, as parts with shared vertex order.

Frame and units: millimetres; LPS+ (+x toward the patient's left, +y
posterior, +z superior).

:func:`build_anatomy` is pure and deterministic: L1-sacrum bones, discs,
dural sac, cauda equina, nerve roots, ligamenta flava and posterior epidural
fat, each as a :class:`Part` whose vertex count and order are the same in
``healthy``, ``stenosis`` and ``decompressed``. Tissue removed by MILD is
kept as separate closed shells (:class:`Bite`) at the end of its part's
vertex array, so a player can hide them one by one. The contract is
``docs/CONTRACTS.md`` section 1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dataclasses import dataclass, field

import numpy as np

from viz.models.constants import LEVEL_NAMES
from viz.models.levels import Level

if TYPE_CHECKING:
    import trimesh

STATES = ("healthy", "stenosis", "decompressed")
"""Anatomy states, in story order."""

LEVELS = LEVEL_NAMES
"""Disc levels, cranial to caudal."""

GROUPS = ("bone", "disc", "ligament", "dural_sac", "nerve", "fat")
"""Part groups (colour and visibility classes)."""


@dataclass(frozen=True)
class Bite:
    """One piece of tissue removed by MILD.

    Attributes
    ----------
    order : int
        0.. in removal order (lateral to medial, left side first, then right).
    side : str
        ``"left"`` or ``"right"``.
    tissue : str
        ``"ligament"`` or ``"bone"``.
    start, stop : int
        Vertex range ``[start, stop)`` of this bite's closed shell in its part.
    t : float
        Removal progress (0..1) at which this bite is gone.
    centre_mm : tuple of float
        Centroid of the bite, LPS mm.
    volume_mm3 : float
    """

    order: int
    side: str
    tissue: str
    start: int
    stop: int
    t: float
    centre_mm: tuple[float, float, float]
    volume_mm3: float


@dataclass(frozen=True)
class Part:
    """One anatomical structure in every state.

    Attributes
    ----------
    name : str
        ``"L4"``, ``"L4-L5"`` (disc), ``"ligamentum_flavum_L4-L5_left"``, ``"dural_sac"``...
    group : str
        One of :data:`GROUPS`.
    faces : (m, 3) int32
        Outward winding.
    positions_mm : dict
        State -> ``(n, 3)`` float32, same ``n`` and order for every state.
    bites : tuple of Bite
    """

    name: str
    group: str
    faces: np.ndarray
    positions_mm: dict[str, np.ndarray]
    bites: tuple[Bite, ...] = ()

    def _gone(self, removal_progress: float) -> np.ndarray:
        """Per face: whether it belongs to a bite with ``t <= removal_progress``."""
        first = self.faces[:, 0]
        gone = np.zeros(len(self.faces), bool)
        for bite in self.bites:
            if bite.t <= removal_progress:
                gone |= (first >= bite.start) & (first < bite.stop)
        return gone

    def kept_faces(self, removal_progress: float) -> np.ndarray:
        """Faces still present once bites with ``t <= removal_progress`` are gone."""
        if not any(b.t <= removal_progress for b in self.bites):
            return self.faces
        return self.faces[~self._gone(removal_progress)]

    def removed_faces(self, removal_progress: float) -> np.ndarray:
        """Faces of the bites gone at ``removal_progress`` (closed shells; none before any removal)."""
        return self.faces[self._gone(removal_progress)]

    def mesh(self, state: str) -> trimesh.Trimesh:
        """The part in ``state`` as a watertight mesh; ``"decompressed"`` drops every bite."""
        import trimesh
        faces = self.kept_faces(1.0 if state == "decompressed" else -1.0)
        mesh = trimesh.Trimesh(np.asarray(self.positions_mm[state], float), faces, process=False)
        mesh.remove_unreferenced_vertices()
        return mesh


@dataclass(frozen=True)
class Anatomy:
    """All parts (insertion order = drawing order) at one level of detail.

    Attributes
    ----------
    parts : dict
        Name -> :class:`Part`.
    lod : str
        ``"web"`` (whole scene <= 150k triangles) or ``"high"``.
    levels : dict
        Level name -> :class:`viz.models.levels.Level` (mid-disc frames for metrics).
    """

    parts: dict[str, Part]
    lod: str
    levels: dict[str, Level] = field(default_factory=dict)

    def meshes(self, state: str) -> dict[str, trimesh.Trimesh]:
        """Every part's mesh in ``state``."""
        return {name: part.mesh(state) for name, part in self.parts.items()}

    def triangle_count(self) -> int:
        """Triangles in the whole scene (all shells)."""
        return int(sum(len(p.faces) for p in self.parts.values()))


def build_anatomy(lod: str = "web", severity: dict[str, float] | None = None) -> Anatomy:
    """Build every part in every state (pure, deterministic).

    Parameters
    ----------
    lod : {"web", "high"}, default: "web"
    severity : dict, default: ``{"L4-L5": 1.0}``
        Stenosis severity 0..1 per level; levels not listed are healthy.

    Returns
    -------
    Anatomy
    """
    from viz.models.assemble import assemble

    if lod not in ("web", "high"):
        raise ValueError(f"unknown level of detail {lod!r}")
    severity = {"L4-L5": 1.0} if severity is None else dict(severity)
    unknown = set(severity) - set(LEVELS)
    if unknown:
        raise ValueError(f"unknown levels {sorted(unknown)}")
    return assemble(lod, {name: float(np.clip(severity.get(name, 0.0), 0.0, 1.0)) for name in LEVELS})
