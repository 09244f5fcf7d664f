#!/usr/bin/env bash
# Builds the local images that tests, the demo and benchmarks use. No registry is reachable,
# so each image is a busybox-static rootfs imported with `docker import`.
#   shoal-test/busybox:1 and :2  same tools, different /www/index.html (a real image change)
#   shoal-test/busybox:crash    its default command exits 3 at once
# Usage: build-test-images.sh [DOCKER_HOST]
set -euo pipefail
if [ $# -gt 0 ]; then export DOCKER_HOST="$1"; fi
have() { docker image inspect "$1" >/dev/null 2>&1; }
if have shoal-test/busybox:1 && have shoal-test/busybox:2 && have shoal-test/busybox:crash; then exit 0; fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/tmp" "$root/www" "$root/etc"
chmod 1777 "$root/tmp"
cp /bin/busybox "$root/bin/busybox"
chroot "$root" /bin/busybox --install -s /bin
echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
echo 'root:x:0:' > "$root/etc/group"
build() {
  local tag=$1 version=$2 cmd=$3
  echo "shoal test image $version" > "$root/www/index.html"
  tar -C "$root" -c . | docker import -c 'ENV PATH=/bin' -c "CMD $cmd" - "$tag" >/dev/null
}
build shoal-test/busybox:1 v1 '["/bin/httpd","-f","-p","80","-h","/www"]'
build shoal-test/busybox:2 v2 '["/bin/httpd","-f","-p","80","-h","/www"]'
build shoal-test/busybox:crash crash '["/bin/sh","-c","echo crashing; exit 3"]'
echo "shoal: built shoal-test/busybox:1, :2, :crash" >&2
