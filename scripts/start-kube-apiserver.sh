#!/usr/bin/env bash
# Starts a real Kubernetes API server for CRDs on loopback, for the Kubernetes runtime's tests: Debian's etcd and
# k8s.io/apiextensions-apiserver (built with go install, cached in GOPATH), as ../shared/ref/kubernetes/NOTES.md
# describes. It serves CRDs with their schema validation, resourceVersion, 404/409/422 and watch; it has no Pods.
# Clients authenticate with a client certificate of group system:masters, made here with openssl.
#
# Idempotent (a server already answering on the port is reused); progress on stderr; stdout gets only
#   LAKEPLANE_KUBECONFIG=<a kubeconfig with the client certificate>
# Environment: LAKEPLANE_KUBE_PORT (default 54393; etcd uses the two ports below it), LAKEPLANE_CACHE_DIR.
set -euo pipefail

VERSION=v0.34.2
PORT="${LAKEPLANE_KUBE_PORT:-54393}"
ETCD_CLIENT=$((PORT - 2))
ETCD_PEER=$((PORT - 1))
CACHE_ROOT="${LAKEPLANE_CACHE_DIR:-$HOME/.cache/lakeplane}"
DIR="$CACHE_ROOT/kube-$PORT"
KUBECONFIG_FILE="$DIR/client.kubeconfig"

say() { echo "start-kube-apiserver: $*" >&2; }
die() { say "$*"; exit 2; }

if ! command -v etcd >/dev/null; then
  say "installing etcd from Debian's packages"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 && apt-get install -y -qq etcd-server >&2
  # The package starts a system etcd on the default ports; ours runs on its own.
  (systemctl disable --now etcd >/dev/null 2>&1 || pkill -x etcd || true)
fi
command -v etcd >/dev/null || die "no etcd (apt-get install etcd-server)"

GOBIN_DIR="$(go env GOPATH 2>/dev/null)/bin"
APISERVER="$GOBIN_DIR/apiextensions-apiserver"
if [ ! -x "$APISERVER" ]; then
  command -v go >/dev/null || die "Go is needed to build k8s.io/apiextensions-apiserver"
  say "building k8s.io/apiextensions-apiserver@$VERSION (about 10 minutes the first time; cached after)"
  go install "k8s.io/apiextensions-apiserver@$VERSION" >&2
fi

# Discovery answers even when etcd is gone, so etcd's own health is asked too.
answering() { [ -f "$KUBECONFIG_FILE" ] && curl -sf "http://127.0.0.1:$ETCD_CLIENT/health" >/dev/null 2>&1 && curl -sf -k --cert "$DIR/client.crt" --key "$DIR/client.key" "https://127.0.0.1:$PORT/apis/apiextensions.k8s.io/v1" >/dev/null 2>&1; }
if answering; then
  echo "LAKEPLANE_KUBECONFIG=$KUBECONFIG_FILE"
  exit 0
fi

# A half-started pair (one of them gone) is replaced whole: the API server caches what it read from etcd.
for pidfile in "$DIR/apiserver.pid" "$DIR/etcd.pid"; do
  [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
done
rm -rf "$DIR"
mkdir -p "$DIR/certs"
# This etcd holds throwaway test objects: its data lives in memory (tmpfs) when the machine has one, so a write is
# not an fsync to disk (etcd 3.4 has no --unsafe-no-fsync). LAKEPLANE_KUBE_ETCD_DATA puts it elsewhere.
ETCD_DATA="${LAKEPLANE_KUBE_ETCD_DATA:-}"
if [ -z "$ETCD_DATA" ]; then
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then ETCD_DATA="/dev/shm/lakeplane-etcd-$PORT"; else ETCD_DATA="$DIR/etcd"; fi
fi
rm -rf "$ETCD_DATA"
mkdir -p "$ETCD_DATA"
say "etcd on 127.0.0.1:$ETCD_CLIENT (data in $ETCD_DATA)"
nohup etcd --data-dir "$ETCD_DATA" --listen-client-urls "http://127.0.0.1:$ETCD_CLIENT" --advertise-client-urls "http://127.0.0.1:$ETCD_CLIENT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER" --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER" \
  --initial-cluster "default=http://127.0.0.1:$ETCD_PEER" >"$DIR/etcd.log" 2>&1 &
echo $! >"$DIR/etcd.pid"

# A client CA and one client certificate in system:masters: the server allows that group without asking anyone.
openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=lakeplane-test-ca" -keyout "$DIR/ca.key" -out "$DIR/ca.crt" >/dev/null 2>&1
openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=lakeplane-test" -keyout "$DIR/client.key" -out "$DIR/client.csr" >/dev/null 2>&1
openssl x509 -req -in "$DIR/client.csr" -CA "$DIR/ca.crt" -CAkey "$DIR/ca.key" -CAcreateserial -days 3650 -out "$DIR/client.crt" >/dev/null 2>&1

# The server wants a kubeconfig for its own delegated clients even when they are never used: itself, no user.
cat >"$DIR/self.kubeconfig" <<KC
apiVersion: v1
kind: Config
clusters: [{name: self, cluster: {server: "https://127.0.0.1:$PORT", insecure-skip-tls-verify: true}}]
contexts: [{name: self, context: {cluster: self}}]
current-context: self
KC
cat >"$KUBECONFIG_FILE" <<KC
apiVersion: v1
kind: Config
clusters: [{name: lakeplane-test, cluster: {server: "https://127.0.0.1:$PORT", insecure-skip-tls-verify: true}}]
users: [{name: lakeplane-test, user: {client-certificate: "$DIR/client.crt", client-key: "$DIR/client.key"}}]
contexts: [{name: lakeplane-test, context: {cluster: lakeplane-test, user: lakeplane-test, namespace: lakeplane-jobs}}]
current-context: lakeplane-test
KC

for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$ETCD_CLIENT/health" >/dev/null 2>&1 && break; sleep 0.2; done
say "apiextensions-apiserver on https://127.0.0.1:$PORT"
nohup "$APISERVER" --etcd-servers "http://127.0.0.1:$ETCD_CLIENT" --secure-port "$PORT" --bind-address 127.0.0.1 --cert-dir "$DIR/certs" \
  --client-ca-file "$DIR/ca.crt" --authentication-skip-lookup --authentication-kubeconfig "$DIR/self.kubeconfig" \
  --authorization-kubeconfig "$DIR/self.kubeconfig" --kubeconfig "$DIR/self.kubeconfig" \
  --disable-admission-plugins NamespaceLifecycle,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy,MutatingAdmissionPolicy \
  >"$DIR/apiserver.log" 2>&1 &
echo $! >"$DIR/apiserver.pid"

for _ in $(seq 1 150); do
  if answering; then
    echo "LAKEPLANE_KUBECONFIG=$KUBECONFIG_FILE"
    exit 0
  fi
  sleep 0.2
done
tail -20 "$DIR/apiserver.log" >&2
die "the API server did not answer within 30 s (log: $DIR/apiserver.log)"
