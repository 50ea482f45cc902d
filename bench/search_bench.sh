#!/usr/bin/env bash
# Search benchmark: bench/search_bench.sh  (see bench/README.md, "Search benchmark")
#
# Builds a database of 10,000 HealthcareServices (with their Locations) and Tasks (with their
# referrals and people), first 10,000 Tasks then 1,000,000, and at each size measures three
# searches with wrk:
#   (1) Task?owner=X&status=requested&_include=Task:focus
#   (2) HealthcareService?service-category=X&near=lat|long|5|km&has-capacity=true
#   (3) Task?focus:ServiceRequest.subject:Patient.identifier=https://fhir.nhs.uk/Id/nhs-number|N
# each at one connection (the latency of one search at a time) and at SEARCH_BENCH_CONNECTIONS
# (throughput), and prints the EXPLAIN ANALYZE of every SQL statement each search runs: the
# statements and parameters the real server sends, logged by PostgreSQL, run again under EXPLAIN
# (bench/search/explain.py). A search slower than a second is timed one at a time only, and one
# slower than SEARCH_BENCH_MAX_SECONDS is cancelled and reported as such.
#
# Data: template resources (bench/search/*.json) are written once through the API, then cloned
# with SQL (bench/search/clone.sql) together with their search index rows; sample clones are
# written again through the API and their index rows compared, so the cloned rows are what the
# server itself writes. No per-row HTTP.
#
# Environment (defaults in brackets):
#   SEARCH_BENCH_SMALL_TASKS [10000]   SEARCH_BENCH_LARGE_TASKS [1000000]  (multiples of 8;
#                                      LARGE 0: only the small size)
#   SEARCH_BENCH_SECONDS [8]           length of each wrk measurement
#   SEARCH_BENCH_WARMUP [2]            seconds of unrecorded load before each
#   SEARCH_BENCH_CONNECTIONS [16]      connections of the throughput measurement
#   SEARCH_BENCH_THREADS [2]           sp-adapter HTTP threads (its db pool: one per thread)
#   SEARCH_BENCH_MAX_SECONDS [60]      give up on a search (and on an EXPLAIN ANALYZE) after this
#   SEARCH_BENCH_BUILD_DIR [build]     where sp-adapter is (built if missing)
#   SEARCH_BENCH_COMPARE [none]        another sp-adapter binary (an earlier build): at each size,
#                                      after the measurements, the two binaries on the same data
#                                      in turn (this one first), each search at 1 connection,
#                                      with their answers compared
#   SEARCH_BENCH_COMPARE_ROUNDS [2]    rounds of that comparison (each: other build, then this)
#   SEARCH_BENCH_PG_PORT [55442]  SEARCH_BENCH_PORT [18091]   first ports tried
#   SEARCH_BENCH_KEEP_DATA [none]      a directory that does not exist yet: the PostgreSQL cluster
#                                      is made there and kept (stopped) after the run, holding the
#                                      largest size, for looking at plans by hand
#                                      (scripts/embedded-postgres.sh start <dir> starts it again)
# Output: the report on stdout and in bench/results/search-latest.txt; the full plans and the
# raw wrk output in bench/results/search-latest-raw.txt. Everything started here is stopped on
# exit (also on error or Ctrl-C) and the temporary directory removed.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

