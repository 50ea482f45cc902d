#!/usr/bin/env bash
# TLS connection benchmark: bench/tls/run.sh  (see bench/README.md, "TLS edge")
#
# 200 clients (TLS_BENCH_CLIENTS) connect at once, each sending GET /healthz with its client
# certificate on a new connection, again and again, for TLS_BENCH_SECONDS: handshakes (requests
# answered) per second and the p50/p99 of a request on a new connection, with full handshakes and
# with resumed sessions (bench/tls/connect_storm.mjs, Node). Then the latency of one request while
# one idle TCP connection is open to the same port.
#
# Measured on the edge (HAProxy in front of the adapter, this build) and, when
# TLS_BENCH_OLD_ADAPTER_BIN names a build from before the edge (it served TLS itself with
# --tls-cert), on that too, in the same run: the "before".
#
# Environment (defaults in brackets):
#   TLS_BENCH_CLIENTS [200]  TLS_BENCH_SECONDS [10]  TLS_BENCH_THREADS [8] (adapter threads)
#   TLS_BENCH_OLD_ADAPTER_BIN []  TLS_BENCH_BUILD_DIR [build]
# Everything started here is stopped on exit. Needs node, haproxy, curl (scripts/install-deps.sh).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
clients="${TLS_BENCH_CLIENTS:-200}"
seconds="${TLS_BENCH_SECONDS:-10}"
threads="${TLS_BENCH_THREADS:-8}"
old_bin="${TLS_BENCH_OLD_ADAPTER_BIN:-}"
build_dir="${TLS_BENCH_BUILD_DIR:-build}"
adapter_bin="$build_dir/adapter/sp-adapter"
[[ -x "$adapter_bin" ]] || cmake --build "$build_dir" --target sp-adapter

say() { echo "tls-bench [${SECONDS}s]: $*" >&2; }
tmp="$(mktemp -d /tmp/sp-tls-bench-XXXXXX)"
chmod 755 "$tmp"
pids=()
cleanup() {
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  scripts/embedded-postgres.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

certs/make-dev-certs.sh "$tmp/certs" >/dev/null
pg_url="$(SP_PG_FAST=1 SP_PG_PORT="$(free_port)" scripts/embedded-postgres.sh start "$tmp/pg" 2>/dev/null | tail -n 1)"
c="$tmp/certs"

# After: the adapter on loopback behind the edge.
adapter_port="$(free_port)" edge_port="$(free_port)"
"$adapter_bin" --quiet --threads "$threads" --port "$adapter_port" --database-url "$pg_url" \
  --base-url "https://localhost:$edge_port" --handover-sweep-ms 0 >"$tmp/adapter.log" 2>&1 &
pids+=($!)
wait_port "$adapter_port" || { cat "$tmp/adapter.log"; exit 1; }
scripts/tls-edge.sh --listen "127.0.0.1:$edge_port" --backend "127.0.0.1:$adapter_port" \
  --cert "$c/server.crt" --key "$c/server.key" --ca "$c/ca.crt" --crl "$c/ca.crl" \
  --run-dir "$tmp/edge" >"$tmp/edge.log" 2>&1 &
pids+=($!)
wait_port "$edge_port" || { cat "$tmp/edge.log"; exit 1; }
targets=("edge:$edge_port")

# Before: a build that served TLS in-process.
if [[ -n "$old_bin" ]]; then
  old_port="$(free_port)"
  "$old_bin" --quiet --threads "$threads" --host 127.0.0.1 --port "$old_port" --database-url "$pg_url" \
    --tls-cert "$c/server.crt" --tls-key "$c/server.key" --client-ca "$c/ca.crt" \
    --client-crl "$c/ca.crl" --handover-sweep-ms 0 >"$tmp/old.log" 2>&1 &
  pids+=($!)
  wait_port "$old_port" || { cat "$tmp/old.log"; exit 1; }
  targets=("in-process:$old_port" "${targets[@]}")
fi

storm() {  # port mode seconds
  node bench/tls/connect_storm.mjs "https://localhost:$1" "$c/ca.crt" "$c/client-gp.crt" \
    "$c/client-gp.key" "$clients" "$3" "$2"
}

one_beside_idle() {  # port: seconds for one request while an idle TCP connection is open
  exec 3<>"/dev/tcp/127.0.0.1/$1"
  curl -s -o /dev/null -w '%{time_total}' --max-time 30 --cacert "$c/ca.crt" \
    --cert "$c/client-gp.crt" --key "$c/client-gp.key" "https://localhost:$1/healthz" || echo "failed"
  exec 3>&-
}

echo "TLS benchmark: $clients clients connecting at once, ${seconds} s each, adapter threads $threads, $(nproc) cores"
for target in "${targets[@]}"; do
  name="${target%%:*}" port="${target##*:}"
  say "$name: warm-up"
  storm "$port" full 2 >/dev/null
  for mode in full resumed; do
    say "$name: $mode handshakes"
    echo "$name $(storm "$port" "$mode" "$seconds")"
  done
  echo "$name one request beside one idle connection: $(one_beside_idle "$port") s"
done
