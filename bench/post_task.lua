-- wrk script for bench/run.sh measurement (c): POST /Task with a social-prescribing Task.
-- The body is read once from $BENCH_TASK_FILE (default bench/data/task.json).
-- Connection: keep-alive is set explicitly: Pistache 0.0.5 closes the connection otherwise.
local path = os.getenv("BENCH_TASK_FILE") or "bench/data/task.json"
local file = assert(io.open(path, "rb"), "cannot open " .. path)
local body = file:read("*a")
file:close()

wrk.method = "POST"
wrk.path = "/Task"
wrk.body = body
wrk.headers["Content-Type"] = "application/fhir+json"
wrk.headers["Accept"] = "application/fhir+json"
wrk.headers["Connection"] = "keep-alive"
