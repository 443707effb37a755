#!/usr/bin/env bash
# Run the core test suite (unit + differential) on each Python this machine has: 3.10 to 3.13.
#
#   scripts/python-matrix.sh                 # every version, the whole core suite
#   PYTHON_VERSIONS="3.10 3.12" scripts/python-matrix.sh tests/unit/grading
#
# One venv per version, cached under ~/.cache/autograd-playground/py<version> and rebuilt only
# when pyproject.toml's dependencies change. torch==2.13.0 comes from TORCH_PIP_ARGS (default:
# /opt/wheels when it holds a wheel for that version, else PyPI, whose Linux wheels for
# cp310/cp312/cp313 are the CUDA builds: about 3.5 GB with their nvidia-* packages, shared
# through pip's cache). A version without an interpreter is reported as MISSING and skipped, never
# silently (REQUIRE_ALL_PYTHONS=1 makes that a failure). The exit status is non-zero when any
# version that is present fails.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE="${AUTOGRAD_PLAYGROUND_CACHE:-$HOME/.cache/autograd-playground}"
VERSIONS="${PYTHON_VERSIONS:-3.10 3.11 3.12 3.13}"
MARKERS="${PYTEST_MARKERS:-not browser and not docker and not slow}"
if [ "$#" -gt 0 ]; then SUITE=("$@"); else SUITE=(tests/unit tests/differential); fi
# Test tools on top of the package's own dependencies (ranges from pyproject.toml, so that pip
# picks versions that exist for each interpreter; requirements*.txt pin for 3.11 only).
TEST_TOOLS=(pytest pytest-xdist hypothesis jsonschema httpx)
mkdir -p "$CACHE"

find_python() {
  local version=$1 candidate
  for candidate in "$HOME"/.pyenv/versions/"$version".*/bin/python"$version" \
      "$(command -v "python$version" 2>/dev/null)"; do
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

dependencies() {
  # The [project] dependencies of pyproject.toml, one per line (read by a 3.11+ interpreter).
  "${HOST_PYTHON:-python3}" - "$ROOT/pyproject.toml" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["dependencies"]))
PY
}

build_venv() {
  local version=$1 python=$2 venv=$3 stamp
  stamp=$(dependencies | sha256sum | cut -c1-16)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.stamp" 2>/dev/null)" = "$stamp" ]; then
    return 0
  fi
  rm -rf "$venv"
  "$python" -m venv "$venv" || return 1
  "$venv/bin/python" -m pip install -q --upgrade pip || return 1
  local tag torch_args
  tag="cp${version/./}"
  if [ -n "${TORCH_PIP_ARGS:-}" ]; then
    torch_args=$TORCH_PIP_ARGS
  elif compgen -G "/opt/wheels/torch-2.13.0*-$tag-*.whl" >/dev/null; then
    torch_args="--find-links /opt/wheels"
  else
    torch_args=""
  fi
  # torch first and alone, so nothing later can pull another build of it.
  # shellcheck disable=SC2086
  "$venv/bin/python" -m pip install -q $torch_args "torch==2.13.0" || return 1
  mapfile -t deps < <(dependencies)
  "$venv/bin/python" -m pip install -q "${deps[@]}" "${TEST_TOOLS[@]}" || return 1
  echo "$stamp" >"$venv/.stamp"
}

declare -A OUTCOME
failed=0
for version in $VERSIONS; do
  python=$(find_python "$version") || {
    echo "python$version: MISSING on this machine (skipped, not run)"
    OUTCOME[$version]="MISSING (skipped)"
    [ "${REQUIRE_ALL_PYTHONS:-0}" = 1 ] && failed=1
    continue
  }
  venv="$CACHE/py$version"
  started=$(date +%s)
  echo "python$version: $python; venv $venv"
  if ! build_venv "$version" "$python" "$venv"; then
    OUTCOME[$version]="SETUP FAILED"
    failed=1
    continue
  fi
  built=$(date +%s)
  log="$CACHE/py$version.log"
  (cd "$ROOT" && PYTHONPATH="$ROOT" "$venv/bin/python" -m pytest "${SUITE[@]}" -q \
      -p no:cacheprovider -m "$MARKERS" ${PYTEST_ARGS:-}) >"$log" 2>&1
  status=$?
  summary=$(tail -n 1 "$log")
  finished=$(date +%s)
  OUTCOME[$version]="exit $status: $summary (setup $((built - started)) s, tests $((finished - built)) s; log $log)"
  [ "$status" -eq 0 ] || failed=1
done

echo
echo "== Python matrix: ${SUITE[*]}"
for version in $VERSIONS; do echo "python$version: ${OUTCOME[$version]}"; done
exit "$failed"
