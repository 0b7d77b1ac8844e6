#!/usr/bin/env bash
# Create .venv/ at the repository root with exactly the versions in requirements.lock.
# Idempotent: a second run only checks a stamp. When the lock or pyproject.toml changes,
# the venv is rebuilt from scratch, so nothing outside the lock survives in it.
# Refresh the lock itself with `python3 scripts/lock.py`.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3.11}"
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
stamp=.venv/.installed-$(cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)
# Run a step quietly; show what it printed only when it fails.
quietly() {
    local log
    log=$(mktemp)
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}
if [ ! -f "$stamp" ]; then
    rm -rf .venv
    "$PYTHON" -m venv .venv
    # Every distribution, pip and setuptools included, from the lock and checked by hash.
    echo "Setting up .venv from requirements.lock (first run only) ..."
    quietly .venv/bin/python -m pip install --require-hashes --no-deps -r requirements.lock
    # The project itself, built by the locked setuptools already in the venv.
    quietly .venv/bin/python -m pip install --no-deps --no-build-isolation -e .
    quietly .venv/bin/python -m pip check
    touch "$stamp"
fi
