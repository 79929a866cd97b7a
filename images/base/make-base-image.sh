#!/usr/bin/env bash
# Makes a local Debian base image without any registry: debootstrap into a temp dir, `docker import`.
# Usage: make-base-image.sh SUITE [TAG]   e.g. make-base-image.sh bookworm   -> local/debian:bookworm
# The mirror is this machine's apt mirror (from /etc/apt/sources*), or $DEBIAN_MIRROR.
set -euo pipefail
suite=${1:?usage: make-base-image.sh SUITE [TAG]}
tag=${2:-local/debian:$suite}

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "base image $tag exists"
  exit 0
fi
command -v debootstrap >/dev/null || { echo "make-base-image: debootstrap missing: apt-get install -y debootstrap" >&2; exit 2; }

mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(grep -hoE '^URIs: *\S+' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
  [ -n "$mirror" ] || mirror=$(grep -hoE '^deb +\S+' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' | grep -v security | head -1 || true)
fi
[ -n "$mirror" ] || { echo "make-base-image: no apt mirror found; set DEBIAN_MIRROR" >&2; exit 2; }

root=$(mktemp -d /tmp/mirrord-regress-rootfs-XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "debootstrap $suite from $mirror"
debootstrap --variant=minbase "$suite" "$root" "$mirror" >"$root.log" 2>&1 || { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
# apt inside images uses the same mirror.
echo "deb $mirror $suite main" > "$root/etc/apt/sources.list"
tar -C "$root" -c . | docker import - "$tag" >/dev/null
echo "imported $tag"
