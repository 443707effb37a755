#!/usr/bin/env bash
# Make a local stand-in for python:3.11-slim-bookworm when no container registry is reachable:
# debootstrap a Debian 12 root with Python 3.11 and wrap it in an image with buildah.
# The image is cached in container storage and the root tarball in a cache folder, so a second
# run costs a second or two. Usage: scripts/make-local-base-image.sh [IMAGE]
# Env: STORAGE_DRIVER (overlay), BASE_CACHE_DIR, DEBIAN_MIRROR (default: the mirror apt uses).
set -euo pipefail

IMAGE=${1:-localhost/bookworm-python:local}
STORAGE_DRIVER=${STORAGE_DRIVER:-overlay}
CACHE_DIR=${BASE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/autograd-playground/base-image}
# Same package set as the shared recipe; python3-venv brings ensurepip, which the Dockerfile's
# `python3 -m venv` needs on Debian's python.
PACKAGES=python3,python3-venv,python3-pip,ca-certificates
SUITE=bookworm

log() { printf '[base-image] %s\n' "$*" >&2; }

if buildah --storage-driver "$STORAGE_DRIVER" inspect --type image "$IMAGE" >/dev/null 2>&1; then
  log "$IMAGE already exists (remove it with: buildah rmi $IMAGE)"
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  log "debootstrap and buildah need root here"
  exit 1
fi

if [ -z "${DEBIAN_MIRROR:-}" ]; then
  # Reuse the mirror this machine's apt already reaches (a snapshot or proxy mirror may be all
  # that is allowed out).
  DEBIAN_MIRROR=$(grep -hs -m1 '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' | head -n1 || true)
  if [ -z "$DEBIAN_MIRROR" ]; then
    DEBIAN_MIRROR=$(grep -hs -m1 '^deb ' /etc/apt/sources.list | awk '{print $2}' | head -n1 || true)
  fi
  DEBIAN_MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
fi

mkdir -p "$CACHE_DIR"
TARBALL="$CACHE_DIR/rootfs-$SUITE-$(printf '%s' "$PACKAGES" | sha256sum | cut -c1-12).tar"

WORK=$(mktemp -d)
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT
# A signal ends the script through exit, so the EXIT trap cleans up then too.
trap 'exit 130' INT
trap 'exit 143' TERM

if [ ! -s "$TARBALL" ]; then
  log "debootstrap $SUITE from $DEBIAN_MIRROR (2 to 7 minutes on a busy machine)"
  debootstrap --variant=minbase --include="$PACKAGES" "$SUITE" "$WORK/rootfs" "$DEBIAN_MIRROR" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -n 30 "$WORK/debootstrap.log" >&2; exit 1; }
  # The apt lists and package cache are not needed in an image.
  rm -rf "$WORK/rootfs/var/lib/apt/lists/"* "$WORK/rootfs/var/cache/apt/archives/"*.deb
  tar -C "$WORK/rootfs" -cf "$TARBALL.partial" .
  mv "$TARBALL.partial" "$TARBALL"
  rm -rf "$WORK/rootfs"
else
  log "reusing $TARBALL"
fi

ln "$TARBALL" "$WORK/rootfs.tar" 2>/dev/null || cp "$TARBALL" "$WORK/rootfs.tar"
cat >"$WORK/Dockerfile.base" <<'EOF'
FROM scratch
ADD rootfs.tar /
ENV LANG=C.UTF-8
CMD ["python3"]
EOF
log "wrapping the root as $IMAGE"
buildah --storage-driver "$STORAGE_DRIVER" bud --isolation chroot --format docker --quiet \
  -f "$WORK/Dockerfile.base" -t "$IMAGE" "$WORK" >/dev/null
log "done: $IMAGE"
