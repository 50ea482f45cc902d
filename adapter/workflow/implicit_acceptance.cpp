#include "workflow/implicit_acceptance.h"

#include <set>
#include <string>

#include "fhir/json.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"

namespace sp::workflow {

namespace {

const std::set<std::string>& contactStatuses() {
  static const std::set<std::string> kContact = {"first-contact-made", "plan-agreed", "attending"};
  return kContact;
}

}  // namespace

bool impliesAcceptance(const rapidjson::Value& before, const rapidjson::Value& after) {
  const auto from = statusOf(before);
  const auto to = statusOf(after);
  if (!from || !to || *to != TaskStatus::kInProgress) return false;
  if (*from != TaskStatus::kRequested && *from != TaskStatus::kReceived) return false;
  const std::string business = businessStatusOf(after);
  return business.empty() || contactStatuses().count(business) > 0;
}

rapidjson::Document acceptanceStep(const rapidjson::Value& before) {
  rapidjson::Document step;
  step.CopyFrom(before, step.GetAllocator());
  auto& a = step.GetAllocator();
  fhir::setMember(step, "status", fhir::makeString("accepted", a), a);
  fhir::removeMember(step, "statusReason");
  rapidjson::Value* business =
      step.IsObject() && step.HasMember("businessStatus") ? &step["businessStatus"] : nullptr;
  if (!business || !business->IsObject()) return step;
  fhir::removeMember(*business, "text");
  rapidjson::Value kept(rapidjson::kArrayType);
  if (business->HasMember("coding") && (*business)["coding"].IsArray()) {
    for (auto& coding : (*business)["coding"].GetArray()) {
      if (coding.IsObject() && fhir::getString(coding, "system") == kBusinessStatusSystem) {
        kept.PushBack(rapidjson::Value(coding, a), a);
      }
    }
  }
  if (kept.Empty()) {
    fhir::removeMember(step, "businessStatus");
  } else {
    fhir::setMember(*business, "coding", std::move(kept), a);
  }
  return step;
}

}  // namespace sp::workflow
