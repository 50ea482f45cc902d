#include "store/pg/pg_resource_store.h"

#include <functional>
#include <iostream>
#include <optional>
#include <pqxx/pqxx>
#include <set>
#include <sstream>
#include <stdexcept>
#include <type_traits>

#include "fhir/errors.h"
#include "fhir/ids.h"
#include "store/pg/access_sql.h"
#include "store/pg/deferred_writes.h"
#include "store/pg/directory_places.h"
#include "store/pg/migrations.h"
#include "store/pg/pg_errors.h"
#include "store/pg/pg_messages.h"
#include "store/pg/pg_search.h"
#include "store/pg/version_rows.h"
#include "store/pg/version_writes.h"
#include "store/read_cache.h"
#include "store/search_request.h"

namespace sp::store::pg {
namespace {

using fhir::FhirError;

// How many times a transaction is run when it fails in a way a new attempt can mend (a broken
// connection, a serialization failure or deadlock: db_errors.h), as pqxx::perform would.
constexpr int kAttempts = 3;

// Writes held back until the transaction next reads what they change (deferred_writes.h).
// Outgoing messages in the order they were made (the order of delivery per receiver).
constexpr const char* kEnqueue =
    "INSERT INTO outbox (receiver, url, kind, content_type, body, correlation_id, about,"
    " origin, recipient) SELECT receiver, url, kind, content_type, body, correlation_id, about,"
    " origin, recipient FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],"
    " $6::text[], $7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS m(receiver, url, kind,"
    " content_type, body, correlation_id, about, origin, recipient, n) ORDER BY n";
constexpr const char* kGrantAccess =
    "INSERT INTO access_grants (res_type, res_id, organisation, basis, via)"
    " SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[])"
    " ON CONFLICT DO NOTHING";
// The audit records a transaction gathered, in the order they were made.
constexpr const char* kRecordAudits =
    "INSERT INTO audit_events (id, recorded, action, interaction, outcome, organisation,"
    " subject, entity_type, entity_id, entity_version, query, request_id, correlation_id)"
    " SELECT id, to_timestamp(millis::double precision / 1000), action, interaction,"
    " outcome, organisation, subject, entity_type, entity_id, entity_version, query,"
    " request_id, correlation_id FROM unnest($1::text[], $2::bigint[], $3::text[],"
    " $4::text[], $5::integer[], $6::text[], $7::text[], $8::text[], $9::text[],"
    " $10::bigint[], $11::text[], $12::text[], $13::text[]) WITH ORDINALITY"
    " AS a(id, millis, action, interaction, outcome, organisation, subject, entity_type,"
    " entity_id, entity_version, query, request_id, correlation_id, n) ORDER BY n";

void prepareStatements(pqxx::connection& c) {
  const std::string cols = kVersionColumns;
  const std::string current =
      "SELECT " + cols +
      " FROM resources r JOIN resource_versions v"
      " ON v.res_type = r.res_type AND v.res_id = r.res_id AND v.version_id = r.version_id"
      " WHERE r.res_type = $1 AND r.res_id = $2";
  c.prepare("current", current);
  // Locks the current pointer and reads its version in one round trip. The lock is taken on the
  // single table in the CTE: a row updated while we wait is re-read there at its new version.
  // The version row is joined with the statement's snapshot, taken before the wait, so a version
  // committed meanwhile is not seen: the version columns are then null and the caller reads that
  // version with a statement of its own ("version").
  c.prepare(
      "lock_current_version",
      "WITH locked AS MATERIALIZED (SELECT res_type, res_id, version_id FROM resources"
      " WHERE res_type = $1 AND res_id = $2 FOR UPDATE) SELECT " +
          cols +
          ", l.version_id FROM locked l LEFT JOIN resource_versions v"
          " ON v.res_type = l.res_type AND v.res_id = l.res_id AND v.version_id = l.version_id");
  c.prepare("version", "SELECT " + cols +
                           " FROM resource_versions v"
                           " WHERE v.res_type = $1 AND v.res_id = $2 AND v.version_id = $3");
  c.prepare("find_by_identifier",
            "SELECT DISTINCT res_id FROM resource_identifiers"
            " WHERE res_type = $1 AND value = $2 AND ($3 = '' OR system = $3) ORDER BY res_id");
  c.prepare("lock_key", "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))");
  prepareMessageStatements(c);
  c.prepare("insert_capacity_refusal",
            "INSERT INTO capacity_refusals (refused_at, service_id, referral_id, refused)"
            " VALUES (to_timestamp($1::bigint / 1000.0), $2, $3, $4)");
  c.prepare("revoke_access",
            "DELETE FROM access_grants WHERE res_type = $1 AND res_id = $2"
            " AND organisation = $3 AND basis = $4");
  c.prepare("end_access_grants", "DELETE FROM access_grants WHERE via = $1 AND organisation = $2");
  c.prepare("end_access",
            "INSERT INTO access_ended (via, organisation) VALUES ($1, $2) ON CONFLICT DO NOTHING");
  c.prepare("resume_access", "DELETE FROM access_ended WHERE via = $1 AND organisation = $2");
  c.prepare("access_ended", "SELECT organisation FROM access_ended WHERE via = $1");
  c.prepare("visible", "SELECT " + accessCondition("$1", "$2", "$3", "$4"));
  c.prepare("has_grant",
            "SELECT 1 FROM access_grants WHERE res_type = $1 AND res_id = $2"
            " AND organisation = $3 AND basis = $4");
  c.prepare("grant_holders",
            "SELECT organisation FROM access_grants WHERE res_type = $1 AND res_id = $2"
            " AND basis = $3 ORDER BY organisation");
  c.prepare("audit_records",
            "SELECT seq, id, floor(extract(epoch FROM recorded) * 1000)::bigint, action,"
            " interaction, outcome, organisation, subject, entity_type, entity_id,"
            " entity_version, query, request_id, correlation_id FROM audit_events"
            " WHERE ($1 = '' OR id = $1) AND ($2 = '' OR organisation = $2)"
            " AND ($3 = '' OR entity_type = $3) AND ($4 = '' OR entity_id = $4)"
            " AND ($5::bigint < 0 OR seq < $5::bigint) ORDER BY seq DESC LIMIT $6");
}

AuditRecord toAuditRecord(const pqxx::row& row) {
  AuditRecord a;
  a.id = row[1].as<std::string>();
  a.recorded = fhir::TimePoint(std::chrono::milliseconds(row[2].as<std::int64_t>()));
  a.action = row[3].as<std::string>();
  a.interaction = row[4].as<std::string>();
  a.outcome = row[5].as<int>();
  a.organisation = row[6].as<std::string>();
  a.subject = row[7].as<std::string>();
  a.entityType = row[8].as<std::string>();
  a.entityId = row[9].as<std::string>();
  a.entityVersion = row[10].as<std::int64_t>();
  a.query = row[11].as<std::string>();
  a.requestId = row[12].as<std::string>();
  a.correlationId = row[13].as<std::string>();
  return a;
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
  // `autocommit`: every statement commits on its own (the read-only path).
  PgTransaction(pqxx::transaction_base& tx, bool autocommit) : tx_(tx), autocommit_(autocommit) {}

  std::optional<ResourceVersion> current(const std::string& type, const std::string& id,
                                         bool forUpdate) override {
    if (!forUpdate) {
      if (const auto* known = cache_.current(type, id)) return *known;
      auto found = firstVersion(tx_.exec_prepared("current", type, id));
      cache_.rememberCurrent(type, id, found);
      return found;
    }
    flushPending();
    const pqxx::result locked = tx_.exec_prepared("lock_current_version", type, id);
    std::optional<ResourceVersion> found;
    if (!locked.empty()) {
      const pqxx::row row = locked[0];
      found = row[0].is_null() ? version(type, id, row[kVersionColumnCount].as<std::int64_t>())
                               : std::optional<ResourceVersion>(toVersion(row));
    }
    cache_.rememberCurrent(type, id, found);
    return found;
  }

  std::optional<ResourceVersion> version(const std::string& type, const std::string& id,
                                         std::int64_t versionId) override {
    flushPending();
    return firstVersion(tx_.exec_prepared("version", type, id, versionId));
  }

  void append(const ResourceVersion& v, std::vector<IdentifierToken> identifiers,
              SearchIndex index) override {
    // Held back with the other writes (version_writes.h); a batch names a resource once.
    if (!pendingResources_.insert({v.type, v.id}).second) {
      flushPending();
      pendingResources_.insert({v.type, v.id});
    }
    pendingVersions_.push_back({v, std::move(identifiers), std::move(index)});
    // Remembered as the database will give it back: to the millisecond.
    ResourceVersion stored = v;
    stored.lastUpdated = std::chrono::time_point_cast<std::chrono::milliseconds>(v.lastUpdated);
    cache_.wrote(stored);
  }

  SearchResult search(const SearchRequest& request) override {
    // What is held back goes first when the search could see it: versions of a type it reads,
    // or grants when the access rules apply.
    if (request.access || readsPendingVersions(request)) flushPending();
    return runSearch(tx_, request);
  }

  bool readsPendingVersions(const SearchRequest& request) const {
    if (pendingVersions_.empty()) return false;
    const auto types = typesReadBy(request);
    if (!types) return true;
    for (const PendingVersion& p : pendingVersions_) {
      if (types->count(p.version.type)) return true;
    }
    return false;
  }

  std::vector<std::string> findByIdentifier(const std::string& type,
                                            const IdentifierToken& token) override {
    if (const auto* known = cache_.identified(type, token)) return *known;
    flushPending();  // identifiers held back
    std::vector<std::string> ids;
    for (const auto& row :
         tx_.exec_prepared("find_by_identifier", type, token.value, token.system)) {
      ids.push_back(row[0].as<std::string>());
    }
    cache_.rememberIdentified(type, token, ids);
    return ids;
  }

  HistoryPage history(const HistoryQuery& q) override {
    // Parameters are always bound; absent filters compare against NULL-safe defaults.
    std::string sql = std::string("SELECT ") + kVersionColumns +
                      " FROM resource_versions v"
                      " WHERE ($1 = '' OR v.res_type = $1) AND ($2 = '' OR v.res_id = $2)"
                      " AND ($3::bigint = -1 OR v.last_updated >= to_timestamp($3::bigint::double "
                      "precision / 1000))"
                      " AND ($4::bigint < 0 OR v.seq < $4::bigint)";
    std::vector<std::string> params{
        q.type.value_or(""), q.id.value_or(""), std::to_string(q.sinceMillis.value_or(-1)),
        std::to_string(q.beforeSequence.value_or(-1)), std::to_string(q.count + 1)};
    flushPending();  // the versions and grants held back
    if (q.access) {
      params.push_back(q.access->organisation);
      params.push_back(sqlTextArray(q.access->openTypes));
      sql += " AND " + accessCondition("v.res_type", "v.res_id", "$6", "$7");
    }
    sql += " ORDER BY v.seq DESC LIMIT $5::bigint";
    const pqxx::result r = tx_.exec_params(sql, pqxx::prepare::make_dynamic_params(params));
    HistoryPage page;
    for (std::size_t i = 0; i < r.size() && static_cast<int>(i) < q.count; ++i) {
      page.versions.push_back(toVersion(r[i]));
    }
    if (static_cast<int>(r.size()) > q.count) {
      page.nextCursor = r[q.count - 1][7].as<std::int64_t>();
    }
    return page;
  }

  void lockKey(const std::string& key) override {
    // Held until the transaction ends: taking it again would wait for nothing and show nothing
    // new (whoever else writes under this key waits for us).
    if (!lockedKeys_.insert(key).second) return;
    tx_.exec_prepared("lock_key", key);
    cache_.forgetIdentifiers();  // the lock is there to see what others committed before it
  }

  std::optional<Conversation> conversationFor(const std::string& serviceRequestId) override {
    flushPending();
    return selectConversation(tx_, serviceRequestId);
  }
  std::optional<Conversation> conversationForRequest(const std::string& requestId) override {
    flushPending();
    return selectConversationForRequest(tx_, requestId);
  }
  void recordConversation(const Conversation& conversation,
                          const std::string& requestMessageId) override {
    deferred_.push_back(conversationInsert(conversation, requestMessageId));
  }
  void noteReferralVersion(const std::string& serviceRequestId, std::int64_t version) override {
    flushPending();  // it updates a conversation that may be held back
    updateConversationVersion(tx_, serviceRequestId, version);
  }
  MessageClaim claimMessage(const MessageKey& key, int staleAfterSeconds) override {
    flushPending();
    return claimMessageKey(tx_, key, staleAfterSeconds);
  }
  void finishMessage(const MessageKey& key, int httpStatus, const std::string& body) override {
    deferred_.push_back(messageFinish(key, httpStatus, body));
  }
  void releaseMessage(const MessageKey& key) override {
    flushPending();
    deleteMessageKey(tx_, key);
  }
  void logMessage(const MessageLogEntry& entry) override {
    deferred_.push_back(messageLogInsert(entry));
  }
  void enqueue(const OutboxMessage& m) override { pendingOutbox_.push_back(m); }
  void recordCapacityRefusal(const CapacityRefusal& r) override {
    flushPending();
    tx_.exec_prepared("insert_capacity_refusal", r.atMillis, r.serviceId, r.referralId, r.refused);
  }
  void withinSavepoint(const std::function<void(StoreTransaction&)>& work) override {
    if (autocommit_) throw std::logic_error("a savepoint needs a read-write transaction");
    // The savepoint is simply left to the commit when all goes well. Nested savepoints of the
    // same name stack: ROLLBACK TO goes back to the latest.
    flushPending();  // what was held back before belongs before the savepoint
    tx_.exec("SAVEPOINT sp_within");
    try {
      work(*this);
      flushPending();  // the work's writes fail, if they fail, inside the savepoint
    } catch (...) {
      tx_.exec("ROLLBACK TO SAVEPOINT sp_within");
      dropPending();        // the writes held back since go with the ones rolled back,
      cache_.clear();       // and so does what they wrote,
      lockedKeys_.clear();  // and perhaps the locks taken since (taken again if asked)
      throw;
    }
  }

  void grantAccess(const std::vector<AccessGrant>& grants) override {
    pendingGrants_.insert(pendingGrants_.end(), grants.begin(), grants.end());
  }

  void revokeAccess(const AccessGrant& g) override {
    flushPending();  // a grant held back must be made before it can be withdrawn
    tx_.exec_prepared("revoke_access", g.type, g.id, g.organisation, g.basis);
  }

  void endAccess(const std::string& via, const std::string& organisation) override {
    flushPending();  // grants held back go too
    tx_.exec_prepared("end_access_grants", via, organisation);
    tx_.exec_prepared("end_access", via, organisation);
  }

  void resumeAccess(const std::string& via, const std::string& organisation) override {
    tx_.exec_prepared("resume_access", via, organisation);
  }

  std::set<std::string> accessEnded(const std::string& via) override {
    std::set<std::string> ended;
    for (const auto& row : tx_.exec_prepared("access_ended", via)) {
      ended.insert(row[0].as<std::string>());
    }
    return ended;
  }

  bool visible(const std::string& type, const std::string& id,
               const AccessFilter& filter) override {
    flushPending();
    return tx_
        .exec_prepared("visible", type, id, filter.organisation,
                       sqlTextArray(filter.openTypes))[0][0]
        .as<bool>();
  }

  bool hasGrant(const std::string& type, const std::string& id, const std::string& organisation,
                const std::string& basis) override {
    flushPending();
    return !tx_.exec_prepared("has_grant", type, id, organisation, basis).empty();
  }

  std::vector<std::string> grantHolders(const std::string& type, const std::string& id,
                                        const std::string& basis) override {
    flushPending();
    std::vector<std::string> holders;
    for (const auto& row : tx_.exec_prepared("grant_holders", type, id, basis)) {
      holders.push_back(row[0].as<std::string>());
    }
    return holders;
  }

  void recordAudit(const AuditRecord& a) override {
    if (autocommit_) {
      // A read's record commits on its own without waiting for the WAL flush (a crash may lose
      // the last fraction of a second of read records; a write's record is in its transaction).
      // One simple-protocol round trip: an implicit transaction, so SET LOCAL applies to it.
      tx_.exec(
          "SET LOCAL synchronous_commit = off; INSERT INTO audit_events (id, recorded,"
          " action, interaction, outcome, organisation, subject, entity_type, entity_id,"
          " entity_version, query, request_id, correlation_id) VALUES (" +
          tx_.quote(a.id) + ", to_timestamp(" + std::to_string(toMillis(a.recorded)) +
          "::double precision / 1000), " + tx_.quote(a.action) + ", " + tx_.quote(a.interaction) +
          ", " + std::to_string(a.outcome) + ", " + tx_.quote(a.organisation) + ", " +
          tx_.quote(a.subject) + ", " + tx_.quote(a.entityType) + ", " + tx_.quote(a.entityId) +
          ", " + std::to_string(a.entityVersion) + ", " + tx_.quote(a.query) + ", " +
          tx_.quote(a.requestId) + ", " + tx_.quote(a.correlationId) + ")");
      return;
    }
    // A write's record commits with it: gathered here, written by flushPending before the commit.
    pendingAudit_.push_back(a);
  }

  // Sends every write held back (versions, grants, the others in the order they were made, the
  // outbox rows, the audit records) as one statement, prepared once per shape on the connection.
  // Rows of a kind go in one array each, so the shapes are the few combinations of kinds a
  // transaction writes, not one per count.
  void flushPending() {
    std::vector<DeferredWrite> writes = versionWrites(pendingVersions_);
    const std::optional<DeferredWrite> places = directoryPlacesRefresh(pendingVersions_);
    if (!pendingGrants_.empty()) writes.push_back(grantsWrite());
    for (auto& w : deferred_) writes.push_back(std::move(w));
    if (!pendingOutbox_.empty()) writes.push_back(outboxWrite());
    if (!pendingAudit_.empty()) writes.push_back(auditsWrite());
    dropPending();
    if (writes.empty()) return;
    const DeferredWrite all = combineWrites(writes);
    std::ostringstream name;
    name << "deferred_" << std::hex << std::hash<std::string>{}(all.sql);
    tx_.conn().prepare(name.str(), all.sql);
    tx_.exec_prepared(name.str(), pqxx::prepare::make_dynamic_params(all.params));
    if (places) {  // after the batch, whose index rows it reads (directory_places.h)
      tx_.exec_prepared("lock_key", kDirectoryPlacesLock);
      tx_.exec_params(places->sql, pqxx::prepare::make_dynamic_params(places->params));
    }
  }

  AuditPage auditRecords(const AuditQuery& q) override {
    flushPending();
    const pqxx::result r =
        tx_.exec_prepared("audit_records", q.id, q.agent, q.entityType, q.entityId,
                          q.beforeSequence.value_or(-1), q.count + 1);
    AuditPage page;
    for (std::size_t i = 0; i < r.size() && static_cast<int>(i) < q.count; ++i) {
      page.records.push_back(toAuditRecord(r[i]));
    }
    if (static_cast<int>(r.size()) > q.count)
      page.nextCursor = r[q.count - 1][0].as<std::int64_t>();
    return page;
  }

 private:
  void dropPending() {
    pendingVersions_.clear();
    pendingResources_.clear();
    pendingGrants_.clear();
    deferred_.clear();
    pendingOutbox_.clear();
    pendingAudit_.clear();
  }

  DeferredWrite outboxWrite() const {
    using M = OutboxMessage;
    return {kEnqueue,
            textColumns(pendingOutbox_, &M::receiver, &M::url, &M::kind, &M::contentType, &M::body,
                        &M::correlationId, &M::about, &M::origin, &M::recipient)};
  }

  DeferredWrite grantsWrite() const {
    using G = AccessGrant;
    return {kGrantAccess,
            textColumns(pendingGrants_, &G::type, &G::id, &G::organisation, &G::basis, &G::via)};
  }

  DeferredWrite auditsWrite() const {
    using A = AuditRecord;
    return {
        kRecordAudits,
        textColumns(
            pendingAudit_, &A::id, [](const A& a) { return std::to_string(toMillis(a.recorded)); },
            &A::action, &A::interaction, [](const A& a) { return std::to_string(a.outcome); },
            &A::organisation, &A::subject, &A::entityType, &A::entityId,
            [](const A& a) { return std::to_string(a.entityVersion); }, &A::query, &A::requestId,
            &A::correlationId)};
  }

  pqxx::transaction_base& tx_;
  bool autocommit_;
  // Writes held back until the transaction reads what they change (deferred_writes.h).
  std::vector<PendingVersion> pendingVersions_;
  std::set<std::pair<std::string, std::string>> pendingResources_;  // their types and ids
  std::vector<AccessGrant> pendingGrants_;
  std::vector<DeferredWrite> deferred_;
  std::vector<OutboxMessage> pendingOutbox_;
  std::vector<AuditRecord> pendingAudit_;
  ReadCache cache_;                   // what this transaction read or wrote (store/read_cache.h)
  std::set<std::string> lockedKeys_;  // advisory locks taken (lockKey)
};

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
      PgTransaction store(tx, std::is_same_v<Tx, pqxx::nontransaction>);
      work(store);
      store.flushPending();
      tx.commit();
      return;
    } catch (const std::exception& e) {
      const std::optional<DbFailure> failure = databaseFailure(e);
      if (!failure) throw;  // the work's own FhirError, or a fault that is not the database's
      if (lease) dropIfBroken(*lease, *failure);
      if (retryAfter(*failure, attempt, kAttempts)) continue;
      throw loggedError("resource store", *failure, e);
    }
  }
}

void PgResourceStore::inTransaction(const std::function<void(StoreTransaction&)>& work) {
  run<pqxx::work>(work);
}

void PgResourceStore::inReadOnly(const std::function<void(StoreTransaction&)>& work) {
  run<pqxx::nontransaction>(work);
}

void PgResourceStore::inAutocommit(const std::function<void(StoreTransaction&)>& work) {
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
