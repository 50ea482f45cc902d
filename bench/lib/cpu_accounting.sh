# CPU accounting for the benchmarks (sourced by bench/run.sh and bench/search_bench.sh).
# The sourcing script sets $pg_data (the private cluster's directory) and $tmp (a scratch
# directory) before calling cpu_start.
#
# CPU accounting in clock ticks, to show where the time goes: the whole machine (busy time), the
# server process, PostgreSQL (the postmaster and its children, those still running and those that
# exited during the window) and the load generator (this shell's finished children: wrk or
# pgbench). "other" is the rest: kernel threads (e.g. I/O), and anything else on the machine.
clk_tck="$(getconf CLK_TCK)"
machine_ticks() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8 + $9; exit}' /proc/stat; }
proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
pg_snapshot() {  # "pid ticks" for the postmaster and its children, and "reaped ticks": the
  # children that have exited (the postmaster waited for them: pgbench's backends, say)
  local pm
  pm="$(head -n 1 "$pg_data/postmaster.pid" 2>/dev/null || echo 0)"
  awk -v pm="$pm" '$1 == pm {print "reaped", $16 + $17} $1 == pm || $4 == pm {print $1, $14 + $15}' \
    /proc/[0-9]*/stat 2>/dev/null || true
}
children_ticks() {  # sets CHILD_TICKS; must run in this shell (not in $(...)): uses the times builtin
  times >"$tmp/times"
  CHILD_TICKS="$(awk -v hz="$clk_tck" 'function sec(t, m) { split(t, m, /[ms]/); return m[1] * 60 + m[2] }
    NR == 2 { printf "%.0f", (sec($1) + sec($2)) * hz }' "$tmp/times")"
}
us_per() {  # ticks count -> microseconds per item
  awk -v t="$1" -v n="$2" -v hz="$clk_tck" 'BEGIN { if (n > 0) printf "%.0f", t / hz / n * 1e6; else printf "?" }'
}
cpu_start() {  # server-pid
  CPU_SERVER=$1
  children_ticks
  CPU_L0=$CHILD_TICKS CPU_M0="$(machine_ticks)" CPU_S0="$(proc_ticks "$CPU_SERVER")" CPU_P0="$(pg_snapshot)"
}
cpu_stop() {  # count load-name; sets CPU_LINE
  local n=$1 name=$2 m s p l
  m=$(( $(machine_ticks) - CPU_M0 ))
  s=$(( $(proc_ticks "$CPU_SERVER") - CPU_S0 ))
  p="$(awk 'NR == FNR {b[$1] = $2; next} {d += $2 - (($1 in b) ? b[$1] : 0)} END {print d + 0}' \
    <(echo "$CPU_P0") <(pg_snapshot))"
  children_ticks
  l=$(( CHILD_TICKS - CPU_L0 ))
  CPU_LINE="CPU per request: "
  (( CPU_SERVER == 0 )) || CPU_LINE+="server $(us_per "$s" "$n") us, "
  CPU_LINE+="PostgreSQL $(us_per "$p" "$n") us, $name $(us_per "$l" "$n") us,"
  CPU_LINE+=" other $(us_per $(( m - s - p - l < 0 ? 0 : m - s - p - l )) "$n") us; whole machine $(us_per "$m" "$n") us"
  CPU_OTHER_PCT=$(( m > 0 ? (m - s - p - l) * 100 / m : 0 ))
  CPU_SERVER_US="$(us_per "$s" "$n")" CPU_PG_US="$(us_per "$p" "$n")"
}
