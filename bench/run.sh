#!/usr/bin/env bash
# The benchmark, in one command: bench/run.sh  (see bench/README.md)
#
# Measures, on this machine, with the same number of server threads:
#   (a) wrk   -> bench/bare_server      GET /anything            (the Pistache HTTP ceiling)
#   (b) wrk   -> sp-adapter             GET /ServiceRequest/{id}
#   (c) wrk   -> sp-adapter             POST /Task (bench/data/task.json), must answer 201
#   (d) pgbench -> the same PostgreSQL  one INSERT of a Task-sized JSONB row per transaction
# and prints requests/s (transactions/s), p50 and p99 latency, and the ratios b/a and c/d.
# The report also goes to bench/results/latest.txt (raw tool output: latest-raw.txt).
#
# Environment (defaults in brackets):
#   BENCH_THREADS [2]        server threads, for bare_server and sp-adapter alike
#   BENCH_SECONDS [10]       duration of each measurement
#   BENCH_CONNECTIONS [16]   wrk connections, and pgbench clients
#   BENCH_WRK_THREADS [2]    wrk threads (pgbench uses -j 2)
#   BENCH_WARMUP [2]         seconds of unrecorded load before each measurement (0: none)
#   BENCH_DB_POOL []         sp-adapter --db-pool (empty: the server's default, one per thread)
#   BENCH_PG_PORT [55432]    BENCH_BARE_PORT [18080]    BENCH_ADAPTER_PORT [18081]
#                            first port tried; the next free one is used if it is taken
#   BENCH_REBUILD [0]        1: run ninja for the two binaries even if they exist
#
# Everything started here (private PostgreSQL in a temp dir, the two servers) is stopped on
# exit, also on error or Ctrl-C. PostgreSQL runs with real durability (SP_PG_FAST unset).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"   # sp-adapter reads fhir-profiles/ relative to the working directory

threads="${BENCH_THREADS:-2}"
duration="${BENCH_SECONDS:-10}"
connections="${BENCH_CONNECTIONS:-16}"
wrk_threads="${BENCH_WRK_THREADS:-2}"
warmup="${BENCH_WARMUP:-2}"
db_pool="${BENCH_DB_POOL:-}"
pg_port_wanted="${BENCH_PG_PORT:-55432}"
bare_port_wanted="${BENCH_BARE_PORT:-18080}"
adapter_port_wanted="${BENCH_ADAPTER_PORT:-18081}"

pgbin=/usr/lib/postgresql/15/bin
build_dir="$repo/build"
adapter_bin="${BENCH_ADAPTER_BIN:-$build_dir/adapter/sp-adapter}"
bare_bin="$build_dir/bench/bare_server"
results_dir="$repo/bench/results"
report_file="$results_dir/latest.txt"
raw_file="$results_dir/latest-raw.txt"
sr_id="sp-bench-referral-1"   # the id task.json's focus points at

say() { echo "bench [${SECONDS}s]: $*" >&2; }
die() { say "error: $*"; exit 1; }

for v in threads duration connections wrk_threads warmup; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
[[ -z "$db_pool" || "$db_pool" =~ ^[0-9]+$ ]] || die "BENCH_DB_POOL must be a number"
(( threads >= 1 && duration >= 1 && connections >= 1 )) || die "threads, seconds and connections must be >= 1"
(( wrk_threads >= 1 )) || wrk_threads=1
(( wrk_threads <= connections )) || wrk_threads=$connections   # wrk needs connections >= threads

command -v wrk >/dev/null || die "wrk not found (scripts/install-deps.sh installs it)"
[[ -x "$pgbin/pgbench" && -x "$pgbin/psql" ]] || die "PostgreSQL 15 client tools not found in $pgbin"

