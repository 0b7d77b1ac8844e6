"""An export that runs out of room stops with one plain sentence and leaves nothing behind.

Each case runs ``python -m viz`` in a child process whose file-size limit
(``RLIMIT_FSIZE``) is far below what the export writes, so the operating system
refuses the write half-way with a real error (``EFBIG``; the video encoder,
a grandchild, stops and closes its pipe), as a full disk would with ``ENOSPC``.
The export must end with exit status 2, one sentence on stderr, no traceback,
and no file or temporary file in the output folder.
"""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

FILE_SIZE_LIMIT_BYTES = 16 * 1024
"""Largest file the child may write: smaller than every export below."""

EXPORTS = {
    "render": ["render", "--stage", "removal", "--width", "320", "--height", "240", "--out", "{out}/still.png"],
    "movie": ["movie", "--width", "160", "--height", "90", "--fps", "4", "--out", "{out}/story.mp4"],
    "html": ["html", "--out", "{out}/story.html"],
    "gltf": ["gltf", "--out", "{out}/story.glb"],
    "export": ["export", "--stage", "stenosis", "--format", "stl", "--out", "{out}/meshes"],
}


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT_BYTES, FILE_SIZE_LIMIT_BYTES))


@pytest.mark.parametrize("command", list(EXPORTS))
def test_a_write_refused_half_way_is_one_sentence_and_leaves_nothing(command, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    argv = [a.format(out=out) for a in EXPORTS[command]]
    done = subprocess.run([sys.executable, "-m", "viz", *argv], capture_output=True, text=True,
                          preexec_fn=_limit_file_size, timeout=300)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert lines[0].startswith("Could not finish writing") and "Nothing was saved." in lines[0], lines[0]
    assert list(out.iterdir()) == []
