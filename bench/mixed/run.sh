#!/usr/bin/env bash
# Mixed CRUD benchmark (issue 21): bench/mixed/run.sh  (see bench/README.md, "Mixed CRUD")
#
# The load the public FHIR server comparisons run: create 10 %, read 60 %, update 25 %,
# delete 5 %, on Patient and Observation, many connections, durable. Measured in one run:
#   (m) wrk -> sp-adapter with bench/mixed/mixed.lua, on MIX_ROWS preloaded Patients and as many
#       Observations (written through the API), deletes on ids preloaded for deleting, each once
#   (p) pgbench -> the same PostgreSQL: the same mix of single-row statements (INSERT, SELECT,
#       UPDATE, DELETE by key) on a table of JSONB rows preloaded alike, the same bodies
# and prints requests/s, p50/p99, the answers by status (anything but 200, 201 and 204 is an
# error), the CPU per request of each process, and the ratio m/p. The report also goes to
# bench/results/mixed-latest.txt (raw tool output: mixed-latest-raw.txt).
#
# Environment (defaults in brackets):
#   MIX_ROWS [2000]          preloaded Patients, and Observations, read and updated
#   MIX_DELETES [4000]       preloaded ids of each type kept for deleting (each deleted once)
#   MIX_SECONDS [10]  MIX_WARMUP [2]  MIX_CONNECTIONS [16]  MIX_THREADS [2] (server threads)
#   MIX_PG_PORT [55452]  MIX_PORT [18095]    first ports tried
# Everything started here is stopped on exit. PostgreSQL runs with real durability.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"

rows="${MIX_ROWS:-2000}"
deletes="${MIX_DELETES:-4000}"
duration="${MIX_SECONDS:-10}"
warmup="${MIX_WARMUP:-2}"
connections="${MIX_CONNECTIONS:-16}"
threads="${MIX_THREADS:-2}"
pgbin=/usr/lib/postgresql/15/bin
adapter_bin="$repo/build/adapter/sp-adapter"
results_dir="$repo/bench/results"
report_file="$results_dir/mixed-latest.txt"
raw_file="$results_dir/mixed-latest-raw.txt"

say() { echo "mixed-bench [${SECONDS}s]: $*" >&2; }
die() { say "error: $*"; exit 1; }
for v in rows deletes duration warmup connections threads; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ || ( "$v" == warmup && "${!v}" == 0 ) ]] || die "$v must be a whole number above 0, got '${!v}'"
done
command -v wrk >/dev/null || die "wrk not found (scripts/install-deps.sh installs it)"
command -v curl >/dev/null || die "curl not found"
command -v python3 >/dev/null || die "python3 not found"
[[ -x "$pgbin/pgbench" ]] || die "PostgreSQL 15 tools not found in $pgbin"
if [[ ! -x "$adapter_bin" ]]; then
  [[ -f build/build.ninja ]] || cmake -G Ninja -S . -B build >&2
  ninja -C build adapter/sp-adapter >&2
fi

tmp="" pg_data="" server_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  set +e
  if [[ -n "$server_pid" ]]; then kill -TERM "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  [[ -z "$pg_data" ]] || scripts/embedded-postgres.sh stop "$pg_data" >/dev/null 2>&1
  if [[ -n "$tmp" ]]; then
    (( status == 0 )) || tail -n 15 "$tmp/server.log" >&2 2>/dev/null
    rm -rf "$tmp"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=bench/lib/cpu_accounting.sh
source "$repo/bench/lib/cpu_accounting.sh"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p=$1
  for _ in $(seq 100); do port_in_use "$p" || { echo "$p"; return; }; p=$((p + 1)); done
  die "no free port from $1 upwards"
}
to_ms() {  # wrk latency ("180.00us", "1.44ms", "1.02s") to milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; printf "%.2f", n }'
}

