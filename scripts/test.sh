#!/usr/bin/env bash
# The second README command: installs what is missing, builds with warnings as errors, starts
# one private PostgreSQL for the run (in a temporary folder, on a free port) and runs every
# test with ctest: unit tests (no I/O) and integration tests (real PostgreSQL, the real server
# over HTTP and HTTPS). Then the same suite again in the sanitizer build (clang-14, ASan and
# UBSan, any report fails its test; scripts/sanitized-build.sh), and the libFuzzer targets for
# SP_FUZZ_SECONDS (30) each (scripts/fuzz.sh).
# Extra arguments go to ctest, e.g. `scripts/test.sh -L unit`. SP_SANITIZERS=0 skips the
# sanitizer build and the fuzzing, for a quick local run; CI runs everything.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
# SP_BUILD_TESTS=ON: scripts/run.sh leaves it off in the same build folder.
cmake -S . -B build -G Ninja -DSP_WERROR=ON -DSP_BUILD_TESTS=ON >/dev/null
cmake --build build

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
port=$((55000 + RANDOM % 5000))
while port_in_use "$port"; do port=$((port + 1)); done

pgroot="$(mktemp -d /tmp/sp-test-pg-XXXXXX)"
chmod 755 "$pgroot"
cleanup() {
  scripts/embedded-postgres.sh stop "$pgroot/data" >/dev/null 2>&1 || true
  rm -rf "$pgroot"
}
trap cleanup EXIT
SP_TEST_DATABASE_URL="$(SP_PG_FAST=1 SP_PG_PORT=$port scripts/embedded-postgres.sh start "$pgroot/data")"
export SP_TEST_DATABASE_URL

echo "test: the suite in build (gcc)"
ctest --test-dir build --output-on-failure --no-tests=error -j2 "$@"

[[ "${SP_SANITIZERS:-1}" == 0 ]] && exit 0
echo "test: the suite in build-sanitize (clang-14, AddressSanitizer and UndefinedBehaviorSanitizer)"
scripts/sanitized-build.sh
(source scripts/sanitizer-options.sh &&
  ctest --test-dir build-sanitize --output-on-failure --no-tests=error -j2 "$@")
scripts/fuzz.sh
