#!/usr/bin/env bash
# Directory feed import benchmark (issue 22): Open Referral UK services imported per second by
# POST HealthcareService/$sync-feed from a generated ORUK 3.0 feed (bench/feeds/feed_server.py:
# BENCH_FEED_SERVICES fully nested services, each with its organisation, location, schedule and
# taxonomy term), into an empty database, then the same feed again (nothing changes: the
# idempotent pass).
#
# Settings (environment): BENCH_FEED_SERVICES [10000]; BENCH_FEED_PER_PAGE [100];
# BENCH_FEED_NESTED [0] 1: read each service again from /services/{id}, as for a feed whose
# pages hold list items only; BENCH_PG_PORT [55470], BENCH_ADAPTER_PORT [18121] first ports
# tried; BENCH_ADAPTER_BIN [build/adapter/sp-adapter].
# Report: stdout and bench/results/feed-latest.txt.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
count="${BENCH_FEED_SERVICES:-10000}"
per_page="${BENCH_FEED_PER_PAGE:-100}"
nested="${BENCH_FEED_NESTED:-0}"
adapter_bin="${BENCH_ADAPTER_BIN:-$repo/build/adapter/sp-adapter}"
results_dir="$repo/bench/results"
report_file="$results_dir/feed-latest.txt"

say() { echo "feed-bench [${SECONDS}s]: $*" >&2; }
die() { say "error: $*"; exit 1; }
for v in count per_page nested; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
[[ -x "$adapter_bin" ]] || die "build sp-adapter first: cmake --build build"
command -v curl >/dev/null || die "curl not found"

tmp="$(mktemp -d /tmp/spfeedbench.XXXXXX)"
chmod 755 "$tmp"
pg_data="$tmp/pg"
server_pid=""
feed_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  [[ -n "$server_pid" ]] && kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [[ -n "$feed_pid" ]] && kill -TERM "$feed_pid" 2>/dev/null && wait "$feed_pid" 2>/dev/null
  [[ -d "$pg_data" ]] && scripts/embedded-postgres.sh stop "$pg_data" >/dev/null 2>&1
  if (( status != 0 )); then tail -n 15 "$tmp"/*.log >&2 2>/dev/null; fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p=$1
  for _ in $(seq 100); do port_in_use "$p" || { echo "$p"; return; }; p=$((p + 1)); done
  die "no free port from $1 upwards"
}

say "generating and serving $count services"
python3 bench/feeds/feed_server.py 0 "$count" "$per_page" "$tmp/feed-port" >"$tmp/feed.log" 2>&1 &
feed_pid=$!
for _ in $(seq 600); do [[ -s "$tmp/feed-port" ]] && break; sleep 0.1; done
[[ -s "$tmp/feed-port" ]] || die "the feed server did not start"
feed_port="$(cat "$tmp/feed-port")"

cp -r mappings "$tmp/mappings"
rm -f "$tmp/mappings/feeds/"*.json
nested_json=false
(( nested )) && nested_json=true
cat >"$tmp/mappings/feeds/bench.json" <<JSON
{"description": "bench/feed_bench.sh", "baseUrl": "http://127.0.0.1:$feed_port",
 "version": "3.0", "partner": "ADM0001", "identifierBase": "https://bench.example.org/id",
 "pageSize": $per_page, "nested": $nested_json,
 "conceptMaps": {"category": "https://fhir.social-prescribing.example.org/ConceptMap/oruk-taxonomy-category",
                 "cohort": "https://fhir.social-prescribing.example.org/ConceptMap/oruk-taxonomy-cohort"}}
JSON

pg_port="$(free_port "${BENCH_PG_PORT:-55470}")"
say "starting PostgreSQL on $pg_port (durable: fsync on)"
pg_url="$(env -u SP_PG_FAST SP_PG_PORT="$pg_port" scripts/embedded-postgres.sh start "$pg_data" 2>"$tmp/pg.log" | tail -n 1)"
adapter_port="$(free_port "${BENCH_ADAPTER_PORT:-18121}")"
"$adapter_bin" --plain-http --quiet --host 127.0.0.1 --port "$adapter_port" \
  --database-url "$pg_url" --handover-sweep-ms 0 --delivery off --mappings-dir "$tmp/mappings" \
  --port-file "$tmp/port" >"$tmp/adapter.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
[[ -s "$tmp/port" ]] || die "sp-adapter did not start"

sync_once() {  # prints "<seconds> <summary>"
  local start end
  start=$(date +%s.%N)
  curl -sS -X POST "http://127.0.0.1:$adapter_port/HealthcareService/\$sync-feed?feed=bench" \
    -o "$tmp/outcome.json" -w '%{http_code}' >"$tmp/status"
  end=$(date +%s.%N)
  [[ "$(cat "$tmp/status")" == 200 ]] || die "sync answered $(cat "$tmp/status"): $(head -c 500 "$tmp/outcome.json")"
  summary="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["issue"][0]["diagnostics"])' "$tmp/outcome.json")"
  echo "$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }') $summary"
}

say "first sync (empty database)"
read -r first_s first_summary <<<"$(sync_once)"
say "second sync (unchanged feed)"
read -r second_s second_summary <<<"$(sync_once)"
rate() { awk -v n="$count" -v s="$1" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }'; }

mkdir -p "$results_dir"
{
  echo "Directory feed import ($(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores)"
  echo "feed: $count ORUK 3.0 services, $per_page per page, nested reads: $nested_json"
  echo "first sync:  ${first_s} s, $(rate "$first_s") services/s  ($first_summary)"
  echo "second sync: ${second_s} s, $(rate "$second_s") services/s  ($second_summary)"
} | tee "$report_file"
