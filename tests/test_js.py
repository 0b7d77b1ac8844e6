"""The player's JavaScript checks, reported in the one pytest summary (issue 18).

- ``node --test tests/js/``: unit tests of the pure core (timeline, camera maths, picking,
  URL state, bundle decoding, morphing, motion quality);
- ESLint over the player, its build script and those tests (``eslint.config.js``: the core
  may not use ``window``, ``document``, ``location`` or ``performance``);
- the committed ``viz/web/dist/player.bundle.js`` is what ``npm run build`` makes now.

They need the locked npm packages in ``node_modules/`` (``npm ci``, run by ``scripts/test.sh``).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
NODE_MODULES = REPO / "node_modules"


def run(*command: str) -> subprocess.CompletedProcess:
    assert shutil.which("node"), "node is not installed (Node 20: apt-get install nodejs npm)"
    assert (NODE_MODULES / ".package-lock.json").exists(), "node_modules/ is missing: run `npm ci` (scripts/test.sh does)"
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=240)


@pytest.mark.parametrize("check", ["unit tests", "lint", "bundle is current"])
def test_javascript(check):
    command = {
        "unit tests": ("node", "--test", "tests/js/"),
        "lint": (str(NODE_MODULES / ".bin" / "eslint"), "viz/web/js", "viz/web/build.mjs", "tests/js", "eslint.config.js"),
        "bundle is current": ("node", "viz/web/build.mjs", "--check"),
    }[check]
    result = run(*command)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
