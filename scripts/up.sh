#!/usr/bin/env bash
# Starts the embedded single-node cluster (manager + local agent, SQLite store) with a demo
# service, in the foreground. Ctrl-C stops Shoal and leaves the containers for the next start.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/ensure-docker.sh
bash scripts/build-test-images.sh
exec node bin/shoal.js up --demo "$@"
