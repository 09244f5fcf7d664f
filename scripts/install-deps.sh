#!/usr/bin/env bash
# Installs npm dependencies when missing or older than the lockfile, then builds dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "shoal: installing npm dependencies (better-sqlite3 compiles from source: about a minute)" >&2
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
