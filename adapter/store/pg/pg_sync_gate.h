// SyncGate on PostgreSQL: a session advisory lock per job (pg_try_advisory_lock on a connection
// of its own, so it is released if the process dies) and the time the job last finished in
// job_runs. Thread-safe (one mutex around the connection); a lost connection is opened again on
// the next begin().
#pragma once

#include <memory>
#include <mutex>
#include <pqxx/connection>
#include <set>
#include <string>

#include "store/sync_gate.h"

namespace sp::store::pg {

class PgSyncGate : public SyncGate {
 public:
  // Migrations must already be applied (PgResourceStore does it). Connects on first use.
  explicit PgSyncGate(std::string url);
  ~PgSyncGate() override;
  bool begin(const std::string& job, std::chrono::seconds interval) override;
  void finish(const std::string& job) override;

 private:
  pqxx::connection& connection();
  std::string url_;
  std::mutex mutex_;
  std::unique_ptr<pqxx::connection> conn_;
  std::set<std::string> held_;
};

}  // namespace sp::store::pg
