#!/usr/bin/env bash
# Makes sure a Docker Engine answers on the default socket: installs Debian's docker.io
# and busybox-static when missing and starts dockerd in the background when none runs.
set -euo pipefail
log_dir="${SHOAL_DOCKERD_LOG_DIR:-/tmp}"
need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
[ -x /bin/busybox ] || need+=(busybox-static)
if [ ${#need[@]} -gt 0 ]; then
  echo "shoal: installing ${need[*]} (Debian packages)" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need[@]}" >/dev/null
fi
if docker info >/dev/null 2>&1; then exit 0; fi
echo "shoal: starting dockerd (log: $log_dir/shoal-dockerd.log)" >&2
nohup dockerd >"$log_dir/shoal-dockerd.log" 2>&1 &
for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then exit 0; fi
  sleep 0.5
done
echo "shoal: dockerd did not answer within 60 s; see $log_dir/shoal-dockerd.log" >&2
exit 1
