#include "fhir/errors.h"

#include <utility>

namespace sp::fhir {

const char* severityCode(Severity severity) {
  switch (severity) {
    case Severity::kFatal:
      return "fatal";
    case Severity::kError:
      return "error";
    case Severity::kWarning:
      return "warning";
    case Severity::kInformation:
      return "information";
  }
  return "error";
}

FhirError::FhirError(ErrorKind kind, std::string issueCode, const std::string& diagnostics,
                     std::string expression)
    : std::runtime_error(diagnostics),
      kind_(kind),
      issues_{Issue{Severity::kError, std::move(issueCode), diagnostics, std::move(expression)}} {}

FhirError::FhirError(ErrorKind kind, std::vector<Issue> issues)
    : std::runtime_error(issues.empty() ? std::string("error") : issues.front().diagnostics),
      kind_(kind),
      issues_(std::move(issues)) {}

}  // namespace sp::fhir
