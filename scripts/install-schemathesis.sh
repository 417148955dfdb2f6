#!/usr/bin/env bash
# Installs the OpenAPI tools the API contract tests (test/http/openapi-fuzz.test.ts) run, into a Python venv of their
# own (PyPI, pinned):
#   - openapi-spec-validator: checks /openapi.json against the OpenAPI 3.1 specification,
#   - schemathesis: a property-based fuzz of every operation (no 5xx, responses match their schemas).
#
# Idempotent (a stamp records what is installed). stdout gets only KEY=VALUE settings:
#   SCHEMATHESIS_ENV=$(scripts/install-schemathesis.sh); set -a; eval "$SCHEMATHESIS_ENV"; set +a
# (LAKEPLANE_SCHEMATHESIS: its CLI; LAKEPLANE_OPENAPI_PYTHON: the venv's python, with openapi_spec_validator).
# Environment: LAKEPLANE_CACHE_DIR (default ~/.cache/lakeplane), LAKEPLANE_PYTHON_FOR_VENV (default python3; 3.9+).
set -euo pipefail

REQUIREMENTS="schemathesis==4.32.5 openapi-spec-validator==0.9.0"
CACHE_ROOT="${LAKEPLANE_CACHE_DIR:-$HOME/.cache/lakeplane}"
VENV="$CACHE_ROOT/venv-schemathesis"
BASE_PYTHON="${LAKEPLANE_PYTHON_FOR_VENV:-python3}"

die() { echo "install-schemathesis: $*" >&2; exit 2; }
say() { echo "install-schemathesis: $*" >&2; }

mkdir -p "$CACHE_ROOT"
STAMP="$VENV/.lakeplane-requirements"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$REQUIREMENTS" ]; then
  command -v "$BASE_PYTHON" >/dev/null 2>&1 || die "no $BASE_PYTHON on PATH (set LAKEPLANE_PYTHON_FOR_VENV)"
  "$BASE_PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 9) else 1)' \
    || die "$BASE_PYTHON is $("$BASE_PYTHON" -V 2>&1); schemathesis needs Python 3.9 or later (set LAKEPLANE_PYTHON_FOR_VENV)"
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the Python venv at $VENV"
    "$BASE_PYTHON" -m venv "$VENV" || die "python -m venv failed (Debian: apt-get install python3-venv)"
  fi
  say "installing $REQUIREMENTS (first time only)"
  log="$CACHE_ROOT/pip-schemathesis.log"
  # shellcheck disable=SC2086 # the requirements are words on purpose
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --progress-bar off $REQUIREMENTS >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "pip failed (log: $log)"; }
  "$VENV/bin/python" -c 'import openapi_spec_validator, schemathesis' || die "the venv cannot import schemathesis and openapi_spec_validator"
  [ -x "$VENV/bin/schemathesis" ] || die "the venv has no schemathesis CLI"
  echo "$REQUIREMENTS" >"$STAMP"
fi

printf 'LAKEPLANE_SCHEMATHESIS=%q\n' "$VENV/bin/schemathesis"
printf 'LAKEPLANE_OPENAPI_PYTHON=%q\n' "$VENV/bin/python"
