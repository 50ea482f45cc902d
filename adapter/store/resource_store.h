// Storage of FHIR resources: one interface, the transaction included.
//
// Callers (rest/, messaging/) run their work inside `ResourceStore::inTransaction`, so several
// resources, dedup keys and outbox rows can be written atomically without any SQL. Every method
// may throw fhir::FhirError: kUnavailable when the database cannot be reached or concurrent
// transactions stood in the way (the request may be retried), kConflict when a concurrent writer
// won a race the caller must report, kInternal for a database fault.
// Implementations are thread-safe; a StoreTransaction belongs to one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "fhir/ids.h"
#include "store/access.h"
#include "store/message_store.h"
#include "store/outbox.h"
#include "store/search_index.h"

namespace sp::store {

struct SearchRequest;  // store/search_request.h
struct SearchResult;

struct ResourceKey {
  std::string type;
  std::string id;
};

// One stored version of a resource. `body` is the JSON text (empty for a deletion).
struct ResourceVersion {
  std::string type;
  std::string id;
  std::int64_t versionId = 0;
  fhir::TimePoint lastUpdated;
  bool deleted = false;
  std::string method;  // POST, PUT, PATCH or DELETE: how this version was made
  std::string body;
};

// A token an identifier index entry: `system|value` of Resource.identifier.
struct IdentifierToken {
  std::string system;
  std::string value;
};

struct HistoryQuery {
  std::optional<std::string> type;             // absent: whole system
  std::optional<std::string> id;               // needs type
  std::optional<std::int64_t> sinceMillis;     // epoch milliseconds: _since may be past 2262
  std::optional<std::int64_t> beforeSequence;  // keyset cursor for the next page
  int count = 50;
  std::optional<AccessFilter> access;  // only versions of resources the caller may see
};

struct HistoryPage {
  std::vector<ResourceVersion> versions;   // newest first
  std::optional<std::int64_t> nextCursor;  // set when more remain
};

// A request refused at once because a HealthcareService had no free place (no waiting lists:
// docs/workflow.md). The refused write itself is rolled back; this is what is kept of it, for
// the impact report's count of refusals.
struct CapacityRefusal {
  std::int64_t atMillis = 0;  // when, in epoch milliseconds
  std::string serviceId;      // the HealthcareService without a place
  std::string referralId;     // the ServiceRequest it was about ("" when none): for a refused
                              // referral, the id it would have had (it is not stored)
  std::string refused;        // "referral" (a referral to the service) or "task" (a Task
                              // accepted for it, or made for it)
};

// The message operations (conversationFor, claims, log) come from MessageTransaction
// (store/message_store.h).
class StoreTransaction : public MessageTransaction {
 public:
  ~StoreTransaction() override = default;

  // The current version (possibly a deletion), or nullopt when the resource never existed.
  // forUpdate locks it until the transaction ends, so a concurrent writer waits.
  virtual std::optional<ResourceVersion> current(const std::string& type, const std::string& id,
                                                 bool forUpdate) = 0;
  virtual std::optional<ResourceVersion> version(const std::string& type, const std::string& id,
                                                 std::int64_t versionId) = 0;
  // Appends `v` as the new current version; v.versionId must be the previous one plus one
  // (1 for a new resource). `identifiers` and `index` replace the resource's identifier and
  // search index entries (pass empty ones for a deletion). Throws kConflict if another
  // transaction wrote the same version first.
  virtual void append(const ResourceVersion& v, std::vector<IdentifierToken> identifiers,
                      SearchIndex index) = 0;
  // Ids of current, not deleted resources of `type` carrying the identifier (system may be
  // empty to match any system).
  virtual std::vector<std::string> findByIdentifier(const std::string& type,
                                                    const IdentifierToken& token) = 0;
  virtual HistoryPage history(const HistoryQuery& query) = 0;
  // Runs a search (see store/search_request.h): current, not deleted resources only.
  virtual SearchResult search(const SearchRequest& request) = 0;
  // Serialises every transaction that takes the same key until they end (an advisory lock):
  // used where a decision depends on the absence of a row (conditional create).
  virtual void lockKey(const std::string& key) = 0;
  // Adds a message to the outbox (store/outbox.h); it is sent only if this transaction commits.
  virtual void enqueue(const OutboxMessage& message) = 0;
  // Keeps a refusal (see CapacityRefusal).
  virtual void recordCapacityRefusal(const CapacityRefusal& refusal) = 0;
  // Runs `work` on this transaction after a savepoint: if `work` throws, everything it wrote is
  // undone (rolled back to the savepoint) and the exception propagates, while the transaction
  // stays usable and what it wrote before still commits with it. Read-only transactions: throws
  // std::logic_error.
  virtual void withinSavepoint(const std::function<void(StoreTransaction&)>& work) = 0;

  // Access control (store/access.h): records grants (duplicates are ignored) or withdraws one,
  // and tells whether a resource passes a filter (the same rule search and history apply) or
  // holds a grant on a given basis.
  virtual void grantAccess(const std::vector<AccessGrant>& grants) = 0;
  // Withdraws the grant whatever it came through (its `via` is not compared).
  virtual void revokeAccess(const AccessGrant& grant) = 0;
  // Ends `organisation`'s access through the work record `via`: its grants through it are
  // withdrawn, and the end is kept (accessEnded) until resumeAccess.
  virtual void endAccess(const std::string& via, const std::string& organisation) = 0;
  virtual void resumeAccess(const std::string& via, const std::string& organisation) = 0;
  // The organisations whose access through `via` has ended.
  virtual std::set<std::string> accessEnded(const std::string& via) = 0;
  virtual bool visible(const std::string& type, const std::string& id,
                       const AccessFilter& filter) = 0;
  virtual bool hasGrant(const std::string& type, const std::string& id,
                        const std::string& organisation, const std::string& basis) = 0;
  // The organisations holding a grant on `basis` for the resource (e.g. who created it).
  virtual std::vector<std::string> grantHolders(const std::string& type, const std::string& id,
                                                const std::string& basis) = 0;

  // The audit trail: one append-only row per record (the database refuses changes to it).
  virtual void recordAudit(const AuditRecord& record) = 0;
  virtual AuditPage auditRecords(const AuditQuery& query) = 0;
};

class ResourceStore {
 public:
  virtual ~ResourceStore() = default;

  // Runs `work` in one database transaction and commits it if `work` returns normally; any
  // exception rolls it back and propagates. Broken connections are retried (work runs again),
  // so `work` must not have side effects outside the transaction.
  virtual void inTransaction(const std::function<void(StoreTransaction&)>& work) = 0;
  // As above for reads only: no locks, no writes, cheaper.
  virtual void inReadOnly(const std::function<void(StoreTransaction&)>& work) = 0;
  // Runs `work` with each statement committing on its own as it runs, for work that is a single
  // write (claiming a message key): two round trips fewer than a transaction around it.
  virtual void inAutocommit(const std::function<void(StoreTransaction&)>& work) {
    inTransaction(work);
  }
  // True when the database answers.
  virtual bool ping() = 0;
};

}  // namespace sp::store
