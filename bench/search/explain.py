#!/usr/bin/env python3
"""EXPLAIN ANALYZE of the SQL statements sp-adapter ran for one search (bench/search_bench.sh).

Reads a piece of PostgreSQL's log written with log_statement = 'all' while the server answered
one search, takes every SELECT it ran ("execute <unnamed>: ..." with its "parameters: $1 = ..."
line), and runs each again in psql as PREPARE + EXPLAIN (ANALYZE, BUFFERS) EXECUTE with the
same parameter values (so PostgreSQL plans it with those values, as it did for the server).
Each is run twice in one session and the second run is shown: the first pays for loading the
new session's catalog caches (a few milliseconds of "planning" that the server's long-lived
connections never pay again).
A statement that does not finish within the time limit is shown with EXPLAIN (no ANALYZE): the
plan PostgreSQL chose, with its estimates.

usage: explain.py LOG_PIECE FULL_OUT SUMMARY_OUT TIMEOUT_SECONDS psql-command...
"""
import re
import subprocess
import sys

PREFIX = re.compile(r"^\d{4}-\d\d-\d\d [\d:.]+ \w+ \[(\d+)\] (\w+):  (.*)$")
PARAM = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def statements(lines):
    """(pid, sql, [literal...]) of each SELECT in the log piece, in order."""
    entries = []  # [pid, level, text]
    for line in lines:
        m = PREFIX.match(line)
        if m:
            entries.append([m.group(1), m.group(2), m.group(3)])
        elif line.startswith("\t") and entries:
            entries[-1][2] += "\n" + line[1:]
    out = []
    for i, (pid, level, text) in enumerate(entries):
        if level != "LOG":
            continue
        m = re.match(r"(?:execute [^:]*|statement): (.*)$", text, re.S)
        if not m:
            continue
        sql = m.group(1).strip()
        if not re.match(r"(?is)^\s*(select|with)\b", sql):
            continue
        if not re.search(r"\b(resources|resource_versions|idx_\w+)\b", sql):
            continue  # not the server's (the benchmark's own queries of pg_stat_activity)
        params = []
        for pid2, level2, text2 in entries[i + 1:i + 3]:
            if pid2 == pid and level2 == "DETAIL" and text2.startswith("parameters:"):
                found = {int(n): v for n, v in PARAM.findall(text2)}
                params = [found[k] for k in sorted(found)]
                break
        out.append((pid, sql, params))
    return out


def run_psql(psql, script):
    p = subprocess.run(psql, input=script, capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def summary(plan, analyzed):
    indexes, seqs = [], []
    for m in re.finditer(r"Index (?:Only )?Scan (?:Backward )?using (\S+)", plan):
        if m.group(1) not in indexes:
            indexes.append(m.group(1))
    for m in re.finditer(r"Bitmap Index Scan on (\S+)", plan):
        if m.group(1) not in indexes:
            indexes.append(m.group(1))
    for m in re.finditer(r"Seq Scan on (\S+)", plan):
        if m.group(1) not in seqs:
            seqs.append(m.group(1))
    parts = []
    if analyzed:
        t = re.search(r"Execution Time: ([\d.]+) ms", plan)
        p = re.search(r"Planning Time: ([\d.]+) ms", plan)
        parts.append(f"{t.group(1) if t else '?'} ms (planning {p.group(1) if p else '?'} ms)")
    parts.append("indexes: " + (", ".join(indexes) or "none"))
    parts.append("sequential scans: " + (", ".join(seqs) or "none"))
    if "SubPlan" in plan:
        loops = [int(x) for x in re.findall(r"loops=(\d+)\)", plan)]
        correlated = len(re.findall(r"^\s*SubPlan \d+", plan, re.M))
        parts.append(f"{correlated} correlated subplan(s)"
                     + (f", run up to {max(loops)} times" if analyzed and loops else ""))
    jit = re.search(r"Timing: Generation .* Total ([\d.]+) ms", plan)
    if jit:
        parts.append(f"JIT {jit.group(1)} ms")
    return "; ".join(parts)


def main():
    log_piece, full_out, summary_out, timeout = sys.argv[1:5]
    psql = sys.argv[5:]
    with open(log_piece, encoding="utf-8", errors="replace") as f:
        stmts = statements(f.read().splitlines())
    full, short = [], []
    for n, (_pid, sql, params) in enumerate(stmts, 1):
        args = "(" + ", ".join(params) + ")" if params else ""
        head = f"PREPARE s AS {sql};\n"
        explain = f"EXPLAIN (ANALYZE, BUFFERS) EXECUTE s{args};\n"
        rc, out, err = run_psql(psql, f"SET statement_timeout = '{timeout}s';\n{head}"
                                      f"\\o /dev/null\n{explain}\\o\n{explain}")
        analyzed = rc == 0
        note = ""
        if not analyzed:
            if "statement timeout" not in err:
                raise SystemExit(f"EXPLAIN of statement {n} failed: {err}\n{sql}")
            rc, out, err = run_psql(psql, f"{head}EXPLAIN EXECUTE s{args};\n")
            if rc != 0:
                raise SystemExit(f"EXPLAIN of statement {n} failed: {err}\n{sql}")
            note = f" (did not finish within {timeout} s: EXPLAIN without ANALYZE, estimates only)"
        full.append(f"-- statement {n}{note}\n-- SQL: {sql}\n-- parameters: {', '.join(params) or 'none'}\n"
                    + out.rstrip() + "\n")
        short.append(f"      statement {n}: " + ("" if analyzed else f"did not finish within {timeout} s; ")
                     + summary(out, analyzed))
    if not stmts:
        short.append("      (no SELECT statements were logged)")
    with open(full_out, "w", encoding="utf-8") as f:
        f.write("\n".join(full))
    with open(summary_out, "w", encoding="utf-8") as f:
        f.write("\n".join(short) + "\n")


if __name__ == "__main__":
    main()
