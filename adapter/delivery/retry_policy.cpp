#include "delivery/retry_policy.h"

#include <rapidjson/document.h>

#include "fhir/errors.h"
#include "fhir/json.h"

namespace sp::delivery {

bool isDuplicateAnswer(int status, const std::string& body) {
  if (status != 409 || body.empty()) return false;
  rapidjson::Document doc;
  try {
    fhir::parseJson(body, doc);
  } catch (const fhir::FhirError&) {
    return false;  // not JSON: an ordinary conflict
  }
  if (!doc.IsObject() || fhir::getString(doc, "resourceType") != "OperationOutcome") return false;
  const rapidjson::Value* issues = fhir::findMember(doc, "issue");
  if (!issues || !issues->IsArray()) return false;
  for (const auto& issue : issues->GetArray()) {
    if (issue.IsObject() && fhir::getString(issue, "code") == "duplicate") return true;
  }
  return false;
}

Verdict classify(const SendResult& result) {
  const int status = result.status;
  if (status >= 200 && status < 300) return Verdict::kDelivered;
  if (isDuplicateAnswer(status, result.body)) return Verdict::kDelivered;
  if (status == 0 || status == 408 || status == 429 || status >= 500) return Verdict::kRetry;
  return Verdict::kRefused;
}

std::chrono::milliseconds backoffDelay(const RetrySchedule& schedule, int attempt) {
  std::chrono::milliseconds delay = schedule.firstDelay;
  for (int i = 1; i < attempt && delay < schedule.maxDelay; ++i) delay *= 2;
  return std::min(delay, schedule.maxDelay);
}

std::string describeFailure(const SendResult& result) {
  if (result.status == 0) return "no answer: " + result.error;
  return "HTTP " + std::to_string(result.status);
}

}  // namespace sp::delivery
