#include "store/pg/pg_resource_store.h"

#include <pqxx/pqxx>

#include <iostream>

#include "fhir/errors.h"
#include "fhir/ids.h"
#include "store/pg/migrations.h"
#include "store/pg/pg_messages.h"
#include "store/pg/pg_search.h"
#include "store/pg/version_rows.h"
#include "store/search_request.h"

namespace sp::store::pg {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;

constexpr int kAttempts = 3;

void prepareStatements(pqxx::connection& c) {
  const std::string cols = kVersionColumns;
  const std::string current =
      "SELECT " + cols +
      " FROM resources r JOIN resource_versions v"
      " ON v.res_type = r.res_type AND v.res_id = r.res_id AND v.version_id = r.version_id"
      " WHERE r.res_type = $1 AND r.res_id = $2";
  c.prepare("current", current);
  // Locking needs a single-table statement: with a join, a row updated while we wait is
  // re-checked against the old version row and silently drops out of the result.
  c.prepare("lock_current",
            "SELECT version_id FROM resources WHERE res_type = $1 AND res_id = $2 FOR UPDATE");
  c.prepare("version", "SELECT " + cols +
                           " FROM resource_versions v"
                           " WHERE v.res_type = $1 AND v.res_id = $2 AND v.version_id = $3");
  c.prepare("insert_version",
            "INSERT INTO resource_versions"
            " (res_type, res_id, version_id, last_updated, deleted, method, body)"
            " VALUES ($1, $2, $3, to_timestamp($4::double precision / 1000), $5, $6,"
            " NULLIF($7, ''))");
  c.prepare("upsert_current",
            "INSERT INTO resources (res_type, res_id, version_id, last_updated, deleted)"
            " VALUES ($1, $2, $3, to_timestamp($4::double precision / 1000), $5)"
            " ON CONFLICT (res_type, res_id) DO UPDATE SET version_id = EXCLUDED.version_id,"
            " last_updated = EXCLUDED.last_updated, deleted = EXCLUDED.deleted");
  c.prepare("delete_identifiers",
            "DELETE FROM resource_identifiers WHERE res_type = $1 AND res_id = $2");
  c.prepare("insert_identifier",
            "INSERT INTO resource_identifiers (res_type, res_id, system, value)"
            " VALUES ($1, $2, $3, $4)");
  c.prepare("find_by_identifier",
            "SELECT DISTINCT res_id FROM resource_identifiers"
            " WHERE res_type = $1 AND value = $2 AND ($3 = '' OR system = $3) ORDER BY res_id");
  c.prepare("lock_key", "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))");
  prepareMessageStatements(c);
  c.prepare("enqueue",
            "INSERT INTO outbox (receiver, url, kind, content_type, body, correlation_id, about,"
            " origin, recipient) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)");
  c.prepare("insert_capacity_refusal",
            "INSERT INTO capacity_refusals (refused_at, service_id, referral_id, refused)"
            " VALUES (to_timestamp($1::bigint / 1000.0), $2, $3, $4)");
}

std::int64_t toMillis(fhir::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::optional<ResourceVersion> firstVersion(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return toVersion(r[0]);
}

class PgTransaction : public StoreTransaction {
 public:
  explicit PgTransaction(pqxx::transaction_base& tx) : tx_(tx) {}

  std::optional<ResourceVersion> current(const std::string& type, const std::string& id,
                                         bool forUpdate) override {
    if (!forUpdate) return firstVersion(tx_.exec_prepared("current", type, id));
    const pqxx::result locked = tx_.exec_prepared("lock_current", type, id);
    if (locked.empty()) return std::nullopt;
    return version(type, id, locked[0][0].as<std::int64_t>());
  }

  std::optional<ResourceVersion> version(const std::string& type, const std::string& id,
                                         std::int64_t versionId) override {
    return firstVersion(tx_.exec_prepared("version", type, id, versionId));
  }

  void append(const ResourceVersion& v, const std::vector<IdentifierToken>& identifiers,
              const SearchIndex& index) override {
    const auto millis = toMillis(v.lastUpdated);
    tx_.exec_prepared("insert_version", v.type, v.id, v.versionId, millis, v.deleted, v.method,
                      v.body);
    tx_.exec_prepared("upsert_current", v.type, v.id, v.versionId, millis, v.deleted);
    if (v.versionId > 1) tx_.exec_prepared("delete_identifiers", v.type, v.id);
    for (const IdentifierToken& t : identifiers) {
      tx_.exec_prepared("insert_identifier", v.type, v.id, t.system, t.value);
    }
    writeSearchIndex(tx_, v.type, v.id, index);
  }

  SearchResult search(const SearchRequest& request) override { return runSearch(tx_, request); }

  std::vector<std::string> findByIdentifier(const std::string& type,
                                            const IdentifierToken& token) override {
    std::vector<std::string> ids;
    for (const auto& row : tx_.exec_prepared("find_by_identifier", type, token.value, token.system)) {
      ids.push_back(row[0].as<std::string>());
    }
    return ids;
  }

  HistoryPage history(const HistoryQuery& q) override {
    // Parameters are always bound; absent filters compare against NULL-safe defaults.
    const std::string sql =
        std::string("SELECT ") + kVersionColumns +
        " FROM resource_versions v"
        " WHERE ($1 = '' OR v.res_type = $1) AND ($2 = '' OR v.res_id = $2)"
        " AND ($3::bigint < 0 OR v.last_updated >= to_timestamp($3::bigint::double precision / 1000))"
        " AND ($4::bigint < 0 OR v.seq < $4::bigint)"
        " ORDER BY v.seq DESC LIMIT $5";
    const pqxx::result r = tx_.exec_params(
        sql, q.type.value_or(""), q.id.value_or(""), q.since ? toMillis(*q.since) : -1,
        q.beforeSequence.value_or(-1), q.count + 1);
    HistoryPage page;
    for (std::size_t i = 0; i < r.size() && static_cast<int>(i) < q.count; ++i) {
      page.versions.push_back(toVersion(r[i]));
    }
    if (static_cast<int>(r.size()) > q.count) {
      page.nextCursor = r[q.count - 1][7].as<std::int64_t>();
    }
    return page;
  }

  void lockKey(const std::string& key) override { tx_.exec_prepared("lock_key", key); }

  std::optional<Conversation> conversationFor(const std::string& serviceRequestId) override {
    return selectConversation(tx_, serviceRequestId);
  }
  std::optional<Conversation> conversationForRequest(const std::string& requestId) override {
    return selectConversationForRequest(tx_, requestId);
  }
  void recordConversation(const Conversation& conversation,
                          const std::string& requestMessageId) override {
    insertConversation(tx_, conversation, requestMessageId);
  }
  MessageClaim claimMessage(const MessageKey& key, int staleAfterSeconds) override {
    return claimMessageKey(tx_, key, staleAfterSeconds);
  }
  void finishMessage(const MessageKey& key, int httpStatus, const std::string& body) override {
    finishMessageKey(tx_, key, httpStatus, body);
  }
  void releaseMessage(const MessageKey& key) override { deleteMessageKey(tx_, key); }
  void logMessage(const MessageLogEntry& entry) override { insertMessageLog(tx_, entry); }
  void enqueue(const OutboxMessage& m) override {
    tx_.exec_prepared("enqueue", m.receiver, m.url, m.kind, m.contentType, m.body,
                      m.correlationId, m.about, m.origin, m.recipient);
  }
  void recordCapacityRefusal(const CapacityRefusal& r) override {
    tx_.exec_prepared("insert_capacity_refusal", r.atMillis, r.serviceId, r.referralId, r.refused);
  }

 private:
  pqxx::transaction_base& tx_;
};

void logDatabaseError(const char* what) { std::cerr << "database error: " << what << "\n"; }

}  // namespace

PgResourceStore::PgResourceStore(const std::string& url, std::size_t poolSize) {
  try {
    pqxx::connection conn(url);
    const int applied = applyMigrations(conn);
    if (applied > 0) std::cerr << "applied " << applied << " database migration(s)\n";
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("cannot prepare the database: ") + e.what());
  }
  pool_ = std::make_unique<ConnectionPool>(url, poolSize, prepareStatements);
}

