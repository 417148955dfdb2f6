#!/usr/bin/env bash
# Installs (Debian's package) and starts a throwaway PostgreSQL server for the test suites, then prints the
# DATABASE_URL to use. Idempotent: a server already answering on the port is reused.
set -euo pipefail
PORT="${LAKEPLANE_PG_PORT:-54329}"
DATA="${LAKEPLANE_PG_DATA:-/tmp/lakeplane-pg-$PORT}"
URL="postgres://lakeplane:lakeplane@127.0.0.1:$PORT/lakeplane"

pg_bin() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/postgres" ] && echo "$dir"
}

if ! BIN=$(pg_bin); then
  echo "installing PostgreSQL from Debian's packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
  BIN=$(pg_bin)
fi

if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
  echo "$URL"
  exit 0
fi

# The server refuses to run as root; the postgres user comes with the package.
RUN=()
if [ "$(id -u)" = "0" ]; then RUN=(runuser -u postgres --); fi
rm -rf "$DATA"
mkdir -p "$DATA"
[ "$(id -u)" = "0" ] && chown postgres: "$DATA"
"${RUN[@]}" "$BIN/initdb" -D "$DATA" -A trust -U postgres >/dev/null
# Tests create a database per file and run in parallel; fsync off is for throwaway data only.
"${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" start >/dev/null
"$BIN/psql" -q -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -c "create role lakeplane login superuser password 'lakeplane'" -c "create database lakeplane owner lakeplane" >/dev/null
echo "$URL"
