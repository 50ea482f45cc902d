// Data the store keeps for access control and the audit trail. Data only: security/ decides
// what the grants and filters are; store/pg turns them into rows and SQL predicates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "fhir/ids.h"

namespace sp::store {

// Organisation `organisation` ("*": every organisation) may see resource type/id because it is
// its `basis` (creator, requester, owner, performer, pool), through the work record `via`
// ("ServiceRequest/<id>", "Task/<id>"; empty: through nothing, as a creator's grant). Ending an
// organisation's access through a work record withdraws its grants through it
// (security/access_rule.h).
struct AccessGrant {
  std::string type;
  std::string id;
  std::string organisation;
  std::string basis;
  std::string via;
};

// Restricts reads to what `organisation` may see: resources of `openTypes`, and resources it
// (or "*") holds a grant for; for a resource labelled restricted (meta.security R, as indexed
// under _security) grants whose basis is "performer" or "pool" do not count.
struct AccessFilter {
  std::string organisation;
  std::vector<std::string> openTypes;
};

// One entry of the audit trail (rendered as an AuditEvent by security/audit_event.h).
struct AuditRecord {
  std::string id;
  fhir::TimePoint recorded;
  std::string action;        // C, R, U, D or E (execute)
  std::string interaction;   // read, vread, search, history, create, update, patch, delete, or
                             // an operation such as $validate
  int outcome = 200;         // the HTTP status answered
  std::string organisation;  // the caller's ODS code, or "development" / "adapter"
  std::string subject;       // the client certificate's subject
  std::string entityType;
  std::string entityId;
  std::int64_t entityVersion = 0;  // 0: none
  std::string query;               // search or history parameters, as sent
  std::string requestId;           // X-Request-Id
  std::string correlationId;       // X-Correlation-Id
};

struct AuditQuery {
  std::string id;          // one record
  std::string agent;       // the caller's ODS code
  std::string entityType;  // what was accessed
  std::string entityId;
  std::optional<std::int64_t> beforeSequence;  // keyset cursor, newest first
  int count = 50;
};

struct AuditPage {
  std::vector<AuditRecord> records;  // newest first
  std::optional<std::int64_t> nextCursor;
};

}  // namespace sp::store
