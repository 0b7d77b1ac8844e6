#!/usr/bin/env bash
# Set everything up (venv from the lock, Debian's Chromium, nginx, systemd-analyze and Node, the
# locked npm packages for the player's JavaScript checks), then run the whole suite as one pytest
# run with one summary. Arguments go to pytest instead of
# the default selection, e.g. `bash scripts/test.sh tests/models -x`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -x /usr/bin/systemd-analyze ] || missing+=(systemd)
command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
if [ "${#missing[@]}" -gt 0 ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# Exactly the npm packages in package-lock.json (esbuild, vtk.js, meshoptimizer, ESLint) for
# tests/test_js.py; the app itself needs none of them (the player bundle is committed).
npm_stamp=node_modules/.installed-$(sha1sum package-lock.json | cut -c1-12)
if [ ! -f "$npm_stamp" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    touch "$npm_stamp"
fi
# Workers, each with its own Chromium and app server (tests/conftest.py schedules the
# browser tests first); a test file stays on one worker, so its module fixtures are built
# once; VIZ_TEST_WORKERS overrides. A failure anywhere is reported in the
# one summary and the run goes on past it.
status=0
.venv/bin/python -m pytest -n "${VIZ_TEST_WORKERS:-3}" --dist loadfile "$@" || status=$?
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests in: ${*:-tests}" >&2
    exit 1
fi
exit "$status"
