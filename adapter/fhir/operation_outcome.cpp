#include "fhir/operation_outcome.h"

#include <rapidjson/document.h>

#include "fhir/json.h"

namespace sp::fhir {

std::string operationOutcomeJson(const std::vector<Issue>& issues) {
  rapidjson::Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("resourceType", "OperationOutcome", a);
  rapidjson::Value list(rapidjson::kArrayType);
  for (const Issue& issue : issues) {
    rapidjson::Value entry(rapidjson::kObjectType);
    entry.AddMember("severity", rapidjson::StringRef(severityCode(issue.severity)), a);
    entry.AddMember("code", makeString(issue.code, a), a);
    if (!issue.diagnostics.empty()) {
      entry.AddMember("diagnostics", makeString(issue.diagnostics, a), a);
    }
    if (!issue.expression.empty()) {
      rapidjson::Value expressions(rapidjson::kArrayType);
      expressions.PushBack(makeString(issue.expression, a), a);
      entry.AddMember("expression", expressions, a);
    }
    list.PushBack(entry, a);
  }
  doc.AddMember("issue", list, a);
  return writeJson(doc);
}

std::string informationOutcomeJson(const std::string& diagnostics) {
  return operationOutcomeJson({Issue{Severity::kInformation, "informational", diagnostics, ""}});
}

}  // namespace sp::fhir
