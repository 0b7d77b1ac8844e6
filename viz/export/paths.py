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
import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Iterator

from viz.errors import UserError
from viz.web.params import shown

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


TEMP_STEM_CHARS = 32
"""Characters of the output's name kept in its temporary name, so the temporary
name stays within the file system's 255-byte limit whatever the output is called."""


def _temp_prefix(path: Path) -> str:
    """Prefix of the temporary file or folder written next to ``path``."""
    return f".{path.stem[:TEMP_STEM_CHARS]}-"


def _reason(path: Path, error: OSError | ValueError) -> str:
    """One plain sentence for an OS refusal to look at ``path``."""
    code = getattr(error, "errno", None)
    if code == errno.ENAMETOOLONG:
        return f"The path {shown(str(path))!r} is too long for the file system."
    if code == errno.ELOOP:
        return f"The path {str(path)!r} goes round a loop of symbolic links."
    if code in (errno.EACCES, errno.EPERM):
        return f"Permission denied for {str(path)!r}."
    if isinstance(error, ValueError):
        return f"The path {shown(str(path))!r} contains a character no file name can hold."
    return f"Cannot use {str(path)!r}: {error.strerror or 'the system refused it'}."


def _user_path(text: str | os.PathLike) -> Path:
    """``text`` as an absolute path with ``~`` and ``~user`` expanded, else UserError."""
    try:
        return Path(text).expanduser().absolute()
    except RuntimeError:
        typed = os.fspath(text)
        user = typed.split(os.sep, 1)[0]
        raise UserError(f"Cannot find the home folder of {shown(user)!r} in {shown(typed)!r}.") from None
    except OSError as error:
        raise UserError(_reason(Path(text), error)) from None


def _stat(path: Path) -> os.stat_result | None:
    """``path.stat()`` following links; None when nothing is there; UserError when the OS refuses."""
    try:
        return path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, ValueError) as error:
        raise UserError(_reason(path, error)) from None


def _check_parent(path: Path, suffix: str) -> None:
    """Refuse a missing or unwritable parent folder.

    Writes and removes a probe named like the temporary file (``suffix`` as
    :func:`atomic_file` or :func:`atomic_folder` will use), so a name the file
    system cannot hold is refused here too.
    """
    parent = path.parent
    found = _stat(parent)
    if found is None:
        raise UserError(f"The folder {str(parent)!r} does not exist.")
    if not stat.S_ISDIR(found.st_mode):
        raise UserError(f"{str(parent)!r} is not a folder.")
    try:
        probe_fd, probe = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=suffix, dir=parent)
    except OSError as error:
        if error.errno == errno.ENAMETOOLONG:
            raise UserError(_reason(path, error)) from None
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
        folder missing or not writable, unknown ``~user``, a name or path too long,
        a loop of symbolic links, permission denied.
    """
    path = _user_path(out)
    if path.suffix.lower() not in suffixes:
        raise UserError(f"The output {shown(path.name)!r} must end with {' or '.join(suffixes)}.")
    found = _stat(path)
    if found is not None and stat.S_ISDIR(found.st_mode):
        raise UserError(f"The output {str(path)!r} is a folder, not a file.")
    if found is not None and not force:
        raise UserError(f"The file {str(path)!r} already exists: add --force to replace it.")
    _check_parent(path, path.suffix)
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

    Raises
    ------
    UserError
        As :func:`output_file`, and a folder that cannot be listed.
    """
    path = _user_path(out)
    found = _stat(path)
    if found is not None and not stat.S_ISDIR(found.st_mode):
        raise UserError(f"The output {str(path)!r} is a file, not a folder.")
    if found is not None and not force:
        try:
            empty = next(os.scandir(path), None) is None
        except OSError as error:
            raise UserError(_reason(path, error)) from None
        if not empty:
            raise UserError(f"The folder {str(path)!r} is not empty: add --force to replace it.")
    _check_parent(path, "")
    return path


def input_path(text: str | os.PathLike, kind: str) -> Path:
    """Check a file or folder the user gives as input before any work is done.

    Parameters
    ----------
    text : str or path-like
        The path as typed; ``~`` and ``~user`` are expanded.
    kind : str
        What it is, for the message, e.g. ``"scan"``.

    Returns
    -------
    pathlib.Path
        The absolute path of an existing file or folder.

    Raises
    ------
    UserError
        Missing, unknown ``~user``, too long, a loop of symbolic links, permission denied.
    """
    path = _user_path(text)
    found = _stat(path)
    if found is None:
        raise UserError(f"The {kind} {shown(str(path))!r} does not exist.")
    if not os.access(path, os.R_OK | (os.X_OK if stat.S_ISDIR(found.st_mode) else 0)):
        raise UserError(f"Permission denied for {str(path)!r}.")
    return path


WRITE_FAILURES = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "your disk quota is used up",
    errno.EROFS: "the disk is read-only",
    errno.EFBIG: "the file is too large for this disk",
    errno.EIO: "the disk reported a read/write error",
}
"""Plain reasons for the OS errors that stop a write half-way."""

NEARLY_FULL_BYTES = 1 << 20
"""Free space below which a writer that stopped without saying why (e.g. the
video encoder, whose own error is not passed on) is taken to have filled the disk."""


def _write_failure(path: Path, error: OSError) -> UserError:
    """One plain sentence for an export that could not be finished."""
    reason = WRITE_FAILURES.get(error.errno)
    if reason is None:
        try:
            full = shutil.disk_usage(path.parent).free < NEARLY_FULL_BYTES
        except OSError:
            full = False
        if full:
            reason = WRITE_FAILURES[errno.ENOSPC]
        elif error.errno == errno.EPIPE:
            reason = "the video encoder stopped early"
        else:
            reason = (error.strerror or "the system refused it").lower()
    return UserError(f"Could not finish writing {str(path)!r}: {reason}. Nothing was saved.")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it onto ``path`` on success.

    The temporary file keeps the suffix of ``path`` (so writers that choose a
    format from the suffix work). On any exception, including KeyboardInterrupt,
    the temporary file is removed and ``path`` is left untouched; an OS error
    (a full disk, a read-only one) becomes a :class:`UserError` saying why.
    """
    fd, temp_name = tempfile.mkstemp(prefix=_temp_prefix(path), suffix=path.suffix, dir=path.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        yield temp
        os.chmod(temp, 0o666 & ~_umask())
        os.replace(temp, path)
    except OSError as error:
        raise _write_failure(path, error) from None
    finally:
        temp.unlink(missing_ok=True)


@contextlib.contextmanager
def atomic_folder(path: Path) -> Iterator[Path]:
    """Yield a temporary folder next to ``path``; move it to ``path`` on success.

    An existing folder at ``path`` (allowed by :func:`output_folder` with
    ``force``) is replaced only after the new one is complete. On any exception
    the temporary folder is removed; OS errors become a :class:`UserError` as in
    :func:`atomic_file`.
    """
    temp = Path(tempfile.mkdtemp(prefix=_temp_prefix(path), dir=path.parent))
    old = path.parent / f"{temp.name}-old"
    try:
        yield temp
        os.chmod(temp, 0o777 & ~_umask())
        if path.exists():
            os.replace(path, old)
        os.replace(temp, path)
    except OSError as error:
        raise _write_failure(path, error) from None
    finally:
        shutil.rmtree(temp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
