#!/usr/bin/env bash
# Build the image, run it as a course would, and check it from outside:
# /readyz, the chain-rule program through POST /api/v1/run (x.grad against real torch),
# a non-root process, HEALTHCHECK, and / and /docs loading nothing from another host.
# Uses a Docker engine when one answers; otherwise buildah + podman (installed with apt-get when
# missing), with a debootstrapped base image when no registry is reachable.
# Everything it starts it stops and removes, also on failure. The image stays for the next run's
# layer cache (SMOKE_REMOVE_IMAGE=1 removes it too).
#
# Env: IMAGE, SMOKE_PORT, READY_TIMEOUT (s), TORCH_WHEEL_DIR (a folder holding the torch CPU wheel;
# default /opt/wheels when it has one), PYTHON (needs torch; default .venv/bin/python).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-localhost/autograd-playground:smoke}
READY_TIMEOUT=${READY_TIMEOUT:-240}
PYTHON=${PYTHON:-.venv/bin/python}
TORCH_VERSION=2.13.0
LOCAL_BASE=localhost/bookworm-python:local
REGISTRY_BASE=docker.io/library/python:3.11-slim-bookworm

START=$(date +%s)
log() { printf '[docker-smoke %4ss] %s\n' "$(($(date +%s) - START))" "$*" >&2; }
elapsed() { echo $(($(date +%s) - $1)); }

ENGINE=()
CONTAINER=""
cleanup() {
  local status=$?
  if [ -n "$CONTAINER" ]; then
    if [ "$status" != 0 ]; then
      log "container logs (last 60 lines, /readyz polls left out):"
      "${ENGINE[@]}" logs "$CONTAINER" 2>&1 | grep -v 'GET /readyz' | tail -n 60 >&2 || true
    fi
    "${ENGINE[@]}" rm -f "$CONTAINER" >/dev/null 2>&1 || true
  fi
  if [ "${SMOKE_REMOVE_IMAGE:-0}" = 1 ] && [ "${#ENGINE[@]}" -gt 0 ]; then
    "${ENGINE[@]}" rmi -f "$IMAGE" >/dev/null 2>&1 || true
  fi
  if [ "$status" = 0 ]; then log "PASS"; else log "FAIL (exit $status)"; fi
}
trap cleanup EXIT
# A signal ends the script through exit, so the EXIT trap cleans up then too.
trap 'exit 130' INT
trap 'exit 143' TERM

# The HTTP status of a GET, 0 when nothing answers (stdlib only: no curl needed).
http_status() {
  "$PYTHON" -c '
import sys, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=3).status)
except Exception as error:
    print(getattr(error, "code", 0))
' "$1"
}

if [ ! -x "$PYTHON" ]; then
  log "$PYTHON not found: run scripts/dev.sh test (or set PYTHON to a python with torch)"
  exit 1
fi

# --- choose the engine ---------------------------------------------------------------------
BUILD_ARGS=()
if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  ENGINE=(docker)
  BUILD=(docker build)
  RUN_EXTRA=()
  BASE_ARGS=()  # the Dockerfile's default base, from the engine's registry
  log "engine: docker"
else
  missing=()
  for tool in buildah podman runc debootstrap; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]} with apt-get"
    [ "$(id -u)" = 0 ] || { log "need root (or sudo) to install ${missing[*]}"; exit 1; }
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
      buildah podman runc debootstrap >/dev/null
  fi
  # runc: the default crun fails on some hosts' cgroup setup; runc works everywhere.
  ENGINE=(podman --runtime runc)
  # --format docker keeps HEALTHCHECK (the OCI format has no such field).
  BUILD=(buildah bud --isolation chroot --format docker --layers --force-rm)
  # The sandbox needs these rlimits and cannot raise them itself on hosts with low defaults.
  RUN_EXTRA=(--ulimit nofile=4096:4096 --ulimit nproc=4096:4096)
  if [ -s /etc/ssl/certs/ca-certificates.crt ]; then
    # Downloads during the build may pass a TLS-intercepting proxy whose CA only the host has.
    BUILD+=(--volume /etc/ssl/certs/ca-certificates.crt:/etc/ssl/certs/ca-certificates.crt:ro)
  fi
  phase=$(date +%s)
  if timeout 90 buildah pull --quiet "$REGISTRY_BASE" >/dev/null 2>&1; then
    BASE_ARGS=(--build-arg "BASE=$REGISTRY_BASE")
    log "engine: buildah + podman; base $REGISTRY_BASE ($(elapsed "$phase")s)"
  else
    scripts/make-local-base-image.sh "$LOCAL_BASE"
    BASE_ARGS=(--build-arg "BASE=$LOCAL_BASE")
    log "engine: buildah + podman; no registry, local base $LOCAL_BASE ($(elapsed "$phase")s)"
  fi
  # The CPU wheel on disk, when there is one, saves the download (and works offline).
  WHEEL_DIR=${TORCH_WHEEL_DIR:-/opt/wheels}
  if compgen -G "$WHEEL_DIR/torch-$TORCH_VERSION+cpu-cp311-*.whl" >/dev/null; then
    BUILD+=(--volume "$WHEEL_DIR:/opt/wheels:ro")
    BUILD_ARGS+=(--build-arg "TORCH_PIP_ARGS=--find-links /opt/wheels"
      --build-arg "TORCH_VERSION=$TORCH_VERSION+cpu")
    log "torch wheel from $WHEEL_DIR"
  fi
