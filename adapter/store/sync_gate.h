// Who runs a periodic job now, when several adapters share one database (the directory feeds'
// sync, services/feed_scheduler.h): at most one process at a time, and not again before the
// interval since the last finished run has passed, whichever process ran it.
#pragma once

#include <chrono>
#include <string>

namespace sp::store {

class SyncGate {
 public:
  virtual ~SyncGate() = default;
  // True when this process may run `job` now: no other process is running it, and the last run
  // of it (by anyone) finished at least `interval` ago. Then the caller must call finish().
  // Throws std::runtime_error when the database cannot be reached.
  virtual bool begin(const std::string& job, std::chrono::seconds interval) = 0;
  // Records the run as finished now and lets other processes run the job.
  virtual void finish(const std::string& job) = 0;
};

}  // namespace sp::store
