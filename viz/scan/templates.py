"""Template anatomies narrowed at each level, for a patient whose narrowest level is not L4–L5.

The committed model cache (``assets/meshes/anatomy-web.npz``,
:func:`viz.models.cache.load_anatomy`) narrows L4–L5, the most common level
(ANATOMY.md). A template narrowed elsewhere costs a full model build
(:func:`viz.models.anatomy.build_anatomy`: measured 5–135 s wall on this shared
2-core machine, depending on the model code and the load), up to more than the
whole import budget (≤ 60 s, ``benchmarks/bench_import.py``). So each one is
built once and kept in a git-ignored runtime cache, ``build/templates/`` at the
repository root (``VIZ_TEMPLATE_CACHE`` overrides the folder), one deterministic
``.npz`` per level named with the model code version
(:func:`viz.models.cache.code_version`): a change to the model code makes new
files and the old ones are removed. ``python -m viz build-assets`` fills the cache
(:func:`warm_templates`); otherwise the first import at a level fills it. The files
hold only the typical template spine, never anything from a patient's scan.
Frame: LPS+ millimetres (+x patient's left, +y posterior, +z superior).

References
----------
``../shared/ANATOMY.md``: most stenosis is at L4–L5, then L3–L4 (Abbas et al., Spine 2010).
"""

from __future__ import annotations

import functools
import os
import threading
import zipfile
from pathlib import Path
from typing import Iterator

from viz.models.anatomy import Anatomy, build_anatomy
from viz.models.cache import anatomy_from_file, anatomy_to_bytes, code_version, load_anatomy, write_atomic
from viz.scan.labels import DISCS

TEMPLATE_STENOSIS_LEVEL = "L4-L5"
"""Level the committed template narrows (``build_anatomy``'s default; the most common, ANATOMY.md)."""

DEFAULT_CACHE_DIR = Path(__file__).resolve().parents[2] / "build" / "templates"
"""Runtime cache of the other levels' templates (``/build/`` is git-ignored)."""

_BUILDING = threading.Lock()


def cache_dir() -> Path:
    """The runtime cache folder: ``VIZ_TEMPLATE_CACHE`` or :data:`DEFAULT_CACHE_DIR`."""
    return Path(os.environ.get("VIZ_TEMPLATE_CACHE") or DEFAULT_CACHE_DIR)


def template_path(level: str) -> Path:
    """Cache file of the web-detail template narrowed at ``level``, for the current model code."""
    return cache_dir() / f"anatomy-web-{level}-{code_version()}.npz"


def _write(level: str, anatomy: Anatomy) -> None:
    """Write atomically and drop this level's files of other code versions; a read-only folder is fine."""
    path = template_path(level)
    try:
        write_atomic(path, anatomy_to_bytes(anatomy))
        for old in path.parent.glob(f"anatomy-web-{level}-*.npz"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError:
        return


def _read(level: str) -> Anatomy | None:
    try:
        return anatomy_from_file(template_path(level))
    except (OSError, ValueError, KeyError, zipfile.BadZipFile):
        return None


@functools.lru_cache(maxsize=len(DISCS))
def template_anatomy(level: str = TEMPLATE_STENOSIS_LEVEL) -> Anatomy:
    """The web-detail template anatomy whose stenosis (and MILD bites) is at ``level``.

    Parameters
    ----------
    level : str, default: "L4-L5"
        One of ``viz.models.anatomy.LEVELS``.

    Returns
    -------
    Anatomy
        L4–L5: the committed cache. Other levels: the runtime cache, built and
        written there first if missing (kept per process as well).
    """
    if level == TEMPLATE_STENOSIS_LEVEL:
        return load_anatomy()
    with _BUILDING:
        anatomy = _read(level)
        if anatomy is None:
            anatomy = build_anatomy(lod="web", severity={level: 1.0})
            _write(level, anatomy)
    return anatomy


def warm_templates(levels: tuple[str, ...] = DISCS) -> Iterator[str]:
    """Make sure the runtime cache holds every level's template; yield one line per level."""
    for level in levels:
        if level == TEMPLATE_STENOSIS_LEVEL:
            continue
        state = "current" if template_path(level).exists() else "built"
        template_anatomy(level)
        yield f"{state}: {template_path(level)} (runtime cache, not committed)"
