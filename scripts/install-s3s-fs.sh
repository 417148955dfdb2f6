#!/usr/bin/env bash
# Installs s3s-fs, a small S3 server over a directory that checks every request's SigV4 signature against the one key
# pair it is given. The remote-signing suites use it as the S3 a client can reach only with signatures Lakeplane made:
# the client never holds the keys, so a request the signer refused cannot succeed there.
#
# `cargo install` builds it from source (several minutes on two cores), once: the binary is cached under
# LAKEPLANE_CACHE_DIR (default ~/.cache/lakeplane)/s3s-fs-<version>/bin. Idempotent and quiet like the other install
# scripts: progress to stderr; stdout gets only LAKEPLANE_S3S_FS_BIN=<path>, so a caller can load it:
#   S3S_ENV=$(scripts/install-s3s-fs.sh); set -a; eval "$S3S_ENV"; set +a
set -euo pipefail

S3S_FS_VERSION=0.14.0 # the 0.14.x line builds on the machine's Rust; --locked keeps its dependency tree as released

CACHE_ROOT="${LAKEPLANE_CACHE_DIR:-$HOME/.cache/lakeplane}"
ROOT="$CACHE_ROOT/s3s-fs-$S3S_FS_VERSION"
BIN="$ROOT/bin/s3s-fs"

die() { echo "install-s3s-fs: $*" >&2; exit 2; }
say() { echo "install-s3s-fs: $*" >&2; }

if [ ! -x "$BIN" ]; then
  command -v cargo >/dev/null 2>&1 || die "no cargo on PATH (install Rust with rustup)"
  mkdir -p "$ROOT"
  log="$CACHE_ROOT/cargo-s3s-fs.log"
  say "building s3s-fs $S3S_FS_VERSION with cargo install (first time only; several minutes; log: $log)"
  cargo install s3s-fs --version "$S3S_FS_VERSION" --locked --features binary --root "$ROOT" -j 1 >"$log" 2>&1 \
    || { tail -n 30 "$log" >&2; die "cargo install failed (log: $log)"; }
  [ -x "$BIN" ] || die "cargo install finished but $BIN is missing"
fi
printf 'LAKEPLANE_S3S_FS_BIN=%q\n' "$BIN"
