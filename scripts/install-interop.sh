#!/usr/bin/env bash
# Installs the real Iceberg clients that the interop suites (test/interop/) drive against our REST catalog, unchanged:
#   - a Python virtual environment with PyIceberg (and PyArrow, and s3fs for its remote-signing FileIO) and PySpark 3.5,
#   - Apache Iceberg's Spark runtime jar for Spark 3.5, and Iceberg's AWS bundle of the same version (S3FileIO and the
#     AWS SDK it needs, for Spark against an S3 warehouse), both with Maven's dependency:copy into the cache.
# iceberg-js, the JavaScript client, is an npm devDependency and comes with `npm ci`.
#
# Idempotent and quiet: on a warm cache it returns at once (a stamp records what is installed). Progress goes to stderr;
# stdout gets only the settings, one KEY=VALUE a line (shell-quoted), so a caller can load them (the assignment keeps
# the script's exit status, which `eval "$(…)"` alone would lose):
#   INTEROP_ENV=$(scripts/install-interop.sh); set -a; eval "$INTEROP_ENV"; set +a
# (LAKEPLANE_INTEROP_PYTHON, LAKEPLANE_ICEBERG_SPARK_JAR, LAKEPLANE_ICEBERG_AWS_JAR). The suites also look in the default
# places under LAKEPLANE_CACHE_DIR, so the variables matter only to a caller that moves them.
#
# Environment: LAKEPLANE_CACHE_DIR (default ~/.cache/lakeplane), LAKEPLANE_PYTHON_FOR_VENV (the Python that makes
# the venv, default python3; 3.9–3.12: PySpark 3.5 supports no newer one). pip's own cache (~/.cache/pip, or
# PIP_CACHE_DIR) is reused; Maven's is ~/.m2.
set -euo pipefail

PYICEBERG_VERSION=0.12.0
PYARROW_VERSION=26.0.1     # pyiceberg 0.12 wants pyarrow >=18
PYICEBERG_CORE_VERSION=0.10.1 # pyiceberg 0.12 wants >=0.10.1,<0.11 (partition transforms on write)
PYSPARK_VERSION=3.5.9
S3FS_VERSION=2026.9.0 # PyIceberg signs S3 requests remotely only through its fsspec FileIO (s3fs); the same version as fsspec
ICEBERG_SPARK_VERSION=1.11.0 # newest iceberg-spark-runtime-3.5_2.12 on Maven Central
ICEBERG_SPARK_ARTIFACT="org.apache.iceberg:iceberg-spark-runtime-3.5_2.12:$ICEBERG_SPARK_VERSION"
ICEBERG_AWS_ARTIFACT="org.apache.iceberg:iceberg-aws-bundle:$ICEBERG_SPARK_VERSION" # must match the runtime's version

CACHE_ROOT="${LAKEPLANE_CACHE_DIR:-$HOME/.cache/lakeplane}"
VENV="$CACHE_ROOT/venv"
JARS="$CACHE_ROOT/jars"
JAR="$JARS/iceberg-spark-runtime-3.5_2.12-$ICEBERG_SPARK_VERSION.jar"
AWS_JAR="$JARS/iceberg-aws-bundle-$ICEBERG_SPARK_VERSION.jar"
BASE_PYTHON="${LAKEPLANE_PYTHON_FOR_VENV:-python3}"

die() { echo "install-interop: $*" >&2; exit 2; }
say() { echo "install-interop: $*" >&2; }

mkdir -p "$CACHE_ROOT" "$JARS"

# --- Python: one venv for PyIceberg and PySpark ---------------------------------------------------------------------
REQUIREMENTS="pyiceberg[pyarrow,pyiceberg-core,s3fs]==$PYICEBERG_VERSION pyarrow==$PYARROW_VERSION pyiceberg-core==$PYICEBERG_CORE_VERSION pyspark==$PYSPARK_VERSION s3fs==$S3FS_VERSION"
STAMP="$VENV/.lakeplane-requirements"
if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$REQUIREMENTS" ]; then
  command -v "$BASE_PYTHON" >/dev/null 2>&1 || die "no $BASE_PYTHON on PATH (set LAKEPLANE_PYTHON_FOR_VENV)"
  "$BASE_PYTHON" -c 'import sys; sys.exit(0 if (3, 9) <= sys.version_info[:2] <= (3, 12) else 1)' \
    || die "$BASE_PYTHON is $("$BASE_PYTHON" -V 2>&1); PySpark $PYSPARK_VERSION needs Python 3.9 to 3.12 (set LAKEPLANE_PYTHON_FOR_VENV)"
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the Python venv at $VENV"
    "$BASE_PYTHON" -m venv "$VENV" || die "python -m venv failed (Debian: apt-get install python3-venv)"
  fi
  say "installing $REQUIREMENTS (first time only)"
  log="$CACHE_ROOT/pip-interop.log"
  # shellcheck disable=SC2086 # the requirements are words on purpose
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --progress-bar off $REQUIREMENTS >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "pip failed (log: $log)"; }
  "$VENV/bin/python" -c 'import pyiceberg, pyarrow, pyspark, s3fs' || die "the venv cannot import pyiceberg, pyarrow, pyspark, s3fs"
  echo "$REQUIREMENTS" >"$STAMP"
fi

# --- Iceberg's jars: the Spark runtime and the AWS bundle -----------------------------------------------------------------
# The stamp lists the artifacts; a jar missing or a stamp that differs (another version, an artifact added) fetches again.
JAR_ARTIFACTS="$ICEBERG_SPARK_ARTIFACT $ICEBERG_AWS_ARTIFACT"
JAR_STAMP="$JARS/.lakeplane-jars"
if [ ! -s "$JAR" ] || [ ! -s "$AWS_JAR" ] || [ "$(cat "$JAR_STAMP" 2>/dev/null)" != "$JAR_ARTIFACTS" ]; then
  command -v mvn >/dev/null 2>&1 || die "no mvn on PATH (Debian: apt-get install maven)"
  log="$CACHE_ROOT/maven-interop.log"
  : >"$log"
  for artifact in $JAR_ARTIFACTS; do
    say "downloading $artifact with Maven (first time only)"
    # Offline first: it may already be in ~/.m2.
    copy() { mvn -B -q "$@" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="$artifact" -DoutputDirectory="$JARS" -Dmdep.overWriteReleases=true >>"$log" 2>&1; }
    copy -o || copy || { tail -n 30 "$log" >&2; die "Maven could not fetch $artifact (log: $log)"; }
  done
  [ -s "$JAR" ] || die "Maven ran but $JAR is missing (log: $log)"
  [ -s "$AWS_JAR" ] || die "Maven ran but $AWS_JAR is missing (log: $log)"
  echo "$JAR_ARTIFACTS" >"$JAR_STAMP"
fi

# --- what the suites read -----------------------------------------------------------------------------------------------
printf 'LAKEPLANE_INTEROP_PYTHON=%q\n' "$VENV/bin/python"
printf 'LAKEPLANE_ICEBERG_SPARK_JAR=%q\n' "$JAR"
printf 'LAKEPLANE_ICEBERG_AWS_JAR=%q\n' "$AWS_JAR"