# ---------------------------------------------------------------------------------------------
# Clean-up: stop exactly what this script started.
tmp=""
pg_data=""
pids=()
cleanup() {
  local status=$?
  trap - EXIT INT TERM PIPE
  trap '' PIPE   # a closed stdout/stderr (e.g. "| head") must not stop the clean-up halfway
  set +e
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || continue
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n "$pg_data" && -d "$pg_data" ]]; then
    scripts/embedded-postgres.sh stop "$pg_data" >/dev/null 2>&1 || say "warning: could not stop PostgreSQL in $pg_data"
  fi
  if [[ -n "$tmp" && -d "$tmp" ]]; then
    if (( status != 0 )); then
      local f
      for f in "$tmp"/*.log "$pg_data/logfile"; do
        [[ -s "$f" ]] || continue
        say "---- last lines of $f"
        tail -n 15 "$f" >&2
      done
    fi
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'exit 141' PIPE   # stdout or stderr closed (e.g. "| head"): stop, and clean up

# ---------------------------------------------------------------------------------------------
# Build if needed.
if [[ ! -x "$adapter_bin" || ! -x "$bare_bin" || "${BENCH_REBUILD:-0}" == 1 ]]; then
  if [[ ! -f "$build_dir/build.ninja" ]]; then
    say "configuring $build_dir"
    cmake -G Ninja -S "$repo" -B "$build_dir" >&2
  fi
  if ! ninja -C "$build_dir" -t targets all 2>/dev/null | grep -q '^bench/bare_server:'; then
    say "enabling SP_BUILD_BENCH in $build_dir"
    cmake -DSP_BUILD_BENCH=ON -S "$repo" -B "$build_dir" >&2
  fi
  say "building sp-adapter and bare_server"
  ninja -C "$build_dir" adapter/sp-adapter bench/bare_server >&2
fi

# ---------------------------------------------------------------------------------------------
# Helpers.
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p=$1 taken=" ${2:-} "
  for _ in $(seq 100); do
    if [[ "$taken" != *" $p "* ]] && ! port_in_use "$p"; then echo "$p"; return; fi
    p=$((p + 1))
  done
  die "no free port from $1 upwards"
}

# Starts a server in the background; waits for its port file. Args: name portfile cmd...
start_server() {
  local name=$1 port_file=$2; shift 2
  "$@" >"$tmp/$name.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 300); do
    [[ -s "$port_file" ]] && return 0
    kill -0 "$pid" 2>/dev/null || die "$name exited at start"
    sleep 0.1
  done
  die "$name did not start within 30 s"
}

stop_server() {  # stops one server we started (the last in pids matching)
  local pid=$1 kept=() p
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  for p in "${pids[@]}"; do [[ "$p" == "$pid" ]] || kept+=("$p"); done
  pids=("${kept[@]+"${kept[@]}"}")
}

# One HTTP/1.1 request over bash's /dev/tcp (no curl needed); prints the raw response.
# Args: port method path [body-file]
http_call() {
  local port=$1 method=$2 path=$3 body=${4:-}
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  {
    printf '%s %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nAccept: application/fhir+json\r\nConnection: close\r\n' \
      "$method" "$path" "$port"
    if [[ -n "$body" ]]; then
      printf 'Content-Type: application/fhir+json\r\nContent-Length: %s\r\n' "$(wc -c <"$body")"
    fi
    printf '\r\n'
    if [[ -n "$body" ]]; then cat "$body"; fi
  } >&3
  # Read the head, then exactly Content-Length bytes: do not wait for the server to close.
  local header length=0
  while IFS= read -r -t 10 -u 3 header; do
    printf '%s\n' "$header"
    header="${header%$'\r'}"
    [[ -n "$header" ]] || break
    if [[ "${header,,}" =~ ^content-length:\ *([0-9]+) ]]; then length="${BASH_REMATCH[1]}"; fi
  done
  if (( length > 0 )); then timeout 10 head -c "$length" <&3 || true; fi
  exec 3<&-
}
status_of() { head -n 1 | awk '{print $2}'; }
header_of() {  # header name (case-insensitive) from a raw response on stdin
  tr -d '\r' | awk -v h="$1" 'BEGIN{FS=": "} /^$/{exit} tolower($1)==tolower(h){print $2; exit}'
}

# Pretty JSON to one line: drops indentation and newlines (never inside JSON strings).
compact_json() { sed -e 's/^[[:space:]]*//' "$1" | tr -d '\n'; }

