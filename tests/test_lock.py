"""The lock file, pyproject.toml and the installed venv agree.

``requirements.lock`` is written by ``python3 scripts/lock.py`` and installed by
``scripts/setup.sh``; these tests fail when someone edits one without the other.
"""

from __future__ import annotations

import re

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.lockfile import PIN, installed, lock_script, pins


def test_lock_was_written_from_this_pyproject():
    first_line = lock_script.LOCK.read_text(encoding="utf-8").splitlines()[0]
    digest = lock_script.requirements_digest(lock_script.declared_requirements())
    assert first_line == lock_script.DIGEST_PREFIX + digest, (
        "pyproject.toml's requirements changed since the lock was written; run: python3 scripts/lock.py")


def test_every_declared_requirement_is_pinned_within_its_range():
    locked = pins()
    for text in lock_script.declared_requirements():
        requirement = Requirement(text)
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is declared in pyproject.toml but not pinned in the lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"the lock pins {requirement.name}=={locked[name]}, outside pyproject's range {requirement.specifier}")


def test_every_pin_carries_a_hash():
    text = lock_script.LOCK.read_text(encoding="utf-8")
    entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n", 3)[3])
    assert len(entries) == len(pins())
    for entry in entries:
        assert PIN.match(entry) and "--hash=sha256:" in entry, f"no pin with a hash in: {entry[:80]}"


def test_every_installed_distribution_is_the_locked_version():
    locked, present = pins(), installed()
    unlocked = sorted(set(present) - set(locked))
    assert not unlocked, f"installed but not in the lock: {unlocked}"
    differ = {name: (version, locked[name]) for name, version in present.items() if version != locked[name]}
    assert not differ, f"installed version differs from the lock (installed, locked): {differ}"
    missing = sorted(set(locked) - set(present))
    assert not missing, f"locked but not installed: {missing}"
