#include "messaging/feedback.h"

#include "fhir/json.h"
#include "messaging/vocabulary.h"

namespace sp::messaging {

namespace {

constexpr const char* kReportedElements[] = {"status", "businessStatus", "statusReason", "output"};

}  // namespace

std::optional<FeedbackTarget> pushedRequestOf(const rapidjson::Value& storedBundle) {
  const rapidjson::Value* meta = fhir::findMember(storedBundle, "meta");
  const rapidjson::Value* tags = meta ? fhir::findMember(*meta, "tag") : nullptr;
  if (!tags || !tags->IsArray()) return std::nullopt;
  bool pushed = false;
  for (const auto& tag : tags->GetArray()) {
    pushed = pushed || (tag.IsObject() && fhir::getString(tag, "system") == kTagDirection &&
                        fhir::getString(tag, "code") == kDirectionPushed);
  }
  const rapidjson::Value* entries = fhir::findMember(storedBundle, "entry");
  if (!pushed || !entries || !entries->IsArray() || entries->Empty()) return std::nullopt;
  const rapidjson::Value* header = fhir::findMember((*entries)[0], "resource");
  const rapidjson::Value* focus = header ? fhir::findMember(*header, "focus") : nullptr;
  if (!focus || !focus->IsArray() || focus->Empty()) return std::nullopt;
  const std::string reference = fhir::getString((*focus)[0], "reference");
  const std::string type = "ServiceRequest/";
  const auto at = reference.rfind(type);
  if (at == std::string::npos || (at > 0 && reference[at - 1] != '/')) return std::nullopt;
  FeedbackTarget out;
  out.referralId = reference.substr(at + type.size());
  if (out.referralId.empty() || out.referralId.find('/') != std::string::npos) return std::nullopt;
  if (const auto task = reportedTaskEntry(storedBundle)) {
    out.taskId = fhir::getString((*entries)[*task]["resource"], "id");
  }
  return out;
}

std::optional<std::size_t> reportedTaskEntry(const rapidjson::Value& bundle) {
  const rapidjson::Value* entries = fhir::findMember(bundle, "entry");
  if (!entries || !entries->IsArray()) return std::nullopt;
  for (rapidjson::SizeType i = 0; i < entries->Size(); ++i) {
    const rapidjson::Value* resource = fhir::findMember((*entries)[i], "resource");
    if (resource && resource->IsObject() && fhir::getString(*resource, "resourceType") == "Task") {
      return i;
    }
  }
  return std::nullopt;
}

std::optional<rapidjson::Document> taskAfterFeedback(const rapidjson::Value& held,
                                                     const rapidjson::Value& reported) {
  rapidjson::Document task;
  task.CopyFrom(held, task.GetAllocator());
  auto& a = task.GetAllocator();
  bool changed = false;
  for (const char* name : kReportedElements) {
    const rapidjson::Value* value = fhir::findMember(reported, name);
    if (!value) continue;
    const rapidjson::Value* now = fhir::findMember(held, name);
    if (now && *now == *value) continue;
    rapidjson::Value copy;
    copy.CopyFrom(*value, a);
    fhir::setMember(task, name, std::move(copy), a);
    changed = true;
  }
  if (!changed) return std::nullopt;
  return task;
}

}  // namespace sp::messaging