small="${SEARCH_BENCH_SMALL_TASKS:-10000}"
large="${SEARCH_BENCH_LARGE_TASKS:-1000000}"
duration="${SEARCH_BENCH_SECONDS:-8}"
warmup="${SEARCH_BENCH_WARMUP:-2}"
connections="${SEARCH_BENCH_CONNECTIONS:-16}"
threads="${SEARCH_BENCH_THREADS:-2}"
max_search="${SEARCH_BENCH_MAX_SECONDS:-60}"
build_dir="${SEARCH_BENCH_BUILD_DIR:-$repo/build}"
[[ "$build_dir" == /* ]] || build_dir="$repo/$build_dir"
compare_bin="${SEARCH_BENCH_COMPARE:-}"
[[ -z "$compare_bin" || "$compare_bin" == /* ]] || compare_bin="$repo/$compare_bin"
compare_rounds="${SEARCH_BENCH_COMPARE_ROUNDS:-2}"
pg_port_wanted="${SEARCH_BENCH_PG_PORT:-55442}"
keep_data="${SEARCH_BENCH_KEEP_DATA:-}"
port_wanted="${SEARCH_BENCH_PORT:-18091}"
services=10000   # fixed: the data shape in bench/search/clone.sql spreads Tasks over 10,000 owners

pgbin=/usr/lib/postgresql/15/bin
adapter_bin="$build_dir/adapter/sp-adapter"
results_dir="$repo/bench/results"
report_file="$results_dir/search-latest.txt"
raw_file="$results_dir/search-latest-raw.txt"

say() { echo "search-bench [${SECONDS}s]: $*" >&2; }
die() { say "error: $*"; exit 1; }

for v in small large duration warmup connections threads max_search compare_rounds; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
(( small >= 800 && small % 8 == 0 )) || die "SEARCH_BENCH_SMALL_TASKS must be a multiple of 8, at least 800"
(( large == 0 || (large > small && large % 8 == 0) )) || die "SEARCH_BENCH_LARGE_TASKS must be 0 or a multiple of 8 above the small size"
(( duration >= 1 && connections >= 1 && threads >= 1 )) || die "seconds, connections and threads must be >= 1"
command -v wrk >/dev/null || die "wrk not found (scripts/install-deps.sh installs it)"
command -v curl >/dev/null || die "curl not found"
[[ -x "$pgbin/psql" ]] || die "PostgreSQL 15 not found in $pgbin"
command -v python3 >/dev/null || die "python3 not found (bench/search/explain.py needs it)"
[[ -z "$compare_bin" || -x "$compare_bin" ]] || die "SEARCH_BENCH_COMPARE: $compare_bin is not an executable"
[[ -z "$keep_data" || ( "$keep_data" == /* && ! -e "$keep_data" ) ]] || die "SEARCH_BENCH_KEEP_DATA must be an absolute path that does not exist yet"

# shellcheck source=bench/lib/cpu_accounting.sh
source "$repo/bench/lib/cpu_accounting.sh"

# ---------------------------------------------------------------------------------------------
tmp=""
pg_data=""
server_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM PIPE
  trap '' PIPE
  set +e
  [[ -z "$server_pid" ]] || stop_server
  if [[ -n "$pg_data" && -d "$pg_data" ]]; then
    scripts/embedded-postgres.sh stop "$pg_data" >/dev/null 2>&1 || say "warning: could not stop PostgreSQL in $pg_data"
  fi
  if [[ -n "$tmp" && -d "$tmp" ]]; then
    if (( status != 0 )); then
      for f in "$tmp"/server.log "$pg_data/logfile"; do
        [[ -s "$f" ]] || continue
        say "---- last lines of $f"
        tail -n 20 "$f" >&2
      done
    fi
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'exit 141' PIPE

if [[ ! -x "$adapter_bin" ]]; then
  [[ -f "$build_dir/build.ninja" ]] || cmake -G Ninja -S "$repo" -B "$build_dir" >&2
  say "building sp-adapter in $build_dir"
  ninja -C "$build_dir" adapter/sp-adapter >&2
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p=$1
  for _ in $(seq 100); do
    if [[ " ${2:-} " != *" $p "* ]] && ! port_in_use "$p"; then echo "$p"; return; fi
    p=$((p + 1))
  done
  die "no free port from $1 upwards"
}

mkdir -p "$results_dir"
: >"$raw_file"
tmp="$(mktemp -d /tmp/spsearch.XXXXXX)"
chmod 755 "$tmp"
pg_port="$(free_port "$pg_port_wanted")"
port="$(free_port "$port_wanted" "$pg_port")"
base="http://127.0.0.1:$port"
load_before="$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo '?')"

psql_sp() { "$pgbin/psql" -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d sp "$@"; }

# The data is generated, not precious: no fsync (SP_PG_FAST=1) makes loading it quicker and does
# not change how searches read it.
say "starting a private PostgreSQL on 127.0.0.1:$pg_port"
pg_data="${keep_data:-$tmp/pg}"
pg_url="$(SP_PG_FAST=1 SP_PG_PORT="$pg_port" scripts/embedded-postgres.sh start "$pg_data" 2>"$tmp/pg-start.log" | tail -n 1)"
[[ "$pg_url" == postgresql://* ]] || die "PostgreSQL did not start: $(cat "$tmp/pg-start.log")"
psql_sp -c "ALTER SYSTEM SET maintenance_work_mem = '1GB'" -c "ALTER SYSTEM SET max_wal_size = '16GB'" \
  -c "ALTER SYSTEM SET checkpoint_timeout = '1h'" -c "SELECT pg_reload_conf()" >/dev/null
pg_version="$(psql_sp -c "SHOW server_version")"

# The warm handover sweep (a Task search every minute) is turned off: it would run its own
# search among the measured ones.
start_server() {  # [binary, default $adapter_bin]
  local bin="${1:-$adapter_bin}" server_extra=()
  if "$bin" --help 2>&1 | grep -q -- '--handover-sweep-ms'; then server_extra+=(--handover-sweep-ms 0); fi
  rm -f "$tmp/port"
  env -u SP_DB_POOL -u SP_THREADS -u SP_HANDOVER_SWEEP_MS "$bin" --plain-http --host 127.0.0.1 \
    --port "$port" --threads "$threads" --database-url "$pg_url" --quiet --port-file "$tmp/port" \
    "${server_extra[@]+"${server_extra[@]}"}" >>"$tmp/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 300); do
    [[ -s "$tmp/port" ]] && return 0
    kill -0 "$server_pid" 2>/dev/null || die "sp-adapter exited at start"
    sleep 0.1
  done
  die "sp-adapter did not start within 30 s"
}
stop_server() {
  kill -TERM "$server_pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}

# GET or PUT with curl; prints the status, the body goes to $tmp/body.json.
http() {  # method path [body-file]
  local args=(-s -o "$tmp/body.json" -w '%{http_code}' -X "$1" -H 'Connection: keep-alive'
    -H 'Accept: application/fhir+json')
  [[ -z "${3:-}" ]] || args+=(-H 'Content-Type: application/fhir+json' --data-binary "@$3")
  curl "${args[@]}" "$base$2"
}

# ---------------------------------------------------------------------------------------------
# Templates through the API, then the cloning functions.
start_server
say "writing the templates through the API"
for f in location healthcare_service patient service_request task; do
  type="$(tr -d '\n' <"bench/search/$f.json" | sed -E 's/.*"resourceType": *"([A-Za-z]+)".*/\1/')"
  id="$(tr -d '\n' <"bench/search/$f.json" | sed -E 's/.*"id": *"([^"]+)".*/\1/')"
  status="$(http PUT "/$type/$id" "bench/search/$f.json")"
  [[ "$status" == 201 ]] || die "PUT /$type/$id answered $status: $(head -c 600 "$tmp/body.json")"
done
psql_sp -f bench/search/clone.sql >/dev/null

# Rows of the search index (and identifiers) of one resource, as sorted text, without the
# _lastUpdated row (a new version has a new time) and without Task.lastModified ("modified"),
# which the server sets on every update of a Task.
index_rows() {  # type id
  psql_sp -v t="$1" -v i="$2" <<'SQL'
SELECT 'token ' || param || ' ' || system || ' ' || code || ' ' || text FROM idx_token WHERE res_type = :'t' AND res_id = :'i'
UNION ALL SELECT 'string ' || param || ' ' || normalised || ' ' || exact FROM idx_string WHERE res_type = :'t' AND res_id = :'i'
UNION ALL SELECT 'reference ' || param || ' ' || target_type || ' ' || target_id || ' ' || url || ' ' || id_system || ' ' || id_value FROM idx_reference WHERE res_type = :'t' AND res_id = :'i'
UNION ALL SELECT 'date ' || param || ' ' || low || ' ' || high FROM idx_date WHERE res_type = :'t' AND res_id = :'i' AND param NOT IN ('_lastUpdated', 'modified')
UNION ALL SELECT 'number ' || param || ' ' || value || ' ' || system || ' ' || code FROM idx_number WHERE res_type = :'t' AND res_id = :'i'
UNION ALL SELECT 'uri ' || param || ' ' || uri FROM idx_uri WHERE res_type = :'t' AND res_id = :'i'
UNION ALL SELECT 'geo ' || param || ' ' || latitude || ' ' || longitude FROM idx_geo WHERE res_type = :'t' AND res_id = :'i'
UNION ALL SELECT 'identifier ' || system || ' ' || value FROM resource_identifiers WHERE res_type = :'t' AND res_id = :'i'
ORDER BY 1;
SQL
}

# Writes sample clones again through the API (the same body) and checks that the server writes
# the index rows the clone already had.
verify_clones() {  # "Type/id" ...
  local tr type id n=0
  for tr in "$@"; do
    type="${tr%%/*}" id="${tr#*/}"
    index_rows "$type" "$id" >"$tmp/before.txt"
    [[ -s "$tmp/before.txt" ]] || die "clone $tr has no index rows"
    psql_sp -v t="$type" -v i="$id" >"$tmp/clone.json" <<'SQL'
SELECT v.body FROM resources r JOIN resource_versions v USING (res_type, res_id, version_id)
 WHERE r.res_type = :'t' AND r.res_id = :'i';
SQL
    local status
    status="$(http PUT "/$tr" "$tmp/clone.json")"
    [[ "$status" == 200 ]] || die "PUT of clone $tr answered $status: $(head -c 600 "$tmp/body.json")"
    index_rows "$type" "$id" >"$tmp/after.txt"
    diff "$tmp/before.txt" "$tmp/after.txt" >"$tmp/diff.txt" ||
      die "the index rows of clone $tr differ from what the server writes:
$(cat "$tmp/diff.txt")"
    n=$((n + $(wc -l <"$tmp/before.txt")))
  done
  VERIFIED="$# clones ($n index rows) written again through the API: rows identical"
}

load() {  # label sql...
  local label=$1 t0=$SECONDS; shift
  say "loading: $label"
  psql_sp -c "SELECT sb_drop_indexes()" >/dev/null
  local s
  for s in "$@"; do
    local t1=$SECONDS
    psql_sp -c "$s" >/dev/null
    say "  $s: $((SECONDS - t1)) s"
  done
  say "  rows in $((SECONDS - t0)) s; building the indexes"
  psql_sp -c "SET maintenance_work_mem = '1GB'" -c "CALL sb_create_indexes()" >/dev/null
  say "  indexes built at $((SECONDS - t0)) s; VACUUM ANALYZE"
  psql_sp -c "VACUUM ANALYZE" >/dev/null
  LOAD_SECONDS=$((SECONDS - t0))
  say "  done in ${LOAD_SECONDS} s"
}

sizes() {
  psql_sp -F ' ' -c "SELECT res_type, count(*) FROM resources WHERE res_id LIKE 'sb-%' AND res_id NOT LIKE '%-T'
    GROUP BY res_type ORDER BY res_type" | awk '{printf "%s%s %s", (NR > 1 ? ", " : ""), $2, $1} END {print ""}'
}
index_rows_total() {
  psql_sp -c "SELECT (SELECT count(*) FROM idx_token) + (SELECT count(*) FROM idx_string) +
    (SELECT count(*) FROM idx_reference) + (SELECT count(*) FROM idx_date) + (SELECT count(*) FROM idx_number) +
    (SELECT count(*) FROM idx_uri) + (SELECT count(*) FROM idx_geo)"
}
db_size() { psql_sp -c "SELECT pg_size_pretty(pg_database_size('sp'))"; }

# ---------------------------------------------------------------------------------------------
# The searches. Owner sb-hs-0 has 100 Tasks (25 requested), Patient 9100000001 has 8 Tasks,
# at every size (bench/search/clone.sql).
q_labels=("(1) Task?owner=X&status=requested&_include=Task:focus"
          "(2) HealthcareService?service-category=X&near=...&has-capacity=true"
          "(3) Task?focus:ServiceRequest.subject:Patient.identifier=...")
q_paths=("/Task?owner=HealthcareService/sb-hs-0&status=requested&_include=Task:focus"
         "/HealthcareService?service-category=23&near=53.8%7C-1.55%7C5%7Ckm&has-capacity=true"
         "/Task?focus:ServiceRequest.subject:Patient.identifier=https://fhir.nhs.uk/Id/nhs-number%7C9100000001")

# What each search must find, computed with SQL from the data's shape (independently of the
# server's SQL): the number of matches.
expected_matches() {  # query index
  case $1 in
    0) echo 25 ;;
    1) psql_sp -c "
        SELECT count(*) FROM idx_token c
          JOIN idx_token h ON h.res_type = c.res_type AND h.res_id = c.res_id AND h.param = 'has-capacity' AND h.code = 'true'
          JOIN idx_reference l ON l.res_type = c.res_type AND l.res_id = c.res_id AND l.param = 'location'
          JOIN idx_geo g ON g.res_type = 'Location' AND g.res_id = l.target_id
         WHERE c.res_type = 'HealthcareService' AND c.param = 'service-category' AND c.code = '23'
           AND 6371.0 * 2 * asin(sqrt(power(sin(radians(g.latitude - 53.8) / 2), 2) +
               cos(radians(53.8)) * cos(radians(g.latitude)) * power(sin(radians(g.longitude + 1.55) / 2), 2))) <= 5" ;;
    2) echo 8 ;;
  esac
}

group() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }   # 1000000 -> 1,000,000

