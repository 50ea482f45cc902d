#!/usr/bin/env bash
# Installs the Debian 12 packages needed to build, test and benchmark the server,
# but only those not installed yet (apt-get runs only when something is missing).
# Uses sudo when not root. Installing postgresql may start the system cluster on
# port 5432; that is harmless, the project runs its own (scripts/embedded-postgres.sh).
#
# Usage: scripts/install-deps.sh
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libpistache-dev rapidjson-dev libssl-dev libpqxx-dev libcurl4-openssl-dev
  libgtest-dev libgmock-dev zlib1g-dev  # zlib: the tests read the gzipped R4 JSON Schema
  postgresql-15 postgresql-contrib
  openssl wrk ca-certificates curl
  haproxy  # the TLS edge in front of the adapter (scripts/tls-edge.sh)
  nodejs   # TLS clients the project did not write, in the tests (tests/integration/node)
  clang-14 libclang-rt-14-dev  # libFuzzer and its sanitizer runtimes (tests/fuzz)
  clang-format-14  # the formatting check (scripts/check-format.sh)
  chromium  # headless, for the report page test (tests/integration/reports_pgtest.cpp)
  python3-jsonschema  # the ORUK schemas (draft 2020-12) in directory_feed_pgtest
)

missing=()
for p in "${packages[@]}"; do
  status="$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)"
  [[ "$status" == installed ]] || missing+=("$p")
done

if (( ${#missing[@]} == 0 )); then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo=()
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi

echo "install-deps: installing ${missing[*]}"
"${sudo[@]}" apt-get update
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y --no-install-recommends "${missing[@]}"