# wrk latency ("180.00us", "1.44ms", "1.02s", "2.00m") to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}

psql_sp() { "$pgbin/psql" -X -q -tA -h 127.0.0.1 -p "$pg_port" -U postgres -d sp "$@"; }

wrk_args() {  # [lua-script]
  args=(-t "$wrk_threads" -c "$connections" -H "Connection: keep-alive" -H "Accept: application/fhir+json")
  [[ -z "${1:-}" ]] || args+=(-s "$1")
}

# Unrecorded load for BENCH_WARMUP seconds. Args: url [lua-script]
warm_wrk() {
  local args
  wrk_args "${2:-}"
  if (( warmup > 0 )); then wrk "${args[@]}" -d "${warmup}s" "$1" >/dev/null; fi
}

# CPU accounting: cpu_start / cpu_stop (CPU_LINE, CPU_OTHER_PCT), in bench/lib.
# shellcheck source=bench/lib/cpu_accounting.sh
source "$repo/bench/lib/cpu_accounting.sh"
disturbed=()
check_quiet() {  # label: notes a measurement where "other" took over a quarter of the CPU time
  (( CPU_OTHER_PCT <= 25 )) || disturbed+=("$1 (other: ${CPU_OTHER_PCT}% of the CPU time)")
}

# Runs wrk against the server with pid $server_pid; appends its output to the raw log; sets
# W_RPS W_P50 W_P99 W_NON2XX W_SOCKERR W_COUNT and W_CPU (CPU per request). Args: label url [lua-script]
run_wrk() {
  local label=$1 url=$2 args out
  wrk_args "${3:-}"
  cpu_start "$server_pid"
  out="$(wrk "${args[@]}" -d "${duration}s" --latency "$url")"
  printf '==== %s: wrk %s -d %ss --latency %s\n%s\n\n' "$label" "${args[*]}" "$duration" "$url" "$out" >>"$raw_file"
  W_RPS="$(awk '/^Requests\/sec:/{print $2}' <<<"$out")"
  W_P50="$(to_ms "$(awk '$1=="50%"{print $2}' <<<"$out")")"
  W_P99="$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")"
  W_COUNT="$(awk '/requests in/{print $1}' <<<"$out")"
  W_NON2XX="$(awk -F': *' '/Non-2xx or 3xx responses/{print $2}' <<<"$out")"
  W_SOCKERR="$(sed -n 's/^ *Socket errors: *//p' <<<"$out")"
  [[ -n "$W_RPS" && -n "$W_COUNT" ]] || die "could not read wrk's output for $label:
$out"
  cpu_stop "$W_COUNT" wrk
  W_CPU=$CPU_LINE
  check_quiet "${label%% *}"
}

line() {  # label rps unit p50 p99
  printf '%-52s %10.1f %-6s p50 %8.3f ms   p99 %8.3f ms\n' "$1" "$2" "$3" "$4" "$5"
}
problems() {  # wrk error lines, or "errors: none"
  local any=0
  if [[ -n "$W_NON2XX" ]]; then echo "      Non-2xx or 3xx responses: $W_NON2XX"; any=1; fi
  if [[ -n "$W_SOCKERR" ]]; then echo "      Socket errors: $W_SOCKERR"; any=1; fi
  if (( any == 0 )); then echo "      errors: none (no non-2xx/3xx responses, no socket errors)"; fi
}

# ---------------------------------------------------------------------------------------------
# Set up.
mkdir -p "$results_dir"
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"
: >"$raw_file"
tmp="$(mktemp -d /tmp/spbench.XXXXXX)"
chmod 755 "$tmp"   # the postgres OS user must reach the data directory inside

