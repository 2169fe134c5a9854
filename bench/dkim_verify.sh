#!/usr/bin/env bash
# DKIM verifications per CPU second (RSA-2048 and Ed25519, 10 KiB messages, relaxed/relaxed)
# through Postern's verifier, printed beside `openssl speed` for the same algorithms on this
# machine in the same run. DNS is left out (latency, not CPU; resolvers cache keys).
#
# Usage: bench/dkim_verify.sh [seconds per case, default 2]
# BUILD_DIR overrides the build directory (default: <repo>/build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
SECONDS_PER_CASE=${1:-2}

cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DPOSTERN_DKIM_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" --target dkim_verify_bench >/dev/null

bench=$(find "$BUILD_DIR" -name dkim_verify_bench -type f -perm -u+x | head -n 1)
echo "== Postern: $bench $SECONDS_PER_CASE"
"$bench" "$SECONDS_PER_CASE"

echo
echo "== openssl speed (verify/s is the figure to compare)"
openssl speed -seconds "$SECONDS_PER_CASE" rsa2048 2>/dev/null | grep -E '^(rsa 2048|  *sign)'
openssl speed -seconds "$SECONDS_PER_CASE" ed25519 2>/dev/null | grep -E 'Ed25519|sign'
