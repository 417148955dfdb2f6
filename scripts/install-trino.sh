#!/usr/bin/env bash
# Installs Trino's server for the end-to-end policy tests (test/interop/trino-policies.test.ts): the server tarball
# through Maven (io.trino:trino-server:476:tar.gz, ~800 MB, cached under ~/.m2), unpacked under the Lakeplane cache,
# and a Java new enough to run it (Trino 476 needs 24 or newer: the machine's second JDK, Temurin 25).
#
# Idempotent; progress on stderr; stdout gets only the settings, one KEY=VALUE a line:
#   TRINO_ENV=$(scripts/install-trino.sh); set -a; eval "$TRINO_ENV"; set +a
# (LAKEPLANE_TRINO_HOME, LAKEPLANE_TRINO_JAVA_HOME). Environment: LAKEPLANE_CACHE_DIR (default ~/.cache/lakeplane),
# LAKEPLANE_TRINO_JAVA_HOME to name the JDK yourself.
set -euo pipefail

TRINO_VERSION=476
CACHE_ROOT="${LAKEPLANE_CACHE_DIR:-$HOME/.cache/lakeplane}"
DIR="$CACHE_ROOT/trino"
TRINO_HOME="$DIR/trino-server-$TRINO_VERSION"

die() { echo "install-trino: $*" >&2; exit 2; }
say() { echo "install-trino: $*" >&2; }

java_major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p'; }

JAVA_HOME_FOR_TRINO="${LAKEPLANE_TRINO_JAVA_HOME:-}"
if [ -z "$JAVA_HOME_FOR_TRINO" ]; then
  for candidate in /usr/lib/jvm/* /opt/java/* "${JAVA_HOME:-}"; do
    [ -x "$candidate/bin/java" ] || continue
    major=$(java_major "$candidate" || true)
    if [ -n "$major" ] && [ "$major" -ge 24 ]; then JAVA_HOME_FOR_TRINO="$candidate"; break; fi
  done
fi
[ -n "$JAVA_HOME_FOR_TRINO" ] || die "no Java 24 or newer found under /usr/lib/jvm or /opt/java; set LAKEPLANE_TRINO_JAVA_HOME"

if [ ! -f "$TRINO_HOME/lib/io.trino_trino-main-$TRINO_VERSION.jar" ]; then
  command -v mvn >/dev/null || die "Maven is needed to fetch io.trino:trino-server:$TRINO_VERSION"
  mkdir -p "$DIR"
  say "fetching Trino $TRINO_VERSION's server (about 800 MB, once; Maven keeps it in ~/.m2)"
  mvn -q dependency:copy -Dartifact="io.trino:trino-server:$TRINO_VERSION:tar.gz" -DoutputDirectory="$DIR" >&2
  rm -rf "$TRINO_HOME"
  tar xzf "$DIR/trino-server-$TRINO_VERSION.tar.gz" -C "$DIR"
  rm -f "$DIR/trino-server-$TRINO_VERSION.tar.gz"
fi

printf 'LAKEPLANE_TRINO_HOME=%q\n' "$TRINO_HOME"
printf 'LAKEPLANE_TRINO_JAVA_HOME=%q\n' "$JAVA_HOME_FOR_TRINO"
