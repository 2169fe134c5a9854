#!/usr/bin/env bash
# DKIM signatures per second through the whole path router -> keystore (the router's gRPC
# KeystoreClient, which coalesces concurrent messages into shared Keystore.Sign requests,
# against a running `postern keystore`), RSA-2048, Ed25519 and both per message, printed
# beside `openssl speed` (one process, and -multi 2) for the same algorithms on this machine
# in the same run, with the ratios. Each case is run with coalescing off (every message its
# own request: max in flight = concurrency) and on (1, 2 and 4 requests in flight). Writes
# bench/results/<date>-dkim-sign.txt.
#
# Usage: bench/dkim_sign.sh [seconds per case, default 5] [concurrency (messages), default 16]
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

RAW="$WORK/raw.txt"
{
  echo "# DKIM signing through router -> keystore vs openssl speed, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "# host: $(nproc) CPU(s), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "# load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# postern keystore on 127.0.0.1:$PORT (pid $KS_PID), client: $BENCH, ${SECS}s per case, $CONCURRENCY messages in flight"
  echo
  echo "== Postern (router's KeystoreClient -> postern keystore)"
  echo "# one message = one signature per selector listed; in_flight=$CONCURRENCY: no coalescing"
  echo "# (every message its own Keystore.Sign, as before); in_flight=1/2/4: coalesced"
  for sel in rsa2048 ed rsa2048,ed; do
    for in_flight in "$CONCURRENCY" 1 2 4; do
      "$BENCH" "127.0.0.1:$PORT" "$WORK/var/cluster.token" bench.test "$sel" "$CONCURRENCY" "$SECS" "$in_flight" "$KS_PID"
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
} | tee "$RAW"
{
  cat "$RAW"
  echo
  echo "== Postern as a percentage of openssl speed (computed from the lines above)"
  python3 - "$RAW" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
single, multi = text.split("== openssl speed -seconds")[1].split("== openssl speed -multi")
def speeds(block):
    rsa = float(re.search(r"^rsa 2048 bits\s+\S+\s+\S+\s+([\d.]+)", block, re.M).group(1))
    ed = float(re.search(r"EdDSA \(Ed25519\)\s+\S+\s+\S+\s+([\d.]+)", block, re.M).group(1))
    return {"rsa2048": rsa, "ed": ed,
            # a message with both: one RSA and one Ed25519 signature, in sequence
            "rsa2048,ed": 2 / (1 / rsa + 1 / ed)}
s1, s2 = speeds(single), speeds(multi)
print("# case                       rate/s  vs openssl(1 proc)  vs openssl -multi 2  sig/keystore-cpu-s  vs openssl(1 proc)")
for line in text.splitlines():
    m = re.match(r"^(\S+) \S+ messages=\d+ in_flight=(\d+) .*rate=([\d.]+)/s.*?(?:sig/cpu-s=([\d.]+))?$", line)
    if not m:
        continue
    sel, flight, rate, per_cpu = m.group(1), m.group(2), float(m.group(3)), m.group(4)
    cpu = float(per_cpu) if per_cpu else 0.0
    print(f"{sel:11s} in_flight={flight:3s} {rate:9.1f} {100 * rate / s1[sel]:14.0f}% {100 * rate / s2[sel]:18.0f}%"
          f" {cpu:19.1f} {100 * cpu / s1[sel]:17.0f}%")
PY
} >"$OUT"
echo
tail -n 12 "$OUT"
