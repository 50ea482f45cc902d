#!/usr/bin/env bash
# Builds the sanitizer build in build-sanitize: clang-14, AddressSanitizer and
# UndefinedBehaviorSanitizer with no recovery, and libFuzzer instrumentation (-DSP_FUZZ=ON), so
# one build serves both the test suite (scripts/test.sh) and the fuzz targets (scripts/fuzz.sh).
# -O1 with line tables only keeps reports readable and the build about twice as fast as -O2 -g.
#
# Usage: scripts/sanitized-build.sh [target...]   (no target: everything but the benchmarks)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

cmake -S . -B build-sanitize -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DSP_FUZZ=ON \
  -DSP_WERROR=ON -DSP_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -gline-tables-only" >/dev/null
if (( $# )); then
  cmake --build build-sanitize --target "$@"
else
  cmake --build build-sanitize
fi