# GET of one search; prints the status and the seconds it took; the body goes to $tmp/body.json.
timed_get() {  # path
  curl -s -o "$tmp/body.json" -w '%{http_code} %{time_total}\n' -H 'Connection: keep-alive' \
    -H 'Accept: application/fhir+json' --max-time "$max_search" "$base$1" || true
}

# Checks a search answers 200 with the expected matches (and, for (1), 25 included referrals),
# then times it one search at a time for up to SEQ_BUDGET seconds (at most 5 searches).
# Sets PROBE_MATCHES PROBE_INCLUDES PROBE_BYTES SEQ_N SEQ_MEDIAN SEQ_MAX (seconds).
SEQ_BUDGET=20
probe() {  # query index
  local path="${q_paths[$1]}" want got inc status secs times=() t0=$SECONDS
  want="$(expected_matches "$1")"
  PROBE_TIMEOUT=0 PROBE_MATCHES="?" PROBE_INCLUDES="?" PROBE_BYTES="?" SEQ_N=0 SEQ_MEDIAN=0 SEQ_MAX=0
  read -r status secs < <(timed_get "$path&_count=500")
  if [[ "$status" == 000 ]]; then   # curl gave up after max_search seconds
    cancel_server_queries
    PROBE_TIMEOUT=1
    return
  fi
  [[ "$status" == 200 ]] || die "${q_labels[$1]} answered $status: $(head -c 600 "$tmp/body.json")"
  got="$( (grep -o '"mode":"match"' "$tmp/body.json" || true) | wc -l)"
  inc="$( (grep -o '"mode":"include"' "$tmp/body.json" || true) | wc -l)"
  [[ "$got" == "$want" ]] || die "${q_labels[$1]} found $got matches, expected $want"
  if (( $1 == 0 )); then [[ "$inc" == 25 ]] || die "${q_labels[$1]} included $inc, expected 25"; fi
  PROBE_MATCHES=$got PROBE_INCLUDES=$inc PROBE_BYTES="$(wc -c <"$tmp/body.json")"
  times=("$secs")
  while (( ${#times[@]} < 5 && SECONDS - t0 < SEQ_BUDGET )); do
    read -r status secs < <(timed_get "$path")
    if [[ "$status" == 000 ]]; then cancel_server_queries; break; fi
    [[ "$status" == 200 ]] || die "${q_labels[$1]} answered $status"
    times+=("$secs")
  done
  SEQ_N=${#times[@]}
  read -r SEQ_MEDIAN SEQ_MAX < <(printf '%s\n' "${times[@]}" | sort -g | awk '{v[NR] = $1}
    END { printf "%.3f %.3f\n", (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2), v[NR] }')
}

to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

# Waits until the server has no statement running in PostgreSQL (after wrk stops, the server
# still answers the requests it had read).
wait_idle() {
  local quiet=0
  for _ in $(seq 600); do
    if [[ "$(psql_sp -c "SELECT count(*) FROM pg_stat_activity WHERE datname = 'sp' AND state = 'active'
          AND pid <> pg_backend_pid() AND backend_type = 'client backend'")" == 0 ]]; then
      quiet=$((quiet + 1))
      (( quiet < 3 )) || return 0
    else
      quiet=0
    fi
    sleep 0.2
  done
  say "warning: the server was still busy after 120 s"
}

# Cancels the statements the server has running (a search curl gave up on), then waits.
cancel_server_queries() {
  psql_sp -c "SELECT count(pg_cancel_backend(pid)) FROM pg_stat_activity WHERE datname = 'sp'
    AND state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'" >/dev/null
  wait_idle
}

# W_CPU is the CPU time per search of the server and of PostgreSQL (bench/lib/cpu_accounting.sh):
# unlike the latency, it hardly changes with what else the machine is running.
run_wrk() {  # label wrk-threads connections url; sets W_RPS W_P50 W_P99 W_ERR W_CPU
  local label=$1 t=$2 c=$3 url=$4 out
  local args=(-t "$t" -c "$c" --timeout 30s -H "Connection: keep-alive" -H "Accept: application/fhir+json")
  (( warmup == 0 )) || wrk "${args[@]}" -d "${warmup}s" "$url" >/dev/null 2>&1 || true
  cpu_start "$server_pid"
  out="$(wrk "${args[@]}" -d "${duration}s" --latency "$url" 2>&1)" || true
  if grep -q "unable to connect" <<<"$out"; then
    die "wrk could not connect to sp-adapter (process $server_pid $(kill -0 "$server_pid" 2>/dev/null &&
      echo "still running" || echo "gone")): $out"
  fi
  wait_idle
  cpu_stop "$(awk '/requests in/{print $1}' <<<"$out")" wrk
  W_CPU="server ${CPU_SERVER_US} us + PostgreSQL ${CPU_PG_US} us"
  printf '==== %s: wrk %s -d %ss --latency %s\n%s\n\n' "$label" "${args[*]}" "$duration" "$url" "$out" >>"$raw_file"
  W_RPS="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' <<<"$out")"
  W_P50="$(to_ms "$(awk '$1=="50%"{print $2}' <<<"$out")")"
  W_P99="$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$out")")"
  W_ERR=""
  local non2xx sockerr
  non2xx="$(awk -F': *' '/Non-2xx or 3xx responses/{print $2}' <<<"$out")"
  sockerr="$(sed -n 's/^ *Socket errors: *//p' <<<"$out")"
  [[ -z "$non2xx" ]] || W_ERR+=" NON-2XX: $non2xx"
  [[ -z "$sockerr" ]] || W_ERR+=" SOCKET ERRORS: $sockerr"
  [[ -n "$W_RPS" ]] || die "could not read wrk's output for $label:
$out"
  if [[ "$(awk '/requests in/{print $1}' <<<"$out")" == 0 ]]; then
    W_P50="-" W_P99="-" W_ERR+=" (no search finished within the ${duration} s)"
  fi
}

# EXPLAIN ANALYZE of every statement the server runs for each search: PostgreSQL logs the
# server's statements with their parameters (log_statement = 'all') while it answers the search
# once, and bench/search/explain.py runs each again under EXPLAIN (ANALYZE, BUFFERS).
explain_all() {  # size-label
  local label=$1 i off status secs
  psql_sp -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.5
  for i in 0 1 2; do
    off="$(stat -c %s "$pg_data/logfile")"
    read -r status secs < <(timed_get "${q_paths[$i]}")
    [[ "$status" != 000 ]] || cancel_server_queries
    sleep 0.5
    tail -c +"$((off + 1))" "$pg_data/logfile" >"$tmp/log-piece.txt"
    python3 bench/search/explain.py "$tmp/log-piece.txt" "$tmp/plan-full.txt" "$tmp/plan-$label-$i.txt" \
      "$max_search" "$pgbin/psql" -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d sp
    {
      echo "==== EXPLAIN ANALYZE, $label: ${q_labels[$i]}"
      echo "     GET ${q_paths[$i]}  (answered $status in $secs s while logging)"
      cat "$tmp/plan-full.txt"
      echo
    } >>"$raw_file"
  done
  psql_sp -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
}

declare -A R   # results: R[size,query,field]
SLOW=1         # seconds: a search slower than this one at a time is not loaded with wrk
measure_size() {  # size-label
  local label=$1 i
  for i in 0 1 2; do
    say "$label ${q_labels[$i]}: one search at a time"
    probe "$i"
    R[$label,$i,matches]=$PROBE_MATCHES R[$label,$i,includes]=$PROBE_INCLUDES R[$label,$i,bytes]=$PROBE_BYTES
    R[$label,$i,seq_n]=$SEQ_N R[$label,$i,seq_median]=$SEQ_MEDIAN R[$label,$i,seq_max]=$SEQ_MAX
    R[$label,$i,timeout]=$PROBE_TIMEOUT
    if (( PROBE_TIMEOUT )); then
      say "  did not answer within $max_search s"
      continue
    fi
    say "  $PROBE_MATCHES matches; median ${SEQ_MEDIAN} s over $SEQ_N searches"
    if awk -v m="$SEQ_MEDIAN" -v s="$SLOW" 'BEGIN { exit !(m < s) }'; then
      say "  wrk, 1 connection"
      run_wrk "$label ${q_labels[$i]} (1 connection)" 1 1 "$base${q_paths[$i]}"
      R[$label,$i,p50_1]=$W_P50 R[$label,$i,p99_1]=$W_P99 R[$label,$i,rps_1]=$W_RPS R[$label,$i,err_1]=$W_ERR
      R[$label,$i,cpu_1]=$W_CPU
      say "  wrk, $connections connections"
      run_wrk "$label ${q_labels[$i]} ($connections connections)" 2 "$connections" "$base${q_paths[$i]}"
      R[$label,$i,p50_n]=$W_P50 R[$label,$i,p99_n]=$W_P99 R[$label,$i,rps_n]=$W_RPS R[$label,$i,err_n]=$W_ERR
    else
      say "  slower than ${SLOW} s: no wrk load"
    fi
  done
  say "$label: EXPLAIN ANALYZE of the server's statements"
  explain_all "$label"
  for i in 0 1 2; do R[$label,$i,plan]="$(cat "$tmp/plan-$label-$i.txt")"; done
}

# The ids a search answers (matches and included, in the server's order), for comparing builds.
answer_ids() {  # query-index
  local status
  status="$(curl -s -o "$tmp/body.json" -w '%{http_code}' -H 'Accept: application/fhir+json' \
    --max-time "$max_search" "$base${q_paths[$1]}&_count=500" || true)"
  [[ "$status" == 200 ]] || die "${q_labels[$1]} answered $status"
  grep -o '"fullUrl":"[^"]*"' "$tmp/body.json" || true
}

# Both builds on the same data, in turn (the other build first, then this one, each round), each
# search at 1 connection; their answers must be the same. Sets C[size,build,query] to the p50s
# and p99s of the rounds and C[size,round,load] to the load average when each round started.
declare -A C
compare_size() {  # size-label
  local label=$1 round b bin i
  local bins=("$compare_bin" "$adapter_bin") names=(other this)
  for ((round = 1; round <= compare_rounds; round++)); do
    C[$label,$round,load]="$(cut -d' ' -f1 /proc/loadavg)"
    for b in 0 1; do
      bin="${bins[$b]}"
      stop_server
      start_server "$bin"
      for i in 0 1 2; do
        if ((round == 1)); then
          answer_ids "$i" >"$tmp/answer-$b-$i.txt"
          if ((b == 1)) && ! cmp -s "$tmp/answer-0-$i.txt" "$tmp/answer-1-$i.txt"; then
            die "${q_labels[$i]}: the two builds answer differently at $label"
          fi
        fi
        say "$label, round $round, ${names[$b]} build: ${q_labels[$i]}"
        run_wrk "$label ${q_labels[$i]} (1 connection, ${names[$b]} build $bin, round $round)" 1 1 "$base${q_paths[$i]}"
        C[$label,$b,$i]+="${C[$label,$b,$i]:+, }$W_P50 / $W_P99$W_ERR"
        C[$label,$b,$i,cpu]+="${C[$label,$b,$i,cpu]:+, }$CPU_SERVER_US + $CPU_PG_US"
      done
    done
  done
  stop_server
  start_server
}

# ---------------------------------------------------------------------------------------------
stop_server
s_label="$(group "$small") Tasks"
load "$s_label" \
  "SELECT sb_clone('Location', 0, $((services - 1)))" \
  "SELECT sb_clone('HealthcareService', 0, $((services - 1)))" \
  "SELECT sb_clone('Patient', 0, $((small / 8 - 1)))" \
  "SELECT sb_clone('ServiceRequest', 0, $((small / 4 - 1)))" \
  "SELECT sb_clone('Task', 0, $((small - 1)))"
LOAD_S=$LOAD_SECONDS
start_server
verify_clones Location/sb-loc-7 HealthcareService/sb-hs-4 HealthcareService/sb-hs-13 Patient/sb-pat-3 \
  ServiceRequest/sb-sr-5 Task/sb-task-6 "Task/sb-task-$((small - 1))"
VERIFIED_S=$VERIFIED SIZES_S="$(sizes)" ROWS_S="$(index_rows_total)" DB_S="$(db_size)"
say "$s_label: $SIZES_S; $ROWS_S index rows; $DB_S"
measure_size "$s_label"
[[ -z "$compare_bin" ]] || compare_size "$s_label"
sizes_labels=("$s_label")

if (( large > 0 )); then
  stop_server
  l_label="$(group "$large") Tasks"
  load "$l_label" \
    "SELECT sb_clone('Patient', $((small / 8)), $((large / 8 - 1)))" \
    "SELECT sb_clone('ServiceRequest', $((small / 4)), $((large / 4 - 1)))" \
    "SELECT sb_clone('Task', $small, $((large - 1)))"
  LOAD_L=$LOAD_SECONDS
  start_server
  verify_clones "Patient/sb-pat-$((large / 8 - 1))" "ServiceRequest/sb-sr-$((large / 4 - 1))" \
    "Task/sb-task-$((large - 1))" "Task/sb-task-$((large / 2 + 3))"
  VERIFIED_L=$VERIFIED SIZES_L="$(sizes)" ROWS_L="$(index_rows_total)" DB_L="$(db_size)"
  say "$l_label: $SIZES_L; $ROWS_L index rows; $DB_L"
  measure_size "$l_label"
  [[ -z "$compare_bin" ]] || compare_size "$l_label"
  sizes_labels+=("$l_label")
fi

# ---------------------------------------------------------------------------------------------
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
[[ -z "$(git status --porcelain -- adapter 2>/dev/null)" ]] || commit="$commit (adapter/ has uncommitted changes)"
cpu="$(awk -F': *' '/^model name/{print $2; exit}' /proc/cpuinfo 2>/dev/null || true)"
{
  echo "sp-adapter search benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $commit"
  echo "machine: $(nproc) CPUs${cpu:+ ($cpu)}; load average before the run: $load_before; wrk, the server and"
  echo "  PostgreSQL share these CPUs"
  echo "server: sp-adapter, $threads HTTP threads, db pool one per thread, plain HTTP; binary built $(date -u -r "$adapter_bin" '+%Y-%m-%d %H:%M UTC')"
  echo "PostgreSQL $pg_version, private cluster, shared_buffers 256MB, fsync off (generated data), default planner settings"
  echo "wrk: 'Connection: keep-alive'; ${duration} s per measurement after ${warmup} s warm-up;" \
       "latency at 1 connection (one search at a time), throughput at $connections connections (2 wrk threads)"
  echo
  echo "data at $s_label: $SIZES_S; $ROWS_S search index rows; database $DB_S; loaded in $LOAD_S s"
  echo "  $VERIFIED_S"
  if (( large > 0 )); then
    echo "data at $l_label: $SIZES_L; $ROWS_L search index rows; database $DB_L; loaded in $LOAD_L s more"
    echo "  $VERIFIED_L"
  fi
  echo
  for i in 0 1 2; do
    echo "${q_labels[$i]}"
    echo "  GET ${q_paths[$i]}"
    for sl in "${sizes_labels[@]}"; do
      printf '  %-16s %s matches%s, %s B per answer\n' "$sl" "${R[$sl,$i,matches]}" \
        "$( (( i == 0 )) && echo " + ${R[$sl,$i,includes]} included" )" "${R[$sl,$i,bytes]}"
      if (( R[$sl,$i,timeout] )); then
        echo "      one search at a time (curl): DID NOT ANSWER within $max_search s (the search was cancelled)"
      else
        awk -v m="${R[$sl,$i,seq_median]}" -v x="${R[$sl,$i,seq_max]}" -v n="${R[$sl,$i,seq_n]}" \
          'BEGIN { printf "      one search at a time (curl): median %.1f ms, max %.1f ms over %d searches\n", m * 1000, x * 1000, n }'
      fi
      if [[ -n "${R[$sl,$i,rps_1]:-}" ]]; then
        printf '      wrk  1 connection : p50 %8s ms  p99 %8s ms  %6s req/s%s\n' \
          "${R[$sl,$i,p50_1]}" "${R[$sl,$i,p99_1]}" "${R[$sl,$i,rps_1]}" "${R[$sl,$i,err_1]}"
        echo "                          CPU per search: ${R[$sl,$i,cpu_1]}"
        printf '      wrk %2s connections: p50 %8s ms  p99 %8s ms  %6s req/s%s\n' "$connections" \
          "${R[$sl,$i,p50_n]}" "${R[$sl,$i,p99_n]}" "${R[$sl,$i,rps_n]}" "${R[$sl,$i,err_n]}"
      else
        echo "      wrk: not run (one search takes over ${SLOW} s)"
      fi
    done
    if (( large > 0 )); then
      # The latency of one search: wrk's p50 at one connection when it ran, else curl's median.
      a="${R[$s_label,$i,p50_1]:-}"; [[ -n "$a" ]] || a="$(awk -v m="${R[$s_label,$i,seq_median]}" 'BEGIN { print m * 1000 }')"
      b="${R[$l_label,$i,p50_1]:-}"; [[ -n "$b" ]] || b="$(awk -v m="${R[$l_label,$i,seq_median]}" 'BEGIN { print m * 1000 }')"
      (( ! R[$l_label,$i,timeout] )) || b=$((max_search * 1000))
      (( ! R[$s_label,$i,timeout] )) || a=$((max_search * 1000))
      awk -v a="$a" -v b="$b" -v s="$s_label" -v l="$l_label" -v ta="${R[$s_label,$i,timeout]}" -v tb="${R[$l_label,$i,timeout]}" \
        'BEGIN { printf "  p50 of one search: %s%.1f ms at %s, %s%.1f ms at %s (x%s%.1f); %s the 10 ms aim at %s\n",
          (ta ? "over " : ""), a, s, (tb ? "over " : ""), b, l, (tb && !ta ? "over " : ""), (a > 0 ? b / a : 0), (b < 10 ? "under" : "OVER"), l }'
    fi
    for sl in "${sizes_labels[@]}"; do
      echo "  EXPLAIN ANALYZE at $sl (the server's statements, in order):"
      echo "${R[$sl,$i,plan]}"
    done
    echo
  done
  if [[ -n "$compare_bin" ]]; then
    echo "The two builds on the same data, in turn ($compare_rounds rounds, each: other, then this;"
    echo "  wrk at 1 connection, ${duration} s after ${warmup} s warm-up; p50 / p99 in ms per round); same answers"
    echo "  this build:  $adapter_bin (built $(date -u -r "$adapter_bin" '+%Y-%m-%d %H:%M UTC'))"
    echo "  other build: $compare_bin (built $(date -u -r "$compare_bin" '+%Y-%m-%d %H:%M UTC'))"
    for sl in "${sizes_labels[@]}"; do
      loads=""
      for ((round = 1; round <= compare_rounds; round++)); do loads+="${loads:+, }${C[$sl,$round,load]}"; done
      echo "  at $sl (load average at the start of each round: $loads)"
      for i in 0 1 2; do
        echo "    ${q_labels[$i]%%\?*}: other ${C[$sl,0,$i]}; this ${C[$sl,1,$i]}"
        echo "      CPU per search, server + PostgreSQL (us): other ${C[$sl,0,$i,cpu]}; this ${C[$sl,1,$i,cpu]}"
      done
    done
    echo
  fi
  echo "Full plans (EXPLAIN (ANALYZE, BUFFERS) with the SQL and its parameters) and wrk output: ${raw_file#"$repo"/}"
} | tee "$report_file"
say "report written to ${report_file#"$repo"/}"
