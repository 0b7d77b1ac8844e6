"""Read a zip or tar archive of a mesh folder into memory, refusing unsafe members.

Nothing is extracted to disk: members are read into a dict of bytes. Even so,
an archive whose member names could escape a folder (absolute paths, ``..``,
drive letters), that holds links or device files, or whose unpacked size exceeds
the upload limit is refused as a whole, because such an archive is not a scan
export and may be an attack on other tools.
"""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import PurePosixPath, PureWindowsPath

from viz.errors import UserError

MAX_MEMBERS = 1000
"""Most files accepted in one archive (a full export has fewer than 40)."""

ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz")

_UNSAFE = "The archive contains a file path that points outside its folder, so it was not opened."


def is_archive(payload: bytes) -> bool:
    """Tell whether bytes are a zip or tar archive (plain or compressed)."""
    if zipfile.is_zipfile(io.BytesIO(payload)):
        return True
    try:
        with tarfile.open(fileobj=io.BytesIO(payload), mode="r:*"):
            return True
    except (tarfile.TarError, EOFError, OSError):
        return False


def _check_name(name: str) -> None:
    posix, windows = PurePosixPath(name.replace("\\", "/")), PureWindowsPath(name)
    if posix.is_absolute() or windows.drive or windows.root or ".." in posix.parts or "\x00" in name:
        raise UserError(_UNSAFE)


def _check_totals(count: int, total_bytes: int, max_bytes: int) -> None:
    if count > MAX_MEMBERS:
        raise UserError(f"The archive holds more than {MAX_MEMBERS} files; a scan export has far fewer.")
    if total_bytes > max_bytes:
        raise UserError(f"The archive unpacks to more than {max_bytes // 2**20} MB, the upload limit.")


def _zip_members(payload: bytes, max_bytes: int) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(payload)) as archive:
        infos = archive.infolist()
        for info in infos:
            _check_name(info.filename)
            if (info.external_attr >> 16) & 0o170000 == 0o120000:
                raise UserError("The archive contains a link to another file, so it was not opened.")
        files = [info for info in infos if not info.is_dir()]
        _check_totals(len(files), sum(info.file_size for info in files), max_bytes)
        return {info.filename: archive.read(info) for info in files}


def _tar_members(payload: bytes, max_bytes: int) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(payload), mode="r:*") as archive:
        members = archive.getmembers()
        for member in members:
            _check_name(member.name)
            if not (member.isfile() or member.isdir()):
                raise UserError("The archive contains a link or a special file, so it was not opened.")
        files = [member for member in members if member.isfile()]
        _check_totals(len(files), sum(member.size for member in files), max_bytes)
        return {member.name: archive.extractfile(member).read() for member in files}


def read_archive(payload: bytes, max_bytes: int) -> dict[str, bytes]:
    """Every regular file of a zip or tar archive, in memory.

    Parameters
    ----------
    payload : bytes
        The archive (zip, tar, tar.gz, tar.bz2, tar.xz).
    max_bytes : int
        Largest total unpacked size accepted, bytes.

    Returns
    -------
    dict of str to bytes
        Member path → content.

    Raises
    ------
    UserError
        Path traversal, links or special files, too many members, too large
        unpacked, or a damaged archive.
    """
    try:
        if zipfile.is_zipfile(io.BytesIO(payload)):
            return _zip_members(payload, max_bytes)
        return _tar_members(payload, max_bytes)
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError, RuntimeError):
        raise UserError("The archive is damaged or protected and cannot be opened.") from None
