// Typed errors that cross layers without knowing about HTTP.
//
// A request that cannot go on throws one FhirError. Its kind is transport-neutral; the single
// table from kind to HTTP status lives in rest/status_map.*. Problems found in the data are
// collected as Issues (all of them, each with a FHIRPath location) and travel inside the error,
// so the edge can answer one OperationOutcome.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace sp::fhir {

enum class ErrorKind {
  kInvalid,               // the request is malformed
  kUnauthorized,          // no usable identity
  kForbidden,             // identity known, action not allowed
  kNotFound,              // no such resource or route
  kGone,                  // the resource was deleted
  kMethodNotAllowed,      // route exists, method does not
  kNotAcceptable,         // cannot produce a representation the caller accepts
  kConflict,              // state conflict (version, business rule)
  kPreconditionFailed,    // If-Match / conditional criteria failed
  kPayloadTooLarge,       // body over the configured limit
  kUnsupportedMediaType,  // Content-Type the server does not read
  kUnprocessable,         // well-formed but fails validation or rules
  kTooEarly,              // the same request is still being processed
  kTooManyRequests,       // rate limited
  kInternal,              // a fault of ours
  kNotImplemented,        // a valid request the server does not support
  kUnavailable,           // a dependency (the database) is down; try again
};

enum class Severity { kFatal, kError, kWarning, kInformation };

const char* severityCode(Severity severity);

// One entry of an OperationOutcome. `code` is a FHIR issue-type code (invalid, structure,
// not-found, conflict, ...). `expression` is a FHIRPath location, empty when not applicable.
struct Issue {
  Severity severity = Severity::kError;
  std::string code = "invalid";
  std::string diagnostics;
  std::string expression;
};

class FhirError : public std::runtime_error {
 public:
  FhirError(ErrorKind kind, std::string issueCode, const std::string& diagnostics,
            std::string expression = "");
  FhirError(ErrorKind kind, std::vector<Issue> issues);

  ErrorKind kind() const { return kind_; }
  const std::vector<Issue>& issues() const { return issues_; }

 private:
  ErrorKind kind_;
  std::vector<Issue> issues_;
};

}  // namespace sp::fhir
