#!/usr/bin/env bash
# DKIM signatures per second through the whole path router -> keystore (the router's gRPC
# KeystoreClient against a running `postern keystore`, N requests in flight), RSA-2048 and
# Ed25519, printed beside `openssl speed` (one process, and -multi 2) for the same algorithms
# on this machine in the same run. Writes bench/results/<date>-dkim-sign.txt.
#
# Usage: bench/dkim_sign.sh [seconds per case, default 5] [concurrency, default 16]
# BUILD_DIR overrides the build directory (default: <repo>/build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
SECS=${1:-5}
CONCURRENCY=${2:-16}
OUT="$ROOT/bench/results/$(date -u +%Y-%m-%d)-dkim-sign.txt"

cmake --build "$BUILD_DIR" --target postern posternctl dkim_sign_bench >/dev/null
POSTERN=$(find "$BUILD_DIR" -name postern -type f -perm -u+x | head -n 1)
POSTERNCTL=$(find "$BUILD_DIR" -name posternctl -type f -perm -u+x | head -n 1)
BENCH=$(find "$BUILD_DIR" -name dkim_sign_bench -type f -perm -u+x | head -n 1)

WORK=$(mktemp -d)
KS_PID=""
cleanup() {
  if [ -n "$KS_PID" ]; then kill "$KS_PID" 2>/dev/null || true; wait "$KS_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cat >"$WORK/postern.yaml" <<YAML
node: {name: bench, data_dir: $WORK/var}
internet: {hostname: bench.postern.test}
keystore: {listen: "127.0.0.1:$PORT"}
YAML
"$POSTERN" keystore --config "$WORK/postern.yaml" >"$WORK/keystore.log" 2>&1 &
KS_PID=$!
for _ in $(seq 1 100); do
  if (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
  sleep 0.1
done
ctl() { "$POSTERNCTL" --server "127.0.0.1:$PORT" --token-file "$WORK/var/admin.token" keymgmt "$@" >/dev/null; }
ctl create nek main
ctl create credstore main
ctl create dkim bench.test rsa2048 rsa 2048
ctl create dkim bench.test ed ed25519

{
  echo "# DKIM signing through router -> keystore vs openssl speed, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# host: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "# load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# postern keystore on 127.0.0.1:$PORT, client: $BENCH, ${SECS}s per case, concurrency $CONCURRENCY"
  echo
  echo "== Postern (router's KeystoreClient -> postern keystore), signatures/s"
  echo "# batch=1: one digest per Keystore.Sign (a message with one selector); batch=8: eight"
  for sel in rsa2048 ed; do
    for batch in 1 8; do
      "$BENCH" "127.0.0.1:$PORT" "$WORK/var/cluster.token" bench.test "$sel" "$CONCURRENCY" "$SECS" "$batch"
    done
  done
  echo
  echo "== openssl speed -seconds $SECS rsa2048 ed25519 (sign/s is the figure to compare)"
  openssl speed -seconds "$SECS" rsa2048 ed25519 2>/dev/null | grep -E '^(rsa 2048| *sign|.*EdDSA|  *op)' || true
  echo
  echo "== openssl speed -multi 2 -seconds $SECS rsa2048 ed25519"
  openssl speed -multi 2 -seconds "$SECS" rsa2048 ed25519 2>/dev/null | grep -E '^(rsa 2048| *sign|.*EdDSA|  *op)' || true
  echo
  echo "# load after the run: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$OUT"
echo "written: $OUT"
