#!/usr/bin/env bash
# Set everything up (venv, Debian's Chromium for the browser tests), then run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ ! -x /usr/bin/chromium ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
if [ ! -x /usr/sbin/nginx ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
# pytest exit 5 (no tests collected) counts as a failure.
run_pytest() {
    local status=0
    .venv/bin/python -m pytest "$@" || status=$?
    if [ "$status" -eq 5 ]; then
        echo "pytest collected no tests in: $*" >&2
        return 1
    fi
    return "$status"
}

if [ "$#" -gt 0 ]; then
    run_pytest "$@"
    exit $?
fi

# The whole suite in two groups at once on the machine's 2 cores: the browser
# tests of the app page in the foreground, everything else (anatomy, scenes,
# exports, scan, serving under load, fuzzing) in the background.
# Measured: 15 min one after the other; 8.5 min with the served hardening tests
# in the foreground group, which then ran alone for its last 4 minutes.
other_log=$(mktemp)
trap 'rm -f "$other_log"' EXIT
run_pytest tests --ignore=tests/web >"$other_log" 2>&1 &
other_pid=$!
browser_status=0
run_pytest tests/web || browser_status=$?
other_status=0
wait "$other_pid" || other_status=$?
echo
echo "== anatomy, scenes, exports, scan, serving, fuzzing and layer tests =="
cat "$other_log"
if [ "$browser_status" -ne 0 ] || [ "$other_status" -ne 0 ]; then
    exit 1
fi
