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
# (throughput), and prints the EXPLAIN ANALYZE of every SQL statement each search runs, taken
# from PostgreSQL's auto_explain while the real server answers it.
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
#   SEARCH_BENCH_BUILD_DIR [build]     where sp-adapter is (built if missing)
#   SEARCH_BENCH_PG_PORT [55442]  SEARCH_BENCH_PORT [18091]   first ports tried
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
build_dir="${SEARCH_BENCH_BUILD_DIR:-$repo/build}"
[[ "$build_dir" == /* ]] || build_dir="$repo/$build_dir"
pg_port_wanted="${SEARCH_BENCH_PG_PORT:-55442}"
port_wanted="${SEARCH_BENCH_PORT:-18091}"
services=10000   # fixed: the data shape in bench/search/clone.sql spreads Tasks over 10,000 owners

pgbin=/usr/lib/postgresql/15/bin
adapter_bin="$build_dir/adapter/sp-adapter"
results_dir="$repo/bench/results"
report_file="$results_dir/search-latest.txt"
raw_file="$results_dir/search-latest-raw.txt"

say() { echo "search-bench [${SECONDS}s]: $*" >&2; }
die() { say "error: $*"; exit 1; }

for v in small large duration warmup connections threads; do
  [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number, got '${!v}'"
done
(( small >= 800 && small % 8 == 0 )) || die "SEARCH_BENCH_SMALL_TASKS must be a multiple of 8, at least 800"
(( large == 0 || (large > small && large % 8 == 0) )) || die "SEARCH_BENCH_LARGE_TASKS must be 0 or a multiple of 8 above the small size"
(( duration >= 1 && connections >= 1 && threads >= 1 )) || die "seconds, connections and threads must be >= 1"
command -v wrk >/dev/null || die "wrk not found (scripts/install-deps.sh installs it)"
command -v curl >/dev/null || die "curl not found"
[[ -x "$pgbin/psql" ]] || die "PostgreSQL 15 not found in $pgbin"
[[ -f "$pgbin/../lib/auto_explain.so" || -f /usr/lib/postgresql/15/lib/auto_explain.so ]] ||
  die "PostgreSQL's auto_explain module is missing"

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
pg_data="$tmp/pg"
pg_url="$(SP_PG_FAST=1 SP_PG_PORT="$pg_port" scripts/embedded-postgres.sh start "$pg_data" 2>"$tmp/pg-start.log" | tail -n 1)"
[[ "$pg_url" == postgresql://* ]] || die "PostgreSQL did not start: $(cat "$tmp/pg-start.log")"
psql_sp -c "ALTER SYSTEM SET maintenance_work_mem = '1GB'" -c "ALTER SYSTEM SET max_wal_size = '16GB'" \
  -c "ALTER SYSTEM SET checkpoint_timeout = '1h'" -c "SELECT pg_reload_conf()" >/dev/null
pg_version="$(psql_sp -c "SHOW server_version")"

start_server() {
  rm -f "$tmp/port"
  env -u SP_DB_POOL -u SP_THREADS "$adapter_bin" --plain-http --host 127.0.0.1 --port "$port" \
    --threads "$threads" --database-url "$pg_url" --quiet --port-file "$tmp/port" \
    >>"$tmp/server.log" 2>&1 &
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
    psql_sp -v t="$type" -v i="$id" -c "SELECT v.body FROM resources r JOIN resource_versions v
      USING (res_type, res_id, version_id) WHERE r.res_type = :'t' AND r.res_id = :'i'" >"$tmp/clone.json"
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
  for s in "$@"; do psql_sp -c "$s" >/dev/null; done
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

# Checks one search answers 200 with the expected matches (and, for (1), 25 included referrals).
probe() {  # query index
  local status path="${q_paths[$1]}" want got inc
  want="$(expected_matches "$1")"
  status="$(http GET "$path&_total=accurate&_count=500")"
  [[ "$status" == 200 ]] || die "${q_labels[$1]} answered $status: $(head -c 600 "$tmp/body.json")"
  got="$(grep -o '"mode":"match"' "$tmp/body.json" | wc -l)"
  inc="$(grep -o '"mode":"include"' "$tmp/body.json" | wc -l)"
  [[ "$got" == "$want" ]] || die "${q_labels[$1]} found $got matches, expected $want"
  if (( $1 == 0 )); then [[ "$inc" == 25 ]] || die "${q_labels[$1]} included $inc, expected 25"; fi
  PROBE_MATCHES=$got PROBE_INCLUDES=$inc
  status="$(http GET "$path")"
  PROBE_BYTES="$(wc -c <"$tmp/body.json")"
}

group() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }   # 1000000 -> 1,000,000

to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.2f", n }'
}

run_wrk() {  # label wrk-threads connections url; sets W_RPS W_P50 W_P99 W_ERR
  local label=$1 t=$2 c=$3 url=$4 out
  local args=(-t "$t" -c "$c" -H "Connection: keep-alive" -H "Accept: application/fhir+json")
  (( warmup == 0 )) || wrk "${args[@]}" -d "${warmup}s" "$url" >/dev/null
  out="$(wrk "${args[@]}" -d "${duration}s" --latency "$url")"
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
}

# EXPLAIN ANALYZE of every statement the server runs for each search: auto_explain logs the
# plans of the server's own connections (new ones: the server is restarted around this).
explain_all() {  # size-label
  local label=$1 i off
  stop_server
  psql_sp -c "LOAD 'auto_explain'" -c "ALTER SYSTEM SET session_preload_libraries = 'auto_explain'" \
    -c "ALTER SYSTEM SET auto_explain.log_min_duration = 0" -c "ALTER SYSTEM SET auto_explain.log_analyze = on" \
    -c "ALTER SYSTEM SET auto_explain.log_buffers = on" -c "ALTER SYSTEM SET auto_explain.log_timing = on" \
    -c "SELECT pg_reload_conf()" >/dev/null
  start_server
  for i in 0 1 2; do
    http GET "${q_paths[$i]}" >/dev/null   # once to warm the connection and the caches
    sleep 0.2
    off="$(stat -c %s "$pg_data/logfile")"
    http GET "${q_paths[$i]}" >/dev/null
    sleep 0.5
    tail -c +"$((off + 1))" "$pg_data/logfile" | sed -E 's/^[0-9-]+ [0-9:.]+ [A-Z]+ \[[0-9]+\] //' >"$tmp/plan-$label-$i.txt"
    {
      echo "==== EXPLAIN ANALYZE, $label: ${q_labels[$i]}"
      echo "     GET ${q_paths[$i]}"
      cat "$tmp/plan-$label-$i.txt"
      echo
    } >>"$raw_file"
  done
  stop_server
  psql_sp -c "LOAD 'auto_explain'" -c "ALTER SYSTEM RESET session_preload_libraries" \
    -c "ALTER SYSTEM RESET auto_explain.log_min_duration" -c "ALTER SYSTEM RESET auto_explain.log_analyze" \
    -c "ALTER SYSTEM RESET auto_explain.log_buffers" -c "ALTER SYSTEM RESET auto_explain.log_timing" \
    -c "SELECT pg_reload_conf()" >/dev/null
  start_server
}

# One line per statement of a plan file: its execution time, the indexes it used, and any
# sequential scan.
plan_summary() {  # plan-file
  awk '
    function flush() {
      if (n == 0) return
      idx = ""; for (k in used) idx = idx (idx == "" ? "" : ", ") k
      seq = ""; for (k in seqs) seq = seq (seq == "" ? "" : ", ") k
      printf "      statement %d: %s ms; indexes: %s; sequential scans: %s\n", n, ms,
        (idx == "" ? "none" : idx), (seq == "" ? "none" : seq)
      delete used; delete seqs
    }
    /duration: .* plan:/ { flush(); n++; ms = $0; sub(/.*duration: /, "", ms); sub(/ ms.*/, "", ms) }
    /Index (Only )?Scan (Backward )?using / { s = $0; sub(/.*using /, "", s); sub(/ .*/, "", s); used[s] = 1 }
    /Bitmap Index Scan on / { s = $0; sub(/.*Bitmap Index Scan on /, "", s); sub(/ .*/, "", s); used[s] = 1 }
    /Seq Scan on / { s = $0; sub(/.*Seq Scan on /, "", s); sub(/ .*/, "", s); seqs[s] = 1 }
    END { flush() }' "$1"
}

