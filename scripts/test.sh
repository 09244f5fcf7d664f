#!/usr/bin/env bash
# The whole test suite: lint, types, unit tests, then the real-Docker tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
echo "== lint" && npx eslint .
echo "== typecheck" && npx tsc -p tsconfig.json --noEmit
node scripts/run-tests.mjs "$@"
