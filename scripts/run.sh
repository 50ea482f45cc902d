#!/usr/bin/env bash
# The first README command: installs what is missing, builds, makes development certificates,
# starts a private PostgreSQL when no DATABASE_URL is given, and runs the server in the
# foreground: the adapter on loopback (SP_PORT, default 8444) and the TLS edge in front of it
# (HAProxy, scripts/tls-edge.sh) serving HTTPS on SP_EDGE_PORT (default 8443) to clients with a
# certificate of the development CA. Ctrl-C or SIGTERM stops both.
# Extra arguments go to the adapter, e.g. `scripts/run.sh --threads 4`; `scripts/run.sh --help`
# lists them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

scripts/install-deps.sh
# The build folder scripts/test.sh uses too, in the same build type (the default,
# RelWithDebInfo), so that neither rebuilds everything after the other; no tests here.
cmake -S . -B build -G Ninja -DSP_BUILD_TESTS=OFF >/dev/null
cmake --build build --target sp-adapter
for arg in "$@"; do
  [[ "$arg" == --help ]] && exec build/adapter/sp-adapter --help
done
certs/make-dev-certs.sh >&2

if [[ -z "${DATABASE_URL:-}" ]]; then
  DATABASE_URL="$(scripts/embedded-postgres.sh start)"
  echo "run: using the private PostgreSQL ($DATABASE_URL; scripts/embedded-postgres.sh stop ends it)" >&2
fi
export DATABASE_URL

edge_port="${SP_EDGE_PORT:-8443}"
adapter_port="${SP_PORT:-8444}"
run_dir=".data/run"
mkdir -p "$run_dir"
rm -f "$run_dir/adapter.port"
base_url=()
[[ -n "${SP_BASE_URL:-}" ]] || base_url=(--base-url "https://localhost:$edge_port")

pids=()
stop_all() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop_all EXIT
trap 'exit 130' INT TERM

build/adapter/sp-adapter --host 127.0.0.1 --port "$adapter_port" "${base_url[@]}" \
  --port-file "$run_dir/adapter.port" "$@" &
pids+=($!)
until [[ -s "$run_dir/adapter.port" ]]; do
  kill -0 "${pids[0]}" 2>/dev/null || { wait "${pids[0]}"; exit 1; }
  sleep 0.1
done

scripts/tls-edge.sh --listen "${SP_EDGE_LISTEN:-0.0.0.0:$edge_port}" \
  --backend "127.0.0.1:$adapter_port" \
  --cert certs/out/server.crt --key certs/out/server.key \
  --ca certs/out/ca.crt --crl certs/out/ca.crl --run-dir "$run_dir/edge" &
pids+=($!)
echo "run: HTTPS on port $edge_port (TLS edge: HAProxy), adapter on 127.0.0.1:$adapter_port" >&2
# Either one ending ends both.
wait -n