declare -A R   # results: R[size,query,field]
measure_size() {  # size-label
  local label=$1 i
  for i in 0 1 2; do
    probe "$i"
    R[$label,$i,matches]=$PROBE_MATCHES R[$label,$i,includes]=$PROBE_INCLUDES R[$label,$i,bytes]=$PROBE_BYTES
    say "$label ${q_labels[$i]}: $PROBE_MATCHES matches; one connection"
    run_wrk "$label ${q_labels[$i]} (1 connection)" 1 1 "$base${q_paths[$i]}"
    R[$label,$i,p50_1]=$W_P50 R[$label,$i,p99_1]=$W_P99 R[$label,$i,rps_1]=$W_RPS R[$label,$i,err_1]=$W_ERR
    say "$label ${q_labels[$i]}: $connections connections"
    run_wrk "$label ${q_labels[$i]} ($connections connections)" 2 "$connections" "$base${q_paths[$i]}"
    R[$label,$i,p50_n]=$W_P50 R[$label,$i,p99_n]=$W_P99 R[$label,$i,rps_n]=$W_RPS R[$label,$i,err_n]=$W_ERR
  done
  say "$label: EXPLAIN ANALYZE through auto_explain"
  explain_all "$label"
  for i in 0 1 2; do R[$label,$i,plan]="$(plan_summary "$tmp/plan-$label-$i.txt")"; done
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
      printf '  %-16s %3s matches%s, %6s B | 1 conn: p50 %7s ms  p99 %7s ms %6s req/s | %2s conn: p50 %7s ms  p99 %7s ms %6s req/s%s\n' \
        "$sl" "${R[$sl,$i,matches]}" "$( (( i == 0 )) && echo " + ${R[$sl,$i,includes]} included" )" "${R[$sl,$i,bytes]}" \
        "${R[$sl,$i,p50_1]}" "${R[$sl,$i,p99_1]}" "${R[$sl,$i,rps_1]}" "$connections" \
        "${R[$sl,$i,p50_n]}" "${R[$sl,$i,p99_n]}" "${R[$sl,$i,rps_n]}" "${R[$sl,$i,err_1]}${R[$sl,$i,err_n]}"
    done
    if (( large > 0 )); then
      awk -v a="${R[$s_label,$i,p50_1]}" -v b="${R[$l_label,$i,p50_1]}" -v s="$s_label" -v l="$l_label" \
        'BEGIN { printf "  p50 at one connection, %s / %s: %.2f  (%s the 10 ms aim at %s)\n", l, s, (a > 0 ? b / a : 0), (b < 10 ? "under" : "OVER"), l }'
    fi
    for sl in "${sizes_labels[@]}"; do
      echo "  EXPLAIN ANALYZE at $sl (server's statements, in order):"
      echo "${R[$sl,$i,plan]}"
    done
    echo
  done
  echo "Full plans (auto_explain, with the SQL text) and wrk output: ${raw_file#"$repo"/}"
} | tee "$report_file"
say "report written to ${report_file#"$repo"/}"
