"""Output paths and input names shared by every exporter.

Every exporter (PNG, movie, glTF, meshes, QR and the standalone HTML) checks its
output the same way before doing any work, and writes through
:func:`atomic_file` or :func:`atomic_folder`: the result is built under a
temporary name in the destination folder and renamed into place only once it is
complete, so an error or Ctrl-C never leaves a half-written file behind.

The checks also cover the names a user types (stage, view, language, voice,
mesh format) and raise :class:`viz.errors.UserError` with one plain sentence.
Geometry is not touched here; for the record, every exported file is in
millimetres in the LPS+ frame (+x patient's left, +y posterior, +z superior).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterator

from viz.errors import UserError

MESH_FORMATS = ("stl", "ply", "obj", "glb")
"""Formats of ``python -m viz export``."""


def _one_of(kind: str, value: str, allowed: tuple[str, ...] | list[str]) -> str:
    if value not in allowed:
        raise UserError(f"Unknown {kind} {value!r}: choose one of {', '.join(allowed)}.")
    return value


def validate_stage(stage: str) -> str:
    """Return ``stage`` if it is one of the story's stage ids, else raise UserError."""
    from viz.scenes.story import get_stage

    return get_stage(stage).id


def validate_view(view: str) -> str:
    """Return ``view`` if it is a named camera view, else raise UserError."""
    from viz.scenes.cameras import check_view

    return check_view(view)


def validate_lang(lang: str) -> str:
    """Return ``lang`` if captions exist in that language, else raise UserError."""
    from viz.scenes.text import LANGUAGES

    return _one_of("language", lang, LANGUAGES)


def validate_mode(mode: str) -> str:
    """Return ``mode`` if it is a caption voice, else raise UserError."""
    from viz.scenes.text import MODES

    return _one_of("mode", mode, MODES)


def validate_format(fmt: str) -> str:
    """Return ``fmt`` (lower case) if it is a mesh export format, else raise UserError."""
    return _one_of("format", fmt.lower(), MESH_FORMATS)


def _check_parent(path: Path) -> None:
    parent = path.parent
    if not parent.exists():
        raise UserError(f"The folder {str(parent)!r} does not exist.")
    if not parent.is_dir():
        raise UserError(f"{str(parent)!r} is not a folder.")
    try:
        probe_fd, probe = tempfile.mkstemp(prefix=".probe-", dir=parent)
    except OSError:
        raise UserError(f"Cannot write to the folder {str(parent)!r}.") from None
    os.close(probe_fd)
    os.unlink(probe)


def output_file(out: str | os.PathLike, suffixes: tuple[str, ...], force: bool) -> Path:
    """Check an output file path before any work is done.

    Parameters
    ----------
    out : str or path-like
        The file to write.
    suffixes : tuple of str
        Accepted suffixes, lower case with the dot, e.g. ``(".png",)``.
    force : bool
        Whether an existing file may be replaced.

    Returns
    -------
    pathlib.Path
        The absolute output path.

    Raises
    ------
    UserError
        Unknown suffix, output is a folder, file exists without ``force``, parent
        folder missing or not writable.
    """
    path = Path(out).expanduser().absolute()
    if path.suffix.lower() not in suffixes:
        raise UserError(f"The output {path.name!r} must end with {' or '.join(suffixes)}.")
    if path.is_dir():
        raise UserError(f"The output {str(path)!r} is a folder, not a file.")
    if path.exists() and not force:
        raise UserError(f"The file {str(path)!r} already exists: add --force to replace it.")
    _check_parent(path)
    return path


def output_folder(out: str | os.PathLike, force: bool) -> Path:
    """Check an output folder path (for mesh export) before any work is done.

    A missing folder is fine (it is created); an existing, non-empty folder needs
    ``force``; an existing file is refused.

    Parameters
    ----------
    out : str or path-like
        The folder to write.
    force : bool
        Whether an existing, non-empty folder may be replaced.

    Returns
    -------
    pathlib.Path
        The absolute output folder.
    """
    path = Path(out).expanduser().absolute()
    if path.exists() and not path.is_dir():
        raise UserError(f"The output {str(path)!r} is a file, not a folder.")
    if path.is_dir() and any(path.iterdir()) and not force:
        raise UserError(f"The folder {str(path)!r} is not empty: add --force to replace it.")
    _check_parent(path)
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    The temporary file keeps the suffix of ``path`` (so writers that choose a
    format from the suffix work). On any exception, including KeyboardInterrupt,
    the temporary file is removed and ``path`` is left untouched.
    """
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=path.suffix, dir=path.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        yield temp
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    finally:
        temp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Yield a temporary folder next to ``path``; move it to ``path`` on success.

    An existing folder at ``path`` (allowed by :func:`output_folder` with
    ``force``) is replaced only after the new one is complete. On any exception
    the temporary folder is removed.
    """
    temp = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    old = path.parent / f"{temp.name}-old"
    try:
        yield temp
        os.chmod(temp, 0o777 & ~_umask())
        if path.exists():
            os.replace(path, old)
        os.replace(temp, path)
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