template <typename Tx>
void PgResourceStore::run(const std::function<void(StoreTransaction&)>& work) {
  for (int attempt = 1;; ++attempt) {
    std::optional<ConnectionPool::Lease> lease;
    try {
      lease.emplace(pool_->acquire());
      Tx tx(**lease);
      PgTransaction store(tx);
      work(store);
      tx.commit();
      return;
    } catch (const pqxx::in_doubt_error& e) {
      logDatabaseError(e.what());
      throw FhirError(ErrorKind::kUnavailable, "transient",
                      "The database connection was lost during commit; the outcome is unknown");
    } catch (const pqxx::broken_connection& e) {
      if (lease) lease->discard();
      if (attempt >= kAttempts) {
        logDatabaseError(e.what());
        throw FhirError(ErrorKind::kUnavailable, "transient", "The database is unavailable");
      }
    } catch (const pqxx::serialization_failure& e) {
      if (attempt >= kAttempts) throw FhirError(ErrorKind::kConflict, "conflict", "Busy; retry");
    } catch (const pqxx::deadlock_detected& e) {
      if (attempt >= kAttempts) throw FhirError(ErrorKind::kConflict, "conflict", "Busy; retry");
    } catch (const pqxx::unique_violation& e) {
      throw FhirError(ErrorKind::kConflict, "conflict",
                      "A concurrent request changed the same resource; retry");
    } catch (const pqxx::sql_error& e) {
      logDatabaseError(e.what());
      if (lease && !(*lease)->is_open()) lease->discard();
      throw FhirError(ErrorKind::kInternal, "exception", "A database error occurred");
    } catch (const std::runtime_error& e) {
      if (dynamic_cast<const FhirError*>(&e)) throw;
      if (!lease) {  // no connection free, or none could be opened
        logDatabaseError(e.what());
        throw FhirError(ErrorKind::kUnavailable, "transient", "The database is unavailable");
      }
      throw;
    }
  }
}

void PgResourceStore::inTransaction(const std::function<void(StoreTransaction&)>& work) {
  run<pqxx::work>(work);
}

void PgResourceStore::inReadOnly(const std::function<void(StoreTransaction&)>& work) {
  run<pqxx::nontransaction>(work);
}

bool PgResourceStore::ping() {
  try {
    inReadOnly([](StoreTransaction& tx) { tx.current("Health", "check", false); });
    return true;
  } catch (const FhirError&) {
    return false;
  }
}

}  // namespace sp::store::pg
