// What a database failure means to the caller: the one table from a PostgreSQL failure to the
// fhir::FhirError the stores throw. Pure (no libpqxx, no connection), so it is unit-tested alone;
// pg_errors.h recognises libpqxx's exceptions and uses it. Every store in store/pg answers
// through it, so the same failure gets the same answer whichever store met it.
//
// A failure is named by its SQLSTATE (PostgreSQL's five-character error code, Appendix A of its
// manual). libpqxx 6.4 throws some failures without one (a broken connection, a commit in doubt,
// the class 40 rollbacks); pg_errors.cpp gives those the code PostgreSQL defines for the same
// event. Two failures are the adapter's own and have no SQLSTATE: kPoolExhausted, and kOther for
// anything unknown.
//
// The table (failureForSqlState, then answerFor):
//   SQLSTATE               failure          answer                         store retries?
//   08007, 40003           kOutcomeUnknown  503 transient                  no
//   class 08, 57P01-57P03  kUnreachable     503 transient                  yes, new connection
//   class 40 (40001 serialization failure, 40P01 deadlock)
//                          kContention      503 lock-error                 yes
//   23505                  kDuplicate       409 conflict                   no
//   57014                  kCanceled        503 too-costly                 no
//   class 53               kOutOfResources  503 transient                  no
//   (pool wait limit)      kPoolExhausted   503 transient                  no
//   anything else          kOther           500 exception                  no
// Why each: see answerFor in db_errors.cpp.
//
// The diagnostics are fixed sentences: neither the SQL nor PostgreSQL's own message (which can
// quote the statement and the values in it) ever reaches the caller. The detail goes to the log.
// Thread-safe (constant tables).
#pragma once

#include <string>
#include <string_view>

#include "fhir/errors.h"

namespace sp::store::pg {

enum class DbFailure {
  kUnreachable,     // the connection broke or could not be made; the server is shutting down
  kOutcomeUnknown,  // the connection broke during COMMIT: it may or may not have happened
  kContention,      // PostgreSQL rolled the transaction back (serialization failure, deadlock)
  kDuplicate,       // a unique constraint: a concurrent request wrote the same row first
  kCanceled,        // a statement was canceled: its statement_timeout ran out
  kOutOfResources,  // disk full, out of memory, too many connections
  kPoolExhausted,   // no pooled connection came free within the pool's wait limit
  kOther,           // anything else: a fault of ours (bad SQL, a broken assumption)
};

// The failure `sqlstate` names: an exact code first, then its class (the first two characters).
// Empty or unknown: kOther.
DbFailure failureForSqlState(std::string_view sqlstate);

struct DbAnswer {
  fhir::ErrorKind kind;
  const char* issueCode;    // FHIR issue-type code
  const char* diagnostics;  // what the caller reads
  bool retried;             // the store runs the whole transaction again while it has attempts
  bool dropsConnection;     // the connection is closed, never handed out again
};

const DbAnswer& answerFor(DbFailure failure);

// Whether the store should run the transaction again after `failure` in attempt `attempt`
// (counted from 1) of at most `attempts`.
bool retryAfter(DbFailure failure, int attempt, int attempts);

// The error a store throws for `failure`. `diagnostics`, when not empty, replaces the table's
// sentence with one that knows the context (the report's time limit); the kind and the issue code
// stay the table's.
fhir::FhirError toFhirError(DbFailure failure, const std::string& diagnostics = "");

}  // namespace sp::store::pg
