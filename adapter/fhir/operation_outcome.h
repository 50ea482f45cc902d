// Builds OperationOutcome resources from issues.
#pragma once

#include <string>
#include <vector>

#include "fhir/errors.h"

namespace sp::fhir {

// OperationOutcome JSON text with one issue per entry (severity, code, diagnostics, expression).
std::string operationOutcomeJson(const std::vector<Issue>& issues);

// Convenience for a single informational outcome ("All OK" style answers).
std::string informationOutcomeJson(const std::string& diagnostics);

}  // namespace sp::fhir