mkdir -p "$results_dir"
: >"$raw_file"
tmp="$(mktemp -d /tmp/spmixed.XXXXXX)"
chmod 755 "$tmp"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
pg_port="$(free_port "${MIX_PG_PORT:-55452}")"
port="$(free_port "${MIX_PORT:-18095}")"
pg_data="$tmp/pg"
say "starting a private PostgreSQL (durable) on 127.0.0.1:$pg_port"
pg_url="$(SP_PG_PORT="$pg_port" scripts/embedded-postgres.sh start "$pg_data" 2>"$tmp/pg.log" | tail -n 1)"
[[ "$pg_url" == postgresql://* ]] || die "PostgreSQL did not start: $(cat "$tmp/pg.log")"
psql_sp() { "$pgbin/psql" -X -q -tA -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d sp "$@"; }

say "starting sp-adapter, $threads threads, port $port"
env -u SP_DB_POOL -u SP_THREADS "$adapter_bin" --plain-http --host 127.0.0.1 --port "$port" \
  --threads "$threads" --database-url "$pg_url" --quiet --port-file "$tmp/port" \
  --handover-sweep-ms 0 >"$tmp/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 300); do [[ -s "$tmp/port" ]] && break; sleep 0.1; done
[[ -s "$tmp/port" ]] || die "sp-adapter did not start"

# ---------------------------------------------------------------------------------------------
# Preload through the API: transaction Bundles of 100 PUTs (mx-p-N, mx-o-N, mx-pd-K, mx-od-K).
say "preloading $rows + $deletes of each type through the API"
python3 - "$tmp/bundles" "$rows" "$deletes" bench/mixed/patient.json bench/mixed/observation.json <<'PY'
import json, os, sys
out, rows, deletes, patient, observation = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
os.makedirs(out)
bodies = {"Patient": json.load(open(patient)), "Observation": json.load(open(observation))}
ids = [(t, f"mx-{s}-{i}") for i in range(1, rows + 1) for t, s in (("Patient", "p"), ("Observation", "o"))]
ids += [(t, f"mx-{s}d-{i}") for i in range(1, deletes + 1) for t, s in (("Patient", "p"), ("Observation", "o"))]
for n in range(0, len(ids), 100):
    entries = []
    for t, i in ids[n:n + 100]:
        body = dict(bodies[t], id=i)
        entries.append({"fullUrl": f"{t}/{i}", "resource": body, "request": {"method": "PUT", "url": f"{t}/{i}"}})
    with open(f"{out}/{n // 100:05d}.json", "w") as f:
        json.dump({"resourceType": "Bundle", "type": "transaction", "entry": entries}, f)
PY
for f in "$tmp"/bundles/*.json; do
  status="$(curl -s -o "$tmp/answer.json" -w '%{http_code}' -H 'Content-Type: application/fhir+json' \
    -H 'Accept: application/fhir+json' --data-binary "@$f" "http://127.0.0.1:$port/")"
  [[ "$status" == 200 ]] || die "preloading $(basename "$f") answered $status: $(head -c 600 "$tmp/answer.json")"
done
stored="$(psql_sp -c "SELECT count(*) FROM resources WHERE res_id LIKE 'mx-%' AND NOT deleted")"
(( stored == 2 * (rows + deletes) )) || die "preloaded $stored resources, expected $((2 * (rows + deletes)))"

# ---------------------------------------------------------------------------------------------
# (m) sp-adapter under the mix. The warm-up deletes from the first quarter of the kept ids, the
# measurement from the rest.
export MIX_ROWS="$rows" MIX_DIR="$repo/bench/mixed"
wrk_args=(-t 2 -c "$connections" --timeout 30s --latency -s bench/mixed/mixed.lua)
if (( warmup > 0 )); then
  say "(m) warm-up, $warmup s"
  MIX_DELETE_FROM=1 wrk "${wrk_args[@]}" -d "${warmup}s" "http://127.0.0.1:$port" >/dev/null
fi
say "(m) sp-adapter, mixed CRUD, $connections connections, $duration s"
cpu_start "$server_pid"
m_out="$(MIX_DELETE_FROM=$((deletes / 4 + 1)) wrk "${wrk_args[@]}" -d "${duration}s" "http://127.0.0.1:$port")"
m_count="$(awk '/requests in/{print $1}' <<<"$m_out")"
cpu_stop "$m_count" wrk
M_CPU=$CPU_LINE
printf '==== (m) wrk %s -d %ss\n%s\n\n' "${wrk_args[*]}" "$duration" "$m_out" >>"$raw_file"
M_RPS="$(awk '/^Requests\/sec:/{printf "%.0f", $2}' <<<"$m_out")"
M_P50="$(to_ms "$(awk '$1=="50%"{print $2}' <<<"$m_out")")"
M_P99="$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$m_out")")"
M_SENT="$(awk '$1=="sent"{printf "%s%s %s", sep, $2, $3; sep=", "}' <<<"$m_out")"
M_STATUS="$(awk '$1=="status"{printf "%s%s: %s", sep, $2, $3; sep=", "}' <<<"$m_out")"
M_ERRORS="$(awk '$1=="status" && $2!=200 && $2!=201 && $2!=204 {n += $3} END {print n + 0}' <<<"$m_out")"
sockerr="$(sed -n 's/^ *Socket errors: *//p' <<<"$m_out")"
deletes_sent="$(awk '$1=="sent" && $2=="delete"{print $3}' <<<"$m_out")"
(( ${deletes_sent:-0} <= deletes * 3 / 4 )) ||
  say "warning: $deletes_sent deletes sent, more than the $((deletes * 3 / 4)) ids kept: raise MIX_DELETES"
kill -TERM "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""

# ---------------------------------------------------------------------------------------------
# (p) pgbench: the same mix of single-row statements on JSONB rows, preloaded alike.
say "(p) pgbench, the same mix on a JSONB table, $connections clients, $duration s"
psql_sp -v rows="$rows" -v deletes="$deletes" -v p="$(cat bench/mixed/patient.json)" \
  -v o="$(cat bench/mixed/observation.json)" <<'SQL'
CREATE TABLE mix (res_type text NOT NULL, id text NOT NULL, version int NOT NULL DEFAULT 1,
                  body jsonb NOT NULL, PRIMARY KEY (res_type, id));
INSERT INTO mix (res_type, id, body)
SELECT t, 'mx-' || s || '-' || i, CASE t WHEN 'Patient' THEN :'p'::jsonb ELSE :'o'::jsonb END
  FROM generate_series(1, :rows) i, (VALUES ('Patient', 'p'), ('Observation', 'o')) AS k(t, s)
UNION ALL
SELECT t, 'mx-' || s || 'd-' || i, CASE t WHEN 'Patient' THEN :'p'::jsonb ELSE :'o'::jsonb END
  FROM generate_series(1, :deletes) i, (VALUES ('Patient', 'p'), ('Observation', 'o')) AS k(t, s);
CREATE SEQUENCE mix_new;
CREATE SEQUENCE mix_delete;
-- The bodies the statements write, as text: each write parses it into JSONB again, as a client's
-- JSON would be (pgbench's prepared mode cannot carry JSON literals: it reads ':' as a variable).
CREATE TABLE mix_bodies (res_type text PRIMARY KEY, body text NOT NULL);
INSERT INTO mix_bodies VALUES ('Patient', :'p'), ('Observation', :'o');
VACUUM ANALYZE mix;
SQL
type_of="CASE :t::int WHEN 0 THEN 'Patient' ELSE 'Observation' END"
id_of="CASE :t::int WHEN 0 THEN 'mx-p-' ELSE 'mx-o-' END || :n::text"
body_of="(SELECT body FROM mix_bodies WHERE res_type = $type_of)::jsonb"
# The delete's id is a scalar subquery: computed once, so the key is looked up (nextval written
# straight in the condition is volatile, and would be called for every row of a full scan).
cat >"$tmp/mixed.sql" <<SQL
\set r random(1, 100)
\set t random(0, 1)
\set n random(1, $rows)
\if :r <= 10
INSERT INTO mix (res_type, id, body) VALUES ($type_of, 'new-' || nextval('mix_new'), $body_of);
\elif :r <= 70
SELECT body FROM mix WHERE res_type = $type_of AND id = $id_of;
\elif :r <= 95
UPDATE mix SET body = $body_of, version = version + 1 WHERE res_type = $type_of AND id = $id_of;
\else
DELETE FROM mix WHERE res_type = $type_of AND id = (SELECT CASE :t::int WHEN 0 THEN 'mx-pd-' ELSE 'mx-od-' END || nextval('mix_delete'));
\endif
SQL
pgbench_args=(-h 127.0.0.1 -p "$pg_port" -U postgres -n -M prepared -f "$tmp/mixed.sql" -c "$connections" -j 2)
if (( warmup > 0 )); then
  "$pgbin/pgbench" "${pgbench_args[@]}" -T "$warmup" sp >"$tmp/pgbench-warm.log" 2>&1 ||
    die "pgbench failed: $(grep -m3 -i error "$tmp/pgbench-warm.log")"
fi
cpu_start 0
p_out="$(cd "$tmp" && "$pgbin/pgbench" "${pgbench_args[@]}" -T "$duration" -l sp 2>&1)"
p_done="$(sed -n 's/^number of transactions actually processed: *//p' <<<"$p_out")"
cpu_stop "${p_done%% *}" pgbench
P_CPU="${CPU_LINE/request/transaction}"
printf '==== (p) pgbench %s -T %s -l sp\n%s\n\n' "${pgbench_args[*]}" "$duration" "$p_out" >>"$raw_file"
P_RPS="$(awk '/^tps = .*without initial connection time/{printf "%.0f", $3}' <<<"$p_out")"
P_FAILED="$(sed -n 's/^number of failed transactions: *//p' <<<"$p_out")"
[[ -n "$P_RPS" ]] || die "could not read pgbench's output: $p_out"
read -r P_P50 P_P99 < <(cat "$tmp"/pgbench_log.* | awk '{print $3}' | sort -n | awk '
  { v[NR] = $1 } END { i = int(NR * 0.5 + 0.999); j = int(NR * 0.99 + 0.999)
    if (i < 1) i = 1; if (j < 1) j = 1
    printf "%.2f %.2f\n", v[i] / 1000, v[j] / 1000 }')

# ---------------------------------------------------------------------------------------------
ratio="$(awk -v m="$M_RPS" -v p="$P_RPS" 'BEGIN { printf "%.2f", (p > 0 ? m / p : 0) }')"
{
  echo "sp-adapter mixed CRUD benchmark, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), commit $(git rev-parse --short HEAD)"
  echo "machine: $(nproc) CPUs; load average before the run: $load_before; the load generators,"
  echo "  the server and PostgreSQL share these CPUs"
  echo "sp-adapter: $threads HTTP threads, db pool one per thread, plain HTTP; binary built $(date -u -r "$adapter_bin" '+%Y-%m-%d %H:%M UTC')"
  echo "PostgreSQL $(psql_sp -c 'SHOW server_version' | cut -d' ' -f1), private cluster, durable (fsync on, synchronous_commit on)"
  echo "data: $rows Patients and $rows Observations read and updated, $deletes of each kept for deleting"
  echo "load: create 10 %, read 60 %, update 25 %, delete 5 %, on Patient and Observation alike;"
  echo "  $connections connections (wrk 2 threads; pgbench -j 2 -M prepared); $duration s after $warmup s warm-up"
  echo
  printf '(m) sp-adapter, mixed CRUD      %7s req/s   p50 %7s ms   p99 %7s ms\n' "$M_RPS" "$M_P50" "$M_P99"
  echo "      sent: $M_SENT; answers: $M_STATUS; errors (not 200/201/204): $M_ERRORS${sockerr:+; socket errors: $sockerr}"
  echo "      $M_CPU"
  printf '(p) PostgreSQL, the same mix    %7s tx/s    p50 %7s ms   p99 %7s ms\n' "$P_RPS" "$P_P50" "$P_P99"
  echo "      failed transactions: ${P_FAILED:-?}"
  echo "      $P_CPU"
  echo
  echo "m/p = $ratio   (issue 21 aims at >= 0.4)"
} | tee "$report_file"
say "report written to ${report_file#"$repo"/}; raw output in ${raw_file#"$repo"/}"
