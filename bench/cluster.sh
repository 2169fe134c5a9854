#!/usr/bin/env bash
# The cluster benchmark (bench/cluster.py) on a Release build: configures BUILD_DIR (default
# <repo>/build-release) with CMAKE_BUILD_TYPE=Release when it has no cache yet, builds postern
# and posternctl, and runs cluster.py with the arguments given (e.g. --quick, --save).
# Needs root (smtp-sink runs as nobody) and Postfix's smtp-source/smtp-sink.
#
# Usage: bench/cluster.sh [cluster.py arguments]
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export BUILD_DIR=${BUILD_DIR:-$ROOT/build-release}

if [ ! -f "$BUILD_DIR/CMakeCache.txt" ]; then
  cmake -S "$ROOT" -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$BUILD_DIR" --target postern posternctl >/dev/null
exec /usr/bin/python3 "$ROOT/bench/cluster.py" "$@"