compact_json bench/data/task.json >"$tmp/task.json"
compact_json bench/data/service_request.json >"$tmp/service_request.json"
task_bytes="$(wc -c <"$tmp/task.json")"

pg_port="$(free_port "$pg_port_wanted")"
bare_port="$(free_port "$bare_port_wanted" "$pg_port")"
adapter_port="$(free_port "$adapter_port_wanted" "$pg_port $bare_port")"

say "starting a private PostgreSQL on 127.0.0.1:$pg_port (durable: SP_PG_FAST unset)"
pg_data="$tmp/pg"
pg_url="$(env -u SP_PG_FAST SP_PG_PORT="$pg_port" scripts/embedded-postgres.sh start "$pg_data" 2>"$tmp/pg-start.log" | tail -n 1)"
[[ "$pg_url" == postgresql://* ]] || die "PostgreSQL did not start: $(cat "$tmp/pg-start.log")"
pg_settings="$(psql_sp -c "SELECT 'fsync=' || current_setting('fsync') || ' synchronous_commit=' ||
  current_setting('synchronous_commit') || ' full_page_writes=' || current_setting('full_page_writes') ||
  ' wal_sync_method=' || current_setting('wal_sync_method')")"
pg_version="$(psql_sp -c "SHOW server_version")"

# ---------------------------------------------------------------------------------------------
# (a) the HTTP ceiling.
say "(a) bare_server, $threads threads, port $bare_port"
start_server bare "$tmp/bare.port" "$bare_bin" --host 127.0.0.1 --port "$bare_port" \
  --threads "$threads" --port-file "$tmp/bare.port"
bare_pid="${pids[-1]}" server_pid="${pids[-1]}"
bare_resp="$(http_call "$bare_port" GET /anything)"
[[ "$(status_of <<<"$bare_resp")" == 200 ]] || die "bare_server did not answer 200: $bare_resp"
bare_bytes="$(header_of content-length <<<"$bare_resp")"
warm_wrk "http://127.0.0.1:$bare_port/anything"
run_wrk "(a) bare GET /anything" "http://127.0.0.1:$bare_port/anything"
A_RPS=$W_RPS A_P50=$W_P50 A_P99=$W_P99 A_PROBLEMS="$(problems)" A_CPU=$W_CPU
stop_server "$bare_pid"

# ---------------------------------------------------------------------------------------------
# sp-adapter.
adapter_args=(--plain-http --host 127.0.0.1 --port "$adapter_port" --threads "$threads"
  --database-url "$pg_url" --quiet --port-file "$tmp/adapter.port")
[[ -z "$db_pool" ]] || adapter_args+=(--db-pool "$db_pool")
say "starting sp-adapter, $threads threads${db_pool:+, db pool $db_pool}, port $adapter_port"
start_server adapter "$tmp/adapter.port" env -u SP_DB_POOL -u SP_THREADS "$adapter_bin" "${adapter_args[@]}"
server_pid="${pids[-1]}"

sr_resp="$(http_call "$adapter_port" PUT "/ServiceRequest/$sr_id" "$tmp/service_request.json")"
[[ "$(status_of <<<"$sr_resp")" == 201 ]] || die "creating ServiceRequest/$sr_id did not answer 201: $sr_resp"
get_resp="$(http_call "$adapter_port" GET "/ServiceRequest/$sr_id")"
[[ "$(status_of <<<"$get_resp")" == 200 ]] || die "GET /ServiceRequest/$sr_id did not answer 200: $get_resp"
get_bytes="$(header_of content-length <<<"$get_resp")"
post_resp="$(http_call "$adapter_port" POST /Task "$tmp/task.json")"
post_status="$(status_of <<<"$post_resp")"
[[ "$post_status" == 201 ]] || die "POST /Task did not answer 201: $post_resp"
post_bytes="$(header_of content-length <<<"$post_resp")"

# (b) read.
say "(b) sp-adapter GET /ServiceRequest/$sr_id"
warm_wrk "http://127.0.0.1:$adapter_port/ServiceRequest/$sr_id"
run_wrk "(b) sp-adapter GET /ServiceRequest/{id}" "http://127.0.0.1:$adapter_port/ServiceRequest/$sr_id"
B_RPS=$W_RPS B_P50=$W_P50 B_P99=$W_P99 B_PROBLEMS="$(problems)" B_CPU=$W_CPU

# (c) create.
say "(c) sp-adapter POST /Task"
export BENCH_TASK_FILE="$tmp/task.json"   # read by bench/post_task.lua
warm_wrk "http://127.0.0.1:$adapter_port/Task" "$repo/bench/post_task.lua"
tasks_before="$(psql_sp -c "SELECT count(*) FROM resources WHERE res_type = 'Task'" 2>/dev/null || echo "")"
run_wrk "(c) sp-adapter POST /Task" \
  "http://127.0.0.1:$adapter_port/Task" "$repo/bench/post_task.lua"
C_RPS=$W_RPS C_P50=$W_P50 C_P99=$W_P99 C_PROBLEMS="$(problems)" C_COUNT=$W_COUNT C_CPU=$W_CPU
tasks_after="$(psql_sp -c "SELECT count(*) FROM resources WHERE res_type = 'Task'" 2>/dev/null || echo "")"
stop_server "${pids[-1]}"

# ---------------------------------------------------------------------------------------------
# (d) PostgreSQL alone: one durable INSERT of the same Task JSON per transaction.
say "(d) pgbench: INSERT one JSONB row per transaction, $connections clients"
psql_sp -c "CREATE TABLE bench_rows (id bigserial PRIMARY KEY, body jsonb NOT NULL)"
mkdir "$tmp/pgbench"
{
  printf "INSERT INTO bench_rows (body) VALUES ('"
  sed "s/'/''/g" "$tmp/task.json"
  printf "'::jsonb);\n"
} >"$tmp/pgbench/insert.sql"
pgbench_args=(-h 127.0.0.1 -p "$pg_port" -U postgres -n -M simple -f "$tmp/pgbench/insert.sql"
  -c "$connections" -j 2)
if (( warmup > 0 )); then
  (cd "$tmp/pgbench" && "$pgbin/pgbench" "${pgbench_args[@]}" -T "$warmup" sp >/dev/null 2>&1)
fi
cpu_start 0
pg_out="$(cd "$tmp/pgbench" && "$pgbin/pgbench" "${pgbench_args[@]}" -T "$duration" -l sp 2>&1)"
printf '==== (d) pgbench %s -T %s -l sp\n%s\n\n' "${pgbench_args[*]}" "$duration" "$pg_out" >>"$raw_file"
D_RPS="$(awk '/^tps = .*without initial connection time/{print $3}' <<<"$pg_out")"
D_FAILED="$(sed -n 's/^number of failed transactions: *//p' <<<"$pg_out")"
D_DONE="$(sed -n 's/^number of transactions actually processed: *//p' <<<"$pg_out")"
[[ -n "$D_RPS" ]] || die "could not read pgbench's output:
$pg_out"
cpu_stop "${D_DONE%% *}" pgbench
D_CPU="${CPU_LINE/request/transaction}"
read -r D_P50 D_P99 D_N < <(cat "$tmp"/pgbench/pgbench_log.* | awk '{print $3}' | sort -n | awk '
  { v[NR] = $1 }
  END {
    if (NR == 0) { print "nan nan 0"; exit }
    i50 = int(NR * 0.50); if (i50 < NR * 0.50) i50++; if (i50 < 1) i50 = 1
    i99 = int(NR * 0.99); if (i99 < NR * 0.99) i99++; if (i99 < 1) i99 = 1
    printf "%.3f %.3f %d\n", v[i50] / 1000, v[i99] / 1000, NR }')
rows_equal="$(psql_sp -c "SELECT count(*) FILTER (WHERE body = (SELECT body FROM bench_rows ORDER BY id LIMIT 1)) || '/' || count(*) FROM bench_rows")"
body_ok="$(echo "SELECT (SELECT body FROM bench_rows ORDER BY id LIMIT 1) = :'body'::jsonb;" |
  psql_sp -v body="$(cat "$tmp/task.json")")"

# ---------------------------------------------------------------------------------------------
# Report.
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (y > 0) printf "%.2f", x / y; else printf "nan" }'; }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { if (r + 0 >= t) print "meets the target"; else print "BELOW the target" }'; }
ba="$(ratio "$B_RPS" "$A_RPS")"
cd_="$(ratio "$C_RPS" "$D_RPS")"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -z "$(git status --porcelain -- adapter 2>/dev/null)" ]] || commit="$commit (adapter/ has uncommitted changes)"
cpu="$(awk -F': *' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null || true)"

