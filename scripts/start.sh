#!/usr/bin/env bash
# Set everything up, then serve the app at http://localhost:${PORT:-5006}/app
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m viz serve --port "${PORT:-5006}" "$@"
