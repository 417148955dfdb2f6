#!/usr/bin/env bash
# Builds Lakeplane's Spark engine (engines/spark: the HiveServer2 authenticator, the Spark Connect interceptor and
# the Spark SQL extension a lakehouse's driver loads) with Maven, and fetches Spark Connect's server jar, which
# pyspark's package does not ship (served at 3.5.7, which runs on pyspark 3.5.9's Spark).
#
# Idempotent: the jar is rebuilt only when engines/spark's sources change (a stamp holds their hash). Progress goes
# to stderr; stdout gets only KEY=VALUE settings:
#   ENGINE_ENV=$(scripts/build-spark-engine.sh); set -a; eval "$ENGINE_ENV"; set +a
#   LAKEPLANE_SPARK_ENGINE_JAR   the engine jar
#   LAKEPLANE_SPARK_CONNECT_JARS the Connect server's jar(s), ':'-separated, for --driver-class-path
# Environment: LAKEPLANE_CACHE_DIR (default ~/.cache/lakeplane); Maven's cache is ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/.."

CONNECT_ARTIFACT="org.apache.spark:spark-connect_2.12:3.5.7"
CACHE_ROOT="${LAKEPLANE_CACHE_DIR:-$HOME/.cache/lakeplane}"
JARS="$CACHE_ROOT/jars"
ENGINE_JAR="$JARS/lakeplane-spark-engine.jar"
CONNECT_JAR="$JARS/spark-connect_2.12-3.5.7.jar"
SOURCES=engines/spark

die() { echo "build-spark-engine: $*" >&2; exit 2; }
say() { echo "build-spark-engine: $*" >&2; }
command -v mvn >/dev/null 2>&1 || die "no mvn on PATH (Debian: apt-get install maven openjdk-17-jdk-headless)"
mkdir -p "$JARS"

hash=$( (cd "$SOURCES" && find pom.xml src -type f -print0 | sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16)
STAMP="$JARS/.lakeplane-spark-engine"
if [ ! -s "$ENGINE_JAR" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$hash" ]; then
  say "building $SOURCES (sources $hash)"
  log="$CACHE_ROOT/maven-spark-engine.log"
  build="$(mktemp -d)"
  trap 'rm -rf "$build"' EXIT
  # Built outside the work tree, so a build leaves nothing behind in it.
  mvn -B -q -f "$SOURCES/pom.xml" -DbuildDirectory="$build" package >"$log" 2>&1 \
    || { tail -n 40 "$log" >&2; die "the Maven build failed (log: $log)"; }
  cp "$build"/lakeplane-spark-engine-*.jar "$ENGINE_JAR.tmp" && mv "$ENGINE_JAR.tmp" "$ENGINE_JAR"
  echo "$hash" >"$STAMP"
fi

if [ ! -s "$CONNECT_JAR" ]; then
  say "downloading $CONNECT_ARTIFACT with Maven (first time only)"
  log="$CACHE_ROOT/maven-spark-connect.log"
  copy() { mvn -B -q "$@" org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    -Dartifact="$CONNECT_ARTIFACT" -DoutputDirectory="$JARS" -Dmdep.overWriteReleases=true >"$log" 2>&1; }
  copy -o || copy || { tail -n 30 "$log" >&2; die "Maven could not fetch $CONNECT_ARTIFACT (log: $log)"; }
  [ -s "$CONNECT_JAR" ] || die "Maven ran but $CONNECT_JAR is missing (log: $log)"
fi

printf 'LAKEPLANE_SPARK_ENGINE_JAR=%q\n' "$ENGINE_JAR"
printf 'LAKEPLANE_SPARK_CONNECT_JARS=%q\n' "$CONNECT_JAR"