{
  echo "sp-adapter benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $commit"
  echo "machine: $(nproc) CPUs${cpu:+ ($cpu)}, $(uname -sr); load average before the run: $load_before;" \
       "the load generators share these CPUs with the servers and PostgreSQL"
  echo "servers: $threads HTTP threads each, plain HTTP (no TLS), sp-adapter db pool ${db_pool:-default (one per thread)};" \
       "sp-adapter binary built $(date -u -r "$adapter_bin" '+%Y-%m-%d %H:%M UTC')"
  echo "load: wrk $wrk_threads threads x $connections connections, 'Connection: keep-alive';" \
       "pgbench -c $connections -j 2 -M simple; ${duration} s per measurement after ${warmup} s warm-up"
  echo "PostgreSQL $pg_version, private cluster on 127.0.0.1:$pg_port, real durability (SP_PG_FAST unset): $pg_settings"
  echo "bodies: bare response ${bare_bytes:-?} B; GET ServiceRequest response ${get_bytes:-?} B;" \
       "POST Task request $task_bytes B (response ${post_bytes:-?} B, status $post_status); pgbench row: the same Task JSON"
  echo
  printf '%-52s %17s %16s %17s\n' "" "throughput" "" ""
  line "(a) bare Pistache   GET /anything" "$A_RPS" "req/s" "$A_P50" "$A_P99"
  echo "$A_PROBLEMS"
  echo "      $A_CPU"
  line "(b) sp-adapter      GET /ServiceRequest/{id}" "$B_RPS" "req/s" "$B_P50" "$B_P99"
  echo "$B_PROBLEMS"
  echo "      $B_CPU"
  line "(c) sp-adapter      POST /Task (201)" "$C_RPS" "req/s" "$C_P50" "$C_P99"
  echo "$C_PROBLEMS"
  echo "      $C_CPU"
  if [[ -n "$tasks_before" && -n "$tasks_after" ]]; then
    echo "      Tasks stored during the measurement: $((tasks_after - tasks_before)); wrk counted $C_COUNT responses"
  fi
  line "(d) PostgreSQL      INSERT jsonb (pgbench)" "$D_RPS" "tx/s" "$D_P50" "$D_P99"
  echo "      transactions: ${D_DONE:-?}, failed: ${D_FAILED:-?}; latency from $D_N logged transactions;" \
       "rows identical: $rows_equal; stored row equals task.json: $body_ok"
  echo "      $D_CPU"
  echo
  echo "b/a = $ba   (read vs HTTP ceiling;    target >= 0.70: $(verdict "$ba" 0.7))"
  echo "c/d = $cd_   (create vs bare INSERT;   target >= 0.50: $(verdict "$cd_" 0.5))"
  if (( ${#disturbed[@]} > 0 )); then
    echo
    echo "WARNING: something else used the CPUs during ${disturbed[*]};"
    echo "         these figures are disturbed: run again on a quiet machine."
  fi
} | tee "$report_file"
say "report written to ${report_file#"$repo"/}; raw tool output in ${raw_file#"$repo"/}"
