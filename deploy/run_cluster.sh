#!/usr/bin/env bash
# Debian's nginx in front of N app processes on loopback (default 2 apps, nginx on port 8080).
# Usage: deploy/run_cluster.sh [--apps N] [--port P] [--max-sessions M] [--drain-seconds S]
# Ctrl-C, SIGTERM or SIGHUP stops everything cleanly (apps and nginx) within 15 s; a second one at once.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v nginx >/dev/null 2>&1 && [ ! -x /usr/sbin/nginx ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
exec .venv/bin/python deploy/cluster.py "$@"
