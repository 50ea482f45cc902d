#!/usr/bin/env bash
# The impact report on a generated year of referrals: bench/reports/run.sh (see bench/README.md,
# "Impact report benchmark").
#
# Starts a private PostgreSQL and sp-adapter (plain HTTP, --dev-open-reports), makes the
# template resources through the API (bench/reports/templates.py), clones them in SQL into a
# year of referrals (bench/reports/generate.sql), then asks for the report several times and
# prints, per request: the median and best wall time, and the CPU time the server and
# PostgreSQL spent on it (so a busy machine can be told apart from a slow report).
#
# Environment (defaults in brackets):
#   REPORT_REFERRALS [100000]  referrals in 2025       REPORT_PATIENTS [70000]   people
#   REPORT_SERVICES [40]       directory services      REPORT_RUNS [5]           runs per request
#   REPORT_PG_PORT [55532]     first port tried for PostgreSQL
#   SP_ADAPTER [build/adapter/sp-adapter]              the server binary (built if missing)
# Everything started here is stopped on exit; the temporary folder is removed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

referrals="${REPORT_REFERRALS:-100000}"
patients="${REPORT_PATIENTS:-70000}"
services="${REPORT_SERVICES:-40}"
runs="${REPORT_RUNS:-5}"
pg_port="${REPORT_PG_PORT:-55532}"
adapter="${SP_ADAPTER:-$repo/build/adapter/sp-adapter}"
results="$repo/bench/results"
report="$results/reports-latest.txt"
year_start_ms=1735689600000  # 2025-01-01T00:00:00Z

say() { echo "reports bench [${SECONDS}s]: $*" >&2; }
die() { say "error: $*"; exit 1; }
for v in referrals patients services runs pg_port; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
command -v psql >/dev/null || die "psql not found (scripts/install-deps.sh)"
command -v curl >/dev/null || die "curl not found"
command -v python3 >/dev/null || die "python3 not found"
if [[ ! -x "$adapter" ]]; then
  say "building $adapter"
  build="$(dirname "$(dirname "$adapter")")"
  [[ -f "$build/build.ninja" ]] || cmake -S "$repo" -B "$build" -G Ninja >/dev/null
  ninja -C "$build" sp-adapter >/dev/null
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
while port_in_use "$pg_port"; do pg_port=$((pg_port + 1)); done

tmp="$(mktemp -d /tmp/sp-reports-bench-XXXXXX)"
chmod 755 "$tmp"
server_pid=""
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  scripts/embedded-postgres.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  rm -rf "$tmp"
}
trap cleanup EXIT

say "starting PostgreSQL on port $pg_port"
# Generated data: durability does not matter, and the report only reads.
url="$(SP_PG_FAST=1 SP_PG_PORT=$pg_port scripts/embedded-postgres.sh start "$tmp/pg" 2>"$tmp/pg.log")"
postmaster="$(head -1 "$tmp/pg/postmaster.pid")"

"$adapter" --port 0 --host 127.0.0.1 --plain-http --dev-open-reports --quiet \
  --handover-sweep-ms 0 --database-url "$url" --port-file "$tmp/port" \
  --profiles-dir "$repo/fhir-profiles" >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 300); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
[[ -s "$tmp/port" ]] || { cat "$tmp/server.log" >&2; die "sp-adapter did not start"; }
base="http://127.0.0.1:$(head -1 "$tmp/port")"

say "templates through the API"
python3 bench/reports/templates.py "$base" "$services" >&2
say "cloning $referrals referrals for $patients people in SQL"
psql -q -X "$url" -v referrals="$referrals" -v patients="$patients" -v services="$services" \
  -v year_start="$year_start_ms" -f bench/reports/generate.sql >"$tmp/generate.log" 2>&1 ||
  { cat "$tmp/generate.log" >&2; die "generate.sql failed"; }
psql -q -X "$url" -c "VACUUM ANALYZE" -c "CHECKPOINT" >/dev/null
# Wait until no autovacuum worker runs, so that its CPU is not counted as the report's.
for _ in $(seq 1 120); do
  busy="$(psql -qAtX "$url" -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")"
  [[ "$busy" == 0 ]] && break
  sleep 1
