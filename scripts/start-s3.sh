#!/usr/bin/env bash
# Installs (PyPI: moto[server], pinned, into a virtual environment of ours) and starts moto's S3-compatible server on
# loopback for the test suites, then prints its endpoint URL (export it as LAKEPLANE_S3_ENDPOINT). Idempotent: the
# virtual environment is kept under the cache (and pip's own cache is reused), and a moto already answering on the
# port is reused. moto accepts any access key; its objects live in memory and go with the process.
#
# Environment: LAKEPLANE_S3_PORT (default 54331; 54329 is scripts/start-postgres.sh's), LAKEPLANE_CACHE_DIR (default
# ~/.cache/lakeplane), LAKEPLANE_PYTHON_FOR_VENV (default python3). The server's log: $CACHE/moto-$PORT.log.
set -euo pipefail
MOTO_VERSION=5.2.5
PORT="${LAKEPLANE_S3_PORT:-54331}"
CACHE="${LAKEPLANE_CACHE_DIR:-$HOME/.cache/lakeplane}"
VENV="$CACHE/venv-moto"
URL="http://127.0.0.1:$PORT"
LOG="$CACHE/moto-$PORT.log"

# moto's own API answers only on a moto server: anything else on the port is not ours to reuse. A GET of reset-auth
# only says it wants a POST, whatever the server holds (data.json fails with a 500 once a bucket that held objects
# has been deleted, as the suites do).
is_moto() { curl -s -m 2 "$URL/moto-api/reset-auth" 2>/dev/null | grep -q 'reset Moto Auth'; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

if is_moto; then
  echo "$URL"
  exit 0
fi
if listening; then
  echo "something other than moto answers on 127.0.0.1:$PORT; set LAKEPLANE_S3_PORT to a free port" >&2
  exit 1
fi

mkdir -p "$CACHE"
if [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("moto"))' 2>/dev/null || true)" != "$MOTO_VERSION" ]; then
  echo "installing moto[server]==$MOTO_VERSION into $VENV" >&2
  if [ ! -x "$VENV/bin/python" ]; then
    PY="${LAKEPLANE_PYTHON_FOR_VENV:-python3}"
    if ! "$PY" -m venv "$VENV" >&2; then
      # Debian's Python keeps venv (ensurepip) in a package of its own.
      rm -rf "$VENV"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2 || { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >&2; }
      "$PY" -m venv "$VENV" >&2
    fi
  fi
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >&2
fi

# Detached from this shell and its output, so $(scripts/start-s3.sh) returns once the server answers.
setsid nohup "$VENV/bin/moto_server" -H 127.0.0.1 -p "$PORT" >"$LOG" 2>&1 </dev/null &
pid=$!
for _ in $(seq 1 150); do
  if is_moto; then
    echo "$URL"
    exit 0
  fi
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "moto_server exited; its log ($LOG):" >&2
    tail -n 30 "$LOG" >&2
    exit 1
  fi
  sleep 0.2
done
echo "moto_server did not answer on $URL within 30 s; its log ($LOG):" >&2
tail -n 30 "$LOG" >&2
exit 1
