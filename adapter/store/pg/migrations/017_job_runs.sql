-- When each periodic job last finished (store/sync_gate.h): the directory feeds' syncs, one row
-- per feed. Which process runs a job now is a session advisory lock, not a row.
CREATE TABLE job_runs (
  job      text PRIMARY KEY,
  finished timestamptz NOT NULL
);
