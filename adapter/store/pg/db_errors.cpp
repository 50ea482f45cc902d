#include "store/pg/db_errors.h"

namespace sp::store::pg {
namespace {

using fhir::ErrorKind;

struct SqlStateRow {
  const char* code;  // five characters, or a two-character class
  DbFailure failure;
};

// Exact codes before the classes they belong to (08007 and 40003 are not what the rest of their
// class is).
constexpr SqlStateRow kSqlStates[] = {
    // transaction_resolution_unknown (what libpqxx's in_doubt_error is) and
    // statement_completion_unknown: the work may have been done, so it is not done again.
    {"08007", DbFailure::kOutcomeUnknown},
    {"40003", DbFailure::kOutcomeUnknown},
    {"08", DbFailure::kUnreachable},  // connection exception
    // admin_shutdown, crash_shutdown, cannot_connect_now: the server is stopping or starting.
    {"57P01", DbFailure::kUnreachable},
    {"57P02", DbFailure::kUnreachable},
    {"57P03", DbFailure::kUnreachable},
    {"40", DbFailure::kContention},      // transaction rollback: 40001, 40P01, ...
    {"23505", DbFailure::kDuplicate},    // unique_violation
    {"57014", DbFailure::kCanceled},     // query_canceled
    {"53", DbFailure::kOutOfResources},  // insufficient resources
};

}  // namespace

DbFailure failureForSqlState(std::string_view sqlstate) {
  if (sqlstate.size() != 5) return DbFailure::kOther;
  for (const SqlStateRow& row : kSqlStates) {
    const std::string_view code = row.code;
    if (code.size() == 5 ? sqlstate == code : sqlstate.substr(0, 2) == code) return row.failure;
  }
  return DbFailure::kOther;
}

const DbAnswer& answerFor(DbFailure failure) {
  // 503 says "the server cannot answer now, the same request may pass later"; 500 says "a fault
  // of ours", which a retry does not mend.
  static const DbAnswer kUnreachable{ErrorKind::kUnavailable, "transient",
                                     "The database is unavailable", true, true};
  // 503 (and never retried here): the client cannot know whether its change was made and must
  // look before it tries again; the wording says so.
  static const DbAnswer kOutcomeUnknown{
      ErrorKind::kUnavailable, "transient",
      "The database connection was lost during commit; the outcome is unknown", false, true};
  // Concurrent transactions, not this request, were in the way, and the same request can pass
  // when it comes again: 503, where it used to be 409 in the resource store. A 409 in FHIR says the
  // resource changed (a version conflict, a business rule) and the request has to change, and a
  // $process-message answered 4xx is recorded as final while a 5xx lets the sender's retry in.
  static const DbAnswer kContention{ErrorKind::kUnavailable, "lock-error",
                                    "The database was busy with concurrent changes; retry", true,
                                    false};
  // Another request created the same row (the same version, the same message key) between this
  // one's read and its write: a conflict of state, answered as the resource store always did.
  // Not retried: the work read a state that is gone.
  static const DbAnswer kDuplicate{ErrorKind::kConflict, "conflict",
                                   "A concurrent request changed the same resource; retry", false,
                                   false};
  // Only the report sets a statement_timeout; a statement that runs past it is load the server
  // refused to carry, not a fault: 503 too-costly, as the report always answered (with its own
  // wording, given to toFhirError).
  static const DbAnswer kCanceled{ErrorKind::kUnavailable, "too-costly",
                                  "The database took too long to answer; try again later", false,
                                  false};
  // The database's own trouble, which passes (space freed, memory, connections): 503. Not
  // retried at once: it would only add load.
  static const DbAnswer kOutOfResources{ErrorKind::kUnavailable, "transient",
                                        "The database is short of resources; try again later",
                                        false, false};
  // The pool already waited its limit: waiting again in the same request would hold the
  // caller's thread longer for little.
  static const DbAnswer kPoolExhausted{ErrorKind::kUnavailable, "transient",
                                       "The database is busy; try again later", false, false};
  static const DbAnswer kOther{ErrorKind::kInternal, "exception", "A database error occurred",
                               false, false};
  switch (failure) {
    case DbFailure::kUnreachable:
      return kUnreachable;
    case DbFailure::kOutcomeUnknown:
      return kOutcomeUnknown;
    case DbFailure::kContention:
      return kContention;
    case DbFailure::kDuplicate:
      return kDuplicate;
    case DbFailure::kCanceled:
      return kCanceled;
    case DbFailure::kOutOfResources:
      return kOutOfResources;
    case DbFailure::kPoolExhausted:
      return kPoolExhausted;
    case DbFailure::kOther:
      break;
  }
  return kOther;
}

bool retryAfter(DbFailure failure, int attempt, int attempts) {
  return answerFor(failure).retried && attempt < attempts;
}

fhir::FhirError toFhirError(DbFailure failure, const std::string& diagnostics) {
  const DbAnswer& answer = answerFor(failure);
  return fhir::FhirError(answer.kind, answer.issueCode,
                         diagnostics.empty() ? answer.diagnostics : diagnostics);
}

}  // namespace sp::store::pg
