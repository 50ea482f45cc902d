#include "store/pg/pg_sync_gate.h"

#include <pqxx/pqxx>
#include <stdexcept>

namespace sp::store::pg {

namespace {

// The advisory lock's key: the job's name hashed by PostgreSQL, apart from the keys lockKey()
// takes (those are transaction locks on the same hash of other texts).
constexpr const char* kKeyPrefix = "sp-job:";

}  // namespace

PgSyncGate::PgSyncGate(std::string url) : url_(std::move(url)) {}

PgSyncGate::~PgSyncGate() = default;

pqxx::connection& PgSyncGate::connection() {
  if (!conn_ || !conn_->is_open()) {
    held_.clear();  // a new session holds no lock
    conn_ = std::make_unique<pqxx::connection>(url_);
  }
  return *conn_;
}

bool PgSyncGate::begin(const std::string& job, std::chrono::seconds interval) {
  std::lock_guard<std::mutex> lock(mutex_);
  try {
    pqxx::connection& c = connection();
    if (held_.count(job)) return false;  // this process is running it
    {
      pqxx::nontransaction n(c);
      const auto got =
          n.exec_params("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", kKeyPrefix + job);
      if (!got[0][0].as<bool>()) return false;
    }
    held_.insert(job);
    pqxx::nontransaction n(c);
    const auto due = n.exec_params(
        "SELECT NOT EXISTS (SELECT 1 FROM job_runs WHERE job = $1 AND "
        "finished > now() - make_interval(secs => $2))",
        job, static_cast<double>(interval.count()));
    if (due[0][0].as<bool>()) return true;
    n.exec_params("SELECT pg_advisory_unlock(hashtextextended($1, 0))", kKeyPrefix + job);
    held_.erase(job);
    return false;
  } catch (const pqxx::broken_connection& e) {
    conn_.reset();
    held_.clear();
    throw std::runtime_error(std::string("job lock: database unreachable: ") + e.what());
  }
}

void PgSyncGate::finish(const std::string& job) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!held_.count(job)) return;
  try {
    pqxx::nontransaction n(connection());
    n.exec_params(
        "INSERT INTO job_runs (job, finished) VALUES ($1, now()) "
        "ON CONFLICT (job) DO UPDATE SET finished = excluded.finished",
        job);
    n.exec_params("SELECT pg_advisory_unlock(hashtextextended($1, 0))", kKeyPrefix + job);
    held_.erase(job);
  } catch (const pqxx::broken_connection& e) {
    conn_.reset();  // the session's lock went with it
    held_.clear();
    throw std::runtime_error(std::string("job lock: database unreachable: ") + e.what());
  }
}

}  // namespace sp::store::pg
