#!/usr/bin/env bash
# Installs the clients the lakehouse tests (test/lakehouses/) connect with, into a Python venv of their own:
#   - PyHive with thrift, pure-sasl and thrift_sasl: a HiveServer2 client (PLAIN SASL: user name + token),
#   - pyspark[connect] 3.5.9, the Spark Connect client, with pyarrow<18 and pandas<2.3 (the extra pins numpy<2,
#     which newer pyarrow cannot import with). The interop venv (scripts/install-interop.sh) keeps its newer pyarrow
#     for PyIceberg and provides the Spark that runs the lakehouse; this venv is only for clients.
#
# Idempotent (a stamp records what is installed). stdout gets only KEY=VALUE settings:
#   LAKEHOUSE_ENV=$(scripts/install-lakehouse-tools.sh); set -a; eval "$LAKEHOUSE_ENV"; set +a
# (LAKEPLANE_LAKEHOUSE_PYTHON). Environment: LAKEPLANE_CACHE_DIR (default ~/.cache/lakeplane),
# LAKEPLANE_PYTHON_FOR_VENV (default python3; 3.9 to 3.12).
set -euo pipefail

REQUIREMENTS="pyspark[connect]==3.5.9 pyarrow<18 pandas<2.3 pyhive==0.7.0 thrift==0.21.0 pure-sasl==0.6.2 thrift_sasl==0.4.3"
CACHE_ROOT="${LAKEPLANE_CACHE_DIR:-$HOME/.cache/lakeplane}"
VENV="$CACHE_ROOT/venv-lakehouse"
BASE_PYTHON="${LAKEPLANE_PYTHON_FOR_VENV:-python3}"

die() { echo "install-lakehouse-tools: $*" >&2; exit 2; }
say() { echo "install-lakehouse-tools: $*" >&2; }

mkdir -p "$CACHE_ROOT"
STAMP="$VENV/.lakeplane-requirements"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$REQUIREMENTS" ]; then
  command -v "$BASE_PYTHON" >/dev/null 2>&1 || die "no $BASE_PYTHON on PATH (set LAKEPLANE_PYTHON_FOR_VENV)"
  "$BASE_PYTHON" -c 'import sys; sys.exit(0 if (3, 9) <= sys.version_info[:2] <= (3, 12) else 1)' \
    || die "$BASE_PYTHON is $("$BASE_PYTHON" -V 2>&1); pyspark 3.5.9 needs Python 3.9 to 3.12 (set LAKEPLANE_PYTHON_FOR_VENV)"
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the Python venv at $VENV"
    "$BASE_PYTHON" -m venv "$VENV" || die "python -m venv failed (Debian: apt-get install python3-venv)"
  fi
  say "installing $REQUIREMENTS (first time only)"
  log="$CACHE_ROOT/pip-lakehouse.log"
  # shellcheck disable=SC2086 # the requirements are words on purpose
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --progress-bar off $REQUIREMENTS >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "pip failed (log: $log)"; }
  "$VENV/bin/python" -c 'import pyhive.hive, thrift_sasl, pyspark.sql.connect.session' || die "the venv cannot import pyhive and pyspark's Connect client"
  echo "$REQUIREMENTS" >"$STAMP"
fi

printf 'LAKEPLANE_LAKEHOUSE_PYTHON=%q\n' "$VENV/bin/python"
