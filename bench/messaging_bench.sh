#!/usr/bin/env bash
# Messaging benchmark (issue 6): BaRS referral messages processed per second by
# POST /$process-message, against pgbench doing the same number of INSERTs per transaction on
# the same durable PostgreSQL, in the same run.
#
#   (m) wrk + bench/post_message.lua -> sp-adapter  POST /$process-message, a 10-entry BaRS
#       referral (bench/data/referral_message.json), each request a new referral (new Bundle.id,
#       NHS number, X-Request-Id), answered 200
#   (p) pgbench -> the same PostgreSQL  one transaction of N INSERTs of the message's JSON, where
#       N is the number of rows one message writes (measured by a probe before the run)
#
# Settings (environment): BENCH_THREADS [8] server HTTP threads (the server's default); BENCH_SECONDS [10];
# BENCH_CONNECTIONS [16] wrk connections and pgbench clients; BENCH_WARMUP [2] seconds;
# BENCH_PG_PORT [55452], BENCH_ADAPTER_PORT [18101] first ports tried; BENCH_ADAPTER_BIN
# [build/adapter/sp-adapter] the server binary (to compare two builds).
# Report: stdout and bench/results/messaging-latest.txt; raw output messaging-latest-raw.txt.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
threads="${BENCH_THREADS:-8}"
duration="${BENCH_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-16}"
warmup="${BENCH_WARMUP:-2}"
pgbin=/usr/lib/postgresql/15/bin
adapter_bin="${BENCH_ADAPTER_BIN:-$repo/build/adapter/sp-adapter}"
results_dir="$repo/bench/results"
report_file="$results_dir/messaging-latest.txt"
raw_file="$results_dir/messaging-latest-raw.txt"

say() { echo "messaging-bench [${SECONDS}s]: $*" >&2; }
die() { say "error: $*"; exit 1; }
for v in threads duration connections warmup; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
command -v wrk >/dev/null || die "wrk not found (scripts/install-deps.sh installs it)"
command -v curl >/dev/null || die "curl not found"
[[ -x "$pgbin/pgbench" ]] || die "PostgreSQL 15 tools not found in $pgbin"
[[ -x "$adapter_bin" ]] || die "build sp-adapter first: cmake --build build"

