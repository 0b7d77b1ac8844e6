"""Build (or check) the committed assets: the one orchestration step above the rooms it calls.

``python -m viz build-assets`` is the only writer of ``assets/meshes/``: the model
caches and their manifest (:mod:`viz.models.cache`), then the scene bundle built from
them (:mod:`viz.scenes.bundle`). Running the app, the CLI or the tests
never writes into the repository; when the code is newer than a committed file they
use the runtime cache (``build/cache/``) instead.
"""

from __future__ import annotations

import hashlib
from typing import Iterator

from viz.errors import UserError
from viz.models import cache as model_cache
from viz.scenes import bundle as scene_bundle


def _check_models() -> Iterator[tuple[str, bool]]:
    for lod in model_cache.LODS:
        yield model_cache.cache_path(lod).name, model_cache.is_current(lod)


def build_assets(check: bool = False) -> Iterator[str]:
    """Regenerate the committed assets, or with ``check`` compare them; yield one line per file.

    Parameters
    ----------
    check : bool, default: False
        Write nothing: report each committed file as current or stale and raise
        :class:`UserError` naming the stale ones. Byte equality of a fresh build holds
        under the locked library versions (``requirements.lock``).
    """
    stale = []
    if check:
        for name, current in _check_models():
            yield f"{'current' if current else 'stale'}: assets/meshes/{name}"
            if not current:
                stale.append(name)
    else:
        yield from model_cache.write_committed()
    anatomy = model_cache.load_anatomy()
    for name, content in scene_bundle.bundle_files(anatomy).items():
        path = scene_bundle.ASSET_DIR / name
        if not check:
            model_cache.write_atomic(path, content)
            yield f"wrote assets/meshes/{name} ({len(content)} bytes)"
            continue
        committed = path.read_bytes() if path.exists() else b""
        if hashlib.sha256(committed).digest() == hashlib.sha256(content).digest():
            yield f"current: assets/meshes/{name} ({len(content)} bytes)"
        else:
            stale.append(name)
            yield f"stale: assets/meshes/{name}"
    if stale:
        raise UserError(f"Generated assets are out of date ({', '.join(stale)}); run {model_cache.BUILD_COMMAND}.")
    scene_bundle.load_bundle.cache_clear()
