#!/usr/bin/env bash
# `npm run bench`: Shoal beside Docker Swarm mode on this machine's engine, the scheduler
# micro-benchmark and an in-process fake cluster. Arguments go to bench/main.ts, e.g.
#   npm run bench -- --quick          one short run of each
#   npm run bench -- --only=scheduler,fake
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
# The real `shoal up` process logs as it does for users (SHOAL_LOG_LEVEL, default info, to its
# data dir); the in-process fake cluster logs warnings only, to a temp file.
exec node --import tsx bench/main.ts "$@"
