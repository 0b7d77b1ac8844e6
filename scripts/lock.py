"""Refresh ``requirements.lock`` from the ranges in ``pyproject.toml``.

Run it as ``python3 scripts/lock.py`` (the README's lock command). It needs only the
standard library of Python 3.11 and the network to PyPI.

Why uv writes the lock and pip installs it: ``uv pip compile`` resolves the whole tree
in seconds and writes a pip requirements file with every distribution pinned to one
version and every file's SHA-256 hash. ``scripts/setup.sh`` then installs that file with
the pip that ships with Python (``pip install --require-hashes --no-deps``), so a fresh
machine needs no extra tool to set up, pip checks every hash it downloads, and nothing
outside the lock can be pulled in. uv itself is installed, at a pinned version, only
into the git-ignored ``build/lock-tools`` venv and only when the lock is refreshed.

The lock's first line records a digest of the requirements ``pyproject.toml`` declares
(dependencies, every extra, the build backend and pip); ``tests/test_lock.py`` fails
when that digest, or any pinned version, disagrees with ``pyproject.toml``.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
TOOL_VENV = ROOT / "build" / "lock-tools"
UV = "uv==0.13.9"
"""The resolver, pinned so that the same pyproject gives the same lock format."""
TARGET = ("--python-version", "3.11", "--python-platform", "x86_64-unknown-linux-gnu")
"""The machine the lock is for: Debian, x86-64, CPython 3.11 (README)."""
DIGEST_PREFIX = "# pyproject-requirements-sha256: "


def declared_requirements(pyproject: Path = PYPROJECT) -> list[str]:
    """Every requirement string ``pyproject`` declares that the venv must satisfy.

    The project's dependencies, every optional extra, the build backend (the editable
    install runs without build isolation, from the venv) and pip itself.
    """
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data["project"]
    requirements = list(project["dependencies"])
    for extra in sorted(project.get("optional-dependencies", {})):
        requirements += project["optional-dependencies"][extra]
    requirements += data["build-system"]["requires"]
    return [*requirements, "pip"]


def requirements_digest(requirements: list[str]) -> str:
    """SHA-256 over the sorted requirement strings (order in pyproject does not matter)."""
    return hashlib.sha256("\n".join(sorted(requirements)).encode()).hexdigest()


def _uv() -> Path:
    uv = TOOL_VENV / "bin" / "uv"
    if not uv.exists():
        subprocess.run([sys.executable, "-m", "venv", str(TOOL_VENV)], check=True)
        subprocess.run([str(TOOL_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", UV], check=True)
    return uv


def main() -> int:
    requirements = declared_requirements()
    resolved = subprocess.run(
        [str(_uv()), "pip", "compile", "-", "--generate-hashes", "--no-header", "--no-annotate",
         "--quiet", *TARGET],
        input="\n".join(requirements) + "\n", capture_output=True, text=True, check=False)
    if resolved.returncode != 0:
        sys.stderr.write(resolved.stderr)
        return resolved.returncode
    header = (f"{DIGEST_PREFIX}{requirements_digest(requirements)}\n"
              "# Written by `python3 scripts/lock.py` from pyproject.toml; do not edit by hand.\n"
              "# Installed by scripts/setup.sh with `pip install --require-hashes --no-deps`.\n")
    LOCK.write_text(header + resolved.stdout, encoding="utf-8")
    pins = sum(1 for line in resolved.stdout.splitlines() if "==" in line and not line.startswith(" "))
    print(f"{LOCK.name}: {pins} distributions pinned with hashes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
