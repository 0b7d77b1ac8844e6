"""The lock file, pyproject.toml and the installed venv agree.

``requirements.lock`` is written by ``python3 scripts/lock.py`` and installed by
``scripts/setup.sh``; these tests fail when someone edits one without the other.
"""

from __future__ import annotations

import importlib.util
import re
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("lock_script", REPO / "scripts" / "lock.py")
lock_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lock_script)

PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s\\;]+)")


def _pins() -> dict[str, str]:
    pins = {}
    for line in lock_script.LOCK.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def test_lock_was_written_from_this_pyproject():
    first_line = lock_script.LOCK.read_text(encoding="utf-8").splitlines()[0]
    digest = lock_script.requirements_digest(lock_script.declared_requirements())
    assert first_line == lock_script.DIGEST_PREFIX + digest, (
        "pyproject.toml's requirements changed since the lock was written; run: python3 scripts/lock.py")


def test_every_declared_requirement_is_pinned_within_its_range():
    pins = _pins()
    for text in lock_script.declared_requirements():
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is declared in pyproject.toml but not pinned in the lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"the lock pins {requirement.name}=={pins[name]}, outside pyproject's range {requirement.specifier}")


def test_every_pin_carries_a_hash():
    text = lock_script.LOCK.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 3)[3])
    for entry in entries:
        if PIN.match(entry):
            assert "--hash=sha256:" in entry, f"no hash for {entry.split()[0]}"


def test_every_installed_distribution_is_the_locked_version():
    pins = _pins()
    project = canonicalize_name("mild-explainer")
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in metadata.distributions()}
    installed.pop(project)
    unlocked = sorted(set(installed) - set(pins))
    assert not unlocked, f"installed but not in the lock: {unlocked}"
    differ = {name: (version, pins[name]) for name, version in installed.items() if version != pins[name]}
    assert not differ, f"installed version differs from the lock (installed, locked): {differ}"
    missing = sorted(set(pins) - set(installed))
    assert not missing, f"locked but not installed: {missing}"