done
# A second VACUUM: the first, right after the load, left half the pages of the index tables
# and of the version history not marked all-visible (seen on 2026-11-26), and the report's
# index-only scans then visit the table for every row on them (a year's referral facts took a
# quarter longer). Autovacuum would mark them in time on a live database.
psql -qX "$url" -c "VACUUM" >/dev/null
counts="$(psql -qAtX "$url" -c "SELECT string_agg(res_type || ' ' || n, ', ' ORDER BY res_type)
  FROM (SELECT res_type, count(*) AS n FROM resources GROUP BY res_type) c")"
size="$(psql -qAtX "$url" -c "SELECT pg_size_pretty(pg_database_size(current_database()))")"

# CPU seconds (user + system, in clock ticks) of a process, or of PostgreSQL's processes
# (the postmaster's own and its children's, live or reaped).
ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_ticks() {
  local t
  t=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat")
  for p in $(pgrep -P "$postmaster"); do t=$((t + $(ticks "$p"))); done
  echo "$t"
}
hz=$(getconf CLK_TCK)

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

measure() {  # label path
  local label="$1" path="$2" times=() status s0 p0 s1 p1 bytes
  kill -0 "$server_pid" 2>/dev/null || { tail -20 "$tmp/server.log" >&2; die "sp-adapter is gone"; }
  curl -s -o /dev/null "$base$path" ||  # warm-up (caches, the report connection)
    { tail -20 "$tmp/server.log" >&2; die "no answer from sp-adapter to $path"; }
  s0=$(ticks "$server_pid"); p0=$(pg_ticks)
  for _ in $(seq 1 "$runs"); do
    read -r status t bytes < <(curl -s -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' "$base$path")
    [[ "$status" == 200 ]] || die "$path answered $status"
    times+=("$t")
  done
  s1=$(ticks "$server_pid"); p1=$(pg_ticks)
  local med best
  med=$(printf '%s\n' "${times[@]}" | median)
  best=$(printf '%s\n' "${times[@]}" | sort -n | head -1)
  printf '%-40s %8.3f s %8.3f s %9.3f s %9.3f s %9s\n' "$label" "$med" "$best" \
    "$(awk -v a="$s0" -v b="$s1" -v hz="$hz" -v n="$runs" 'BEGIN {print (b - a) / hz / n}')" \
    "$(awk -v a="$p0" -v b="$p1" -v hz="$hz" -v n="$runs" 'BEGIN {print (b - a) / hz / n}')" "$bytes"
}

year="2025-01-01/2025-12-31"
{
  echo "Impact report benchmark, $(date -u '+%Y-%m-%d %H:%M UTC') on $(hostname)"
  echo "sp-adapter: $adapter (built $(date -u -r "$adapter" '+%Y-%m-%d %H:%M UTC'))"
  echo "data: $referrals referrals in 2025 for $patients people, $services services; $counts; database $size"
  echo "machine: $(nproc) CPUs, load average before the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "runs per request: $runs (after one warm-up); CPU columns are per request"
  echo
  printf '%-40s %10s %10s %11s %11s %9s\n' "request" "median" "best" "server CPU" "postgres CPU" "bytes"
  measure "year, Parameters" "/\$impact-report?period=$year"
  measure "year, HTML page" "/reports?period=$year"
  measure "year, CSV" "/reports.csv?period=$year"
  measure "year, one locality (Parameters)" "/\$impact-report?period=$year&locality=Riverside"
  measure "quarter (Q2), Parameters" "/\$impact-report?period=2025-04-01/2025-06-30"
  measure "month (June), Parameters" "/\$impact-report?period=2025-06-01/2025-06-30"
  echo
  echo "load average after the runs: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "server's own timing of the last reports (read = SQL and transfer, figures = C++):"
  grep "impact report" "$tmp/server.log" | tail -3 | sed 's/^/  /'
} | tee "$tmp/report.txt"
mkdir -p "$results"
cp "$tmp/report.txt" "$report"
say "report written to $report"
