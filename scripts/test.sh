#!/usr/bin/env bash
# The second README command: installs what is missing, builds with warnings as errors, starts
# one private PostgreSQL for the run (in a temporary folder, on a free port) and runs every
# test with ctest: unit tests (no I/O) and integration tests (real PostgreSQL, the real server
# over HTTP and HTTPS). Extra arguments go to ctest, e.g. `scripts/test.sh -L unit`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
cmake -S . -B build -G Ninja -DSP_WERROR=ON >/dev/null
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

ctest --test-dir build --output-on-failure -j2 "$@"
