"""Read ``requirements.lock`` (written by ``scripts/lock.py``) and compare it with the venv."""

from __future__ import annotations

import importlib.util
import re
from importlib import metadata
from pathlib import Path

from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
PROJECT = canonicalize_name("mild-explainer")
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\;]+)")

_spec = importlib.util.spec_from_file_location("lock_script", REPO / "scripts" / "lock.py")
lock_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lock_script)


def pins() -> dict[str, str]:
    """Canonical distribution name -> pinned version."""
    found = {}
    for line in lock_script.LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            found[canonicalize_name(match[1])] = match[2]
    return found


def installed() -> dict[str, str]:
    """Canonical distribution name -> installed version, the project itself left out."""
    versions = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    versions.pop(PROJECT, None)
    return versions


def venv_matches_lock() -> bool:
    """True when exactly the locked versions are installed (byte-equal builds are expected then)."""
    return installed() == pins()
