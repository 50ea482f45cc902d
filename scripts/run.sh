#!/usr/bin/env bash
# The first README command: installs what is missing, builds, makes development certificates,
# starts a private PostgreSQL when no DATABASE_URL is given, and runs the server in the
# foreground (HTTPS on port 8443, client certificate required). Extra arguments go to the
# server, e.g. `scripts/run.sh --port 9443`; `scripts/run.sh --help` lists them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
# The build folder scripts/test.sh uses too, in the same build type (the default,
# RelWithDebInfo), so that neither rebuilds everything after the other; no tests here.
cmake -S . -B build -G Ninja -DSP_BUILD_TESTS=OFF >/dev/null
cmake --build build --target sp-adapter
certs/make-dev-certs.sh >&2
# Revoked client certificates are refused (certificates made before the CRL existed have none).
if [[ -z "${SP_CLIENT_CRL:-}" && -f certs/out/ca.crl ]]; then export SP_CLIENT_CRL=certs/out/ca.crl; fi

if [[ -z "${DATABASE_URL:-}" ]]; then
  DATABASE_URL="$(scripts/embedded-postgres.sh start)"
  echo "run: using the private PostgreSQL ($DATABASE_URL; scripts/embedded-postgres.sh stop ends it)" >&2
fi
export DATABASE_URL
exec build/adapter/sp-adapter "$@"
