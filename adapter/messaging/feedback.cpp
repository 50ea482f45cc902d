#include "messaging/feedback.h"

#include "fhir/json.h"

namespace sp::messaging {

namespace {

constexpr const char* kReportedElements[] = {"status", "businessStatus", "statusReason",
                                             "output"};

}  // namespace

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