tmp="$(mktemp -d /tmp/spmsgbench.XXXXXX)"
chmod 755 "$tmp"   # the postgres OS user must reach the data directory inside
pg_data="$tmp/pg"
server_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  if [[ -n "$server_pid" ]]; then
    kill -TERM "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  fi
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
psql_sp() { "$pgbin/psql" -X -q -tA -h 127.0.0.1 -p "$pg_port" -U postgres -d sp "$@"; }
to_ms() {  # wrk latency ("180.00us", "1.44ms", "1.02s") to milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0;
    else if (v ~ /m$/) n *= 60000; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
# Waits (60 s at most) until no autovacuum worker runs: the messages' rows start autovacuum on
# the big tables, and its CPU would otherwise be taken from whichever side runs next.
settle() {
  for _ in $(seq 60); do
    [[ "$(psql_sp -c "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'")" == 0 ]] && return
    sleep 1
  done
}
# Rows one message adds: resource versions, the message log and conversation, the claim.
rows_written() {
  psql_sp -c "SELECT (SELECT count(*) FROM resource_versions) + (SELECT count(*) FROM message_log)
    + (SELECT count(*) FROM message_conversations) + (SELECT count(*) FROM message_claims)"
}

mkdir -p "$results_dir"
: >"$raw_file"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
pg_port="$(free_port "${BENCH_PG_PORT:-55452}")"
adapter_port="$(free_port "${BENCH_ADAPTER_PORT:-18101}")"
sed -e 's/^[[:space:]]*//' bench/data/referral_message.json | tr -d '\n' >"$tmp/message.json"
message_bytes="$(wc -c <"$tmp/message.json")"

say "starting a private PostgreSQL on 127.0.0.1:$pg_port (durable: SP_PG_FAST unset)"
pg_url="$(env -u SP_PG_FAST SP_PG_PORT="$pg_port" scripts/embedded-postgres.sh start "$pg_data" 2>"$tmp/pg.log" | tail -n 1)"
[[ "$pg_url" == postgresql://* ]] || die "PostgreSQL did not start"

say "starting sp-adapter on :$adapter_port ($threads threads)"
"$adapter_bin" --plain-http --quiet --host 127.0.0.1 --port "$adapter_port" --threads "$threads" \
  --database-url "$pg_url" --handover-sweep-ms 0 --port-file "$tmp/port" >"$tmp/adapter.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
[[ -s "$tmp/port" ]] || die "sp-adapter did not start"
base="http://127.0.0.1:$adapter_port"

# The receiver the messages are addressed to.
curl -sf -o /dev/null -X POST "$base/Organization" -H 'Content-Type: application/fhir+json' \
  -d '{"resourceType":"Organization","name":"SPoR","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"SPR0001"}]}' ||
  die "could not create the receiving Organization"

# Probe: two messages (the second finds the organisations the first made), then the rows the
# second one wrote: that is what pgbench writes per transaction.
probe() {
  sed -e "s/__BUNDLE_ID__/$(cat /proc/sys/kernel/random/uuid)/" -e "s/__NHS__/$1/" "$tmp/message.json" |
    curl -s -o "$tmp/probe.json" -w '%{http_code}' -X POST "$base/\$process-message" \
      -H 'Content-Type: application/fhir+json' -H "X-Request-Id: $(cat /proc/sys/kernel/random/uuid)" \
      -H "X-Correlation-Id: $(cat /proc/sys/kernel/random/uuid)" --data-binary @-
}
[[ "$(probe 9000000001)" == 200 ]] || die "probe message refused: $(head -c 600 "$tmp/probe.json")"
before="$(rows_written)"
[[ "$(probe 9000000002)" == 200 ]] || die "probe message refused: $(head -c 600 "$tmp/probe.json")"
rows_per_message=$(( $(rows_written) - before ))
say "one referral message writes $rows_per_message rows"

# (m) the adapter.
export BENCH_MESSAGE_FILE="$tmp/message.json"
wrk_args=(-t 2 -c "$connections" -s bench/post_message.lua)
(( warmup > 0 )) && wrk "${wrk_args[@]}" -d "${warmup}s" "$base" >/dev/null
# Statistics as autovacuum keeps them on a running server: the tables were empty a moment ago,
# and plans made on that picture (a report index scanned whole for a Task?focus look-up) would
# be measured instead of the steady state.
psql_sp -c "ANALYZE"
settle
logged_before="$(psql_sp -c 'SELECT count(*) FROM message_log')"
say "(m) wrk POST /\$process-message, $connections connections, ${duration}s"
m_out="$(wrk "${wrk_args[@]}" -d "${duration}s" --latency "$base")"
printf '==== (m) wrk %s -d %ss --latency\n%s\n\n' "${wrk_args[*]}" "$duration" "$m_out" >>"$raw_file"
M_RPS="$(awk '/^Requests\/sec:/{print $2}' <<<"$m_out")"
M_P50="$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$m_out")")"
M_P99="$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$m_out")")"
M_REQUESTS="$(awk '/requests in/{print $1}' <<<"$m_out")"
M_ERRORS="$(grep -E 'Non-2xx|Socket errors' <<<"$m_out" || echo 'errors: none')"
logged=$(( $(psql_sp -c 'SELECT count(*) FROM message_log') - logged_before ))

# (p) PostgreSQL alone: the same number of durable INSERTs per transaction.
settle
say "(p) pgbench: $rows_per_message INSERTs per transaction, $connections clients"
psql_sp -c "CREATE TABLE bench_rows (id bigserial PRIMARY KEY, body jsonb NOT NULL)"
mkdir "$tmp/pgbench"
{
  echo "BEGIN;"
  for _ in $(seq "$rows_per_message"); do
    printf "INSERT INTO bench_rows (body) VALUES ('"
    sed "s/'/''/g" "$tmp/message.json"
    printf "'::jsonb);\n"
  done
  echo "COMMIT;"
} >"$tmp/pgbench/insert.sql"
pg_args=(-h 127.0.0.1 -p "$pg_port" -U postgres -n -M simple -f "$tmp/pgbench/insert.sql"
  -c "$connections" -j 2)
(( warmup > 0 )) && (cd "$tmp/pgbench" && "$pgbin/pgbench" "${pg_args[@]}" -T "$warmup" sp >/dev/null 2>&1)
p_out="$(cd "$tmp/pgbench" && "$pgbin/pgbench" "${pg_args[@]}" -T "$duration" -l sp 2>&1)"
printf '==== (p) pgbench %s -T %s -l sp\n%s\n\n' "${pg_args[*]}" "$duration" "$p_out" >>"$raw_file"
P_TPS="$(awk '/^tps = .*without initial connection time/{print $3}' <<<"$p_out")"
[[ -n "$P_TPS" ]] || die "could not read pgbench's output: $p_out"
read -r P_P50 P_P99 < <(cat "$tmp"/pgbench/pgbench_log.* | awk '{print $3}' | sort -n | awk '
  { v[NR] = $1 } END { i50 = int(NR * 0.5 + 0.999); i99 = int(NR * 0.99 + 0.999);
    if (i50 < 1) i50 = 1; if (i99 < 1) i99 = 1; printf "%.2f %.2f\n", v[i50] / 1000, v[i99] / 1000 }')

ratio="$(awk -v x="$M_RPS" -v y="$P_TPS" 'BEGIN { printf "%.2f", x / y }')"
verdict="$(awk -v r="$ratio" 'BEGIN { print (r >= 0.4) ? "meets the target (>= 0.4)" : "BELOW the target (0.4)" }')"
{
  echo "Messaging benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "machine: $(nproc) CPUs, load average before: $load_before; PostgreSQL durable (fsync on)"
  echo "server threads $threads, $connections connections, ${duration}s per measurement"
  echo "message: BaRS referral, $(grep -o '"fullUrl"' "$tmp/message.json" | wc -l) entries, $message_bytes bytes; $rows_per_message rows written per message"
  echo
  printf '(m) sp-adapter POST /$process-message: %8.1f messages/s  p50 %7.2f ms  p99 %7.2f ms\n' "$M_RPS" "$M_P50" "$M_P99"
  echo "    $M_REQUESTS requests, $logged messages logged by the server; $M_ERRORS"
  printf '(p) pgbench, %d INSERTs per transaction: %8.1f transactions/s  p50 %7.2f ms  p99 %7.2f ms\n' "$rows_per_message" "$P_TPS" "$P_P50" "$P_P99"
  echo
  echo "m/p = $ratio: $verdict"
} | tee "$report_file"