fi

# --- build ---------------------------------------------------------------------------------
phase=$(date +%s)
log "building $IMAGE"
# The previous smoke image, replaced by this build, is removed after it (by id) so runs do not pile
# up untagged images; its layers stay as long as the new image shares them.
OLD_ID=$("${ENGINE[@]}" image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)
BUILD_LOG=$(mktemp)
if ! "${BUILD[@]}" "${BASE_ARGS[@]}" "${BUILD_ARGS[@]}" -t "$IMAGE" . >"$BUILD_LOG" 2>&1; then
  tail -n 40 "$BUILD_LOG" >&2
  rm -f "$BUILD_LOG"
  exit 1
fi
rm -f "$BUILD_LOG"
if [ -n "$OLD_ID" ] && [ "$OLD_ID" != "$("${ENGINE[@]}" image inspect --format '{{.Id}}' "$IMAGE")" ]; then
  "${ENGINE[@]}" rmi "$OLD_ID" >/dev/null 2>&1 || true
fi
SIZE=$("${ENGINE[@]}" image inspect --format '{{.Size}}' "$IMAGE")
log "built in $(elapsed "$phase")s, image size $((SIZE / 1000000)) MB"

# --- run -----------------------------------------------------------------------------------
PORT=${SMOKE_PORT:-$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
phase=$(date +%s)
# Read-only root with a tmpfs /tmp, as the Kubernetes manifest runs it.
RUN_ERR=$(mktemp)
# podman's complaint that it has no systemd for health-check timers is noise here: kept out.
CONTAINER=$("${ENGINE[@]}" run -d "${RUN_EXTRA[@]}" --read-only --tmpfs /tmp \
  -p "127.0.0.1:$PORT:8000" -e PLAYGROUND_WORKERS=2 "$IMAGE" 2>"$RUN_ERR") || {
  cat "$RUN_ERR" >&2
  rm -f "$RUN_ERR"
  exit 1
}
grep -v 'systemd' "$RUN_ERR" >&2 || true
rm -f "$RUN_ERR"
BASE_URL="http://127.0.0.1:$PORT"
log "started ${CONTAINER:0:12} on $BASE_URL; waiting for /readyz"
deadline=$(($(date +%s) + READY_TIMEOUT))
# 0 while the server starts, 503 while the workers warm up.
until [ "$(http_status "$BASE_URL/readyz")" = 200 ]; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    log "/readyz not 200 after ${READY_TIMEOUT}s"
    exit 1
  fi
  if [ "$("${ENGINE[@]}" inspect --format '{{.State.Running}}' "$CONTAINER")" != true ]; then
    log "the container exited"
    exit 1
  fi
  sleep 1
done
log "ready in $(elapsed "$phase")s"

# --- checks --------------------------------------------------------------------------------
# Every process in the container (server, zygote, workers) must run as a non-root uid.
UIDS=$("${ENGINE[@]}" exec "$CONTAINER" sh -c 'cat /proc/[0-9]*/status' | awk '/^Uid:/ {print $2}' | sort -u)
if [ -z "$UIDS" ] || grep -qx 0 <<<"$UIDS"; then
  log "processes run as uid(s): $(echo "$UIDS" | tr '\n' ' ')— root is not allowed"
  exit 1
fi
log "ok   processes run as uid $(echo "$UIDS" | tr '\n' ' ')"

if [ "${ENGINE[0]}" = podman ]; then
  # podman schedules health checks with systemd timers, absent here: run the check once.
  "${ENGINE[@]}" healthcheck run "$CONTAINER" >/dev/null
else
  until [ "$(docker inspect --format '{{.State.Health.Status}}' "$CONTAINER")" = healthy ]; do
    [ "$(date +%s)" -lt "$deadline" ] || { log "HEALTHCHECK never healthy"; exit 1; }
    sleep 2
  done
fi
log "ok   HEALTHCHECK (/healthz) passes"

"$PYTHON" tests/deploy/container_checks.py "$BASE_URL"
log "all checks passed; total $(elapsed "$START")s"
