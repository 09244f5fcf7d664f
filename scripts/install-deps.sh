#!/usr/bin/env bash
# Installs npm dependencies when missing or older than the lockfile, then builds dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "shoal: installing npm dependencies (better-sqlite3 compiles from source: about a minute)" >&2
  # better-sqlite3 compiles against Node's headers: use Debian's (nodejs ships them in /usr/include/node)
  # rather than download them, which needs a network this machine may not have.
  if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build
