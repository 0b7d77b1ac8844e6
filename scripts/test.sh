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
# tests spend much of their time waiting on page loads and software WebGL,
# while the anatomy, scene, export and scan tests keep one core busy.
# Measured: 15 min one after the other, 9 min side by side.
compute_log=$(mktemp)
trap 'rm -f "$compute_log"' EXIT
served=(tests/web tests/hardening/test_cluster.py tests/hardening/test_http.py tests/hardening/test_limits.py
        tests/hardening/test_sessions.py tests/hardening/test_url_fuzz.py)
run_pytest tests "${served[@]/#/--ignore=}" >"$compute_log" 2>&1 &
compute_pid=$!
browser_status=0
run_pytest "${served[@]}" || browser_status=$?
compute_status=0
wait "$compute_pid" || compute_status=$?
echo
echo "== anatomy, scenes, exports, scan, CLI fuzzing and layer tests =="
cat "$compute_log"
if [ "$browser_status" -ne 0 ] || [ "$compute_status" -ne 0 ]; then
    exit 1
fi
