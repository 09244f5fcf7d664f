#!/usr/bin/env bash
# The whole test suite: lint, types, unit tests, then the real-Docker tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh   # also builds dist/, including the web UI bundle the browser test loads
# The browser test (test/web-ui.test.ts) drives Debian's chromium through playwright-core.
if ! command -v chromium >/dev/null 2>&1; then
  echo "shoal: installing chromium for the browser test" >&2
  apt-get install -y chromium >/dev/null || { apt-get update >/dev/null && apt-get install -y chromium >/dev/null; }
fi
bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
echo "== lint" && npx eslint .
echo "== typecheck" && npx tsc -p tsconfig.json --noEmit
node scripts/run-tests.mjs "$@"
