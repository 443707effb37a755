#!/usr/bin/env bash
# One entry point for a fresh machine: `scripts/dev.sh serve` or `scripts/dev.sh test`.
# Each command first makes sure the venv, the pinned packages and (for tests) Chromium exist.
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3.11}
VENV=.venv

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
  fi
  local stamp="$VENV/.installed"
  local want
  want=$(cat requirements.txt requirements-dev.txt pyproject.toml | sha256sum | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    # torch alone and first: a later, looser requirement can then never pull a CUDA build.
    "$VENV/bin/pip" install --quiet torch==2.13.0
    "$VENV/bin/pip" install --quiet -r requirements-dev.txt
    "$VENV/bin/pip" install --quiet --no-deps --no-build-isolation -e .
    echo "$want" > "$stamp"
  fi
}

ensure_libseccomp() {
  # The workers' seccomp filter loads the system's libseccomp (app/workers/syscall_filter.py).
  if { ldconfig -p || /sbin/ldconfig -p; } 2>/dev/null | grep -q 'libseccomp\.so\.2'; then return; fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq libseccomp2 >/dev/null
}

ensure_chromium() {
  if command -v chromium >/dev/null 2>&1; then return; fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
}

ensure_promtool() {
  # promtool (Debian's prometheus package) checks the alert rules and dashboard queries.
  if command -v promtool >/dev/null 2>&1; then return; fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    prometheus >/dev/null
}

# Screenshots of the Korean page need a Korean font (else every glyph is a box): Debian's Nanum.
ensure_korean_font() {
  if fc-list :lang=ko 2>/dev/null | grep -q .; then return; fi
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq fonts-nanum fontconfig >/dev/null
}

case "${1:-}" in
  serve)
    ensure_libseccomp
    ensure_venv
    shift
    exec "$VENV/bin/autograd-playground" serve "$@"
    ;;
  test)
    ensure_libseccomp
    ensure_venv
    ensure_chromium
    ensure_promtool
    ensure_korean_font
    shift
    "$VENV/bin/ruff" check app tests bench autograd_playground docs
    "$VENV/bin/ruff" format --check app tests bench autograd_playground
    "$VENV/bin/mypy"
    if [ "$#" -eq 0 ]; then
      # Schemathesis in a process of its own: collected beside the whole suite (pytest's default
      # `tests`), its generation for POST /batch fails with "Cannot generate an array with 1
      # demanded elements", though it passes beside every test folder named one by one. Not
      # understood yet (see the closing note of stop 24); it runs, and must pass, all the same.
      "$VENV/bin/pytest" --ignore=tests/api/test_schemathesis.py
      exec "$VENV/bin/pytest" tests/api/test_schemathesis.py
    fi
    exec "$VENV/bin/pytest" "$@"
    ;;
  bench)
    ensure_venv
    shift
    # By default every timing benchmark; bench/instructions.py needs valgrind: name it.
    if [ "$#" -eq 0 ]; then
      set -- bench/engine.py bench/service.py bench/web_cost.py bench/batch.py bench/page.py \
        bench/attack.py bench/metrics_cost.py
    fi
    for script in "$@"; do "$VENV/bin/python" "$script"; done
    ;;
  *)
    echo "usage: scripts/dev.sh serve|test|bench [args]" >&2
    exit 2
    ;;
esac
