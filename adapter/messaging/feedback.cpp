#include "messaging/feedback.h"

#include <initializer_list>

#include "fhir/json.h"
#include "messaging/vocabulary.h"

namespace sp::messaging {

namespace {

constexpr const char* kReportedElements[] = {"status", "businessStatus", "statusReason", "output"};
constexpr const char* kDidNotAttend = "did-not-attend";

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

namespace {

const rapidjson::Value* resourceAt(const rapidjson::Value& entries, std::size_t i) {
  if (i >= entries.Size()) return nullptr;
  const rapidjson::Value* resource =
      fhir::findMember(entries[static_cast<rapidjson::SizeType>(i)], "resource");
  return resource && resource->IsObject() ? resource : nullptr;
}

bool isNoShow(const rapidjson::Value& r) {
  return fhir::getString(r, "resourceType") == "Appointment" &&
         fhir::getString(r, "status") == "noshow";
}

bool isCancelledEncounter(const rapidjson::Value& r) {
  return fhir::getString(r, "resourceType") == "Encounter" &&
         fhir::getString(r, "status") == "cancelled";
}

void textReason(rapidjson::Document& reason, const char* text) {
  reason.SetObject();
  reason.AddMember("text", rapidjson::StringRef(text), reason.GetAllocator());
}

// The first CodeableConcept of `name` (one or an array) that has a coding or a text.
const rapidjson::Value* firstConcept(const rapidjson::Value& r, const char* name) {
  const rapidjson::Value* value = fhir::findMember(r, name);
  if (!value) return nullptr;
  if (value->IsObject()) return value;
  if (value->IsArray()) {
    for (const auto& c : value->GetArray()) {
      if (c.IsObject() && (c.HasMember("coding") || c.HasMember("text"))) return &c;
    }
  }
  return nullptr;
}

ReceiverReport reportOf(const rapidjson::Value& r, std::size_t entry) {
  ReceiverReport out;
  out.entry = entry;
  const bool noShow = isNoShow(r);
  out.kind = noShow ? ReceiverReportKind::kDidNotAttend : ReceiverReportKind::kRejection;
  const rapidjson::Value* reason = firstConcept(r, noShow ? "cancelationReason" : "reasonCode");
  if (reason) {
    out.reason.CopyFrom(*reason, out.reason.GetAllocator());
    if (!out.reason.HasMember("text")) {
      // A Task's reason is read by people: keep the coding's display (or the code) as text.
      const rapidjson::Value* coding = fhir::findMember(out.reason, "coding");
      std::string text;
      if (coding && coding->IsArray() && !coding->Empty()) {
        text = fhir::getString((*coding)[0], "display");
        if (text.empty()) text = fhir::getString((*coding)[0], "code");
      }
      if (!text.empty()) {
        fhir::setMember(out.reason, "text", fhir::makeString(text, out.reason.GetAllocator()),
                        out.reason.GetAllocator());
      }
    }
  } else {
    textReason(out.reason, noShow ? "The person did not attend the appointment"
                                  : "The receiver rejected the referral");
  }
  return out;
}

bool isOneOf(const std::string& status, std::initializer_list<const char*> statuses) {
  for (const char* s : statuses) {
    if (status == s) return true;
  }
  return false;
}

rapidjson::Document moved(const rapidjson::Value& task, const char* status,
                          const rapidjson::Value* reason, bool didNotAttend) {
  rapidjson::Document out;
  out.CopyFrom(task, out.GetAllocator());
  auto& a = out.GetAllocator();
  fhir::setMember(out, "status", fhir::makeString(status, a), a);
  if (reason) {
    rapidjson::Value copy;
    copy.CopyFrom(*reason, a);
    fhir::setMember(out, "statusReason", std::move(copy), a);
  }
  if (didNotAttend) {
    rapidjson::Value coding(rapidjson::kObjectType);
    coding.AddMember("system", rapidjson::StringRef(fhir::kBusinessStatusSystem), a);
    coding.AddMember("code", rapidjson::StringRef(kDidNotAttend), a);
    rapidjson::Value codings(rapidjson::kArrayType);
    codings.PushBack(coding, a);
    rapidjson::Value concept(rapidjson::kObjectType);
    concept.AddMember("coding", codings, a);
    fhir::setMember(out, "businessStatus", std::move(concept), a);
  }
  return out;
}

}  // namespace

std::optional<ReceiverReport> receiverReportIn(const rapidjson::Value& bundle,
                                               std::size_t focusEntry) {
  const rapidjson::Value* entries = fhir::findMember(bundle, "entry");
  if (!entries || !entries->IsArray()) return std::nullopt;
  if (const rapidjson::Value* focus = resourceAt(*entries, focusEntry)) {
    if (isNoShow(*focus) || isCancelledEncounter(*focus)) return reportOf(*focus, focusEntry);
  }
  for (const auto test : {isNoShow, isCancelledEncounter}) {
    for (std::size_t i = 1; i < entries->Size(); ++i) {
      const rapidjson::Value* r = resourceAt(*entries, i);
      if (r && test(*r)) return reportOf(*r, i);
    }
  }
  return std::nullopt;
}

std::vector<rapidjson::Document> taskMovesFor(const rapidjson::Value& held,
                                              const ReceiverReport& report) {
  std::vector<rapidjson::Document> out;
  const std::string status = fhir::getString(held, "status");
  const bool waiting = isOneOf(status, {"requested", "received"});
  const bool working = isOneOf(status, {"accepted", "in-progress", "on-hold"});
  if (!waiting && !working) return out;
  if (report.kind == ReceiverReportKind::kRejection) {
    out.push_back(moved(held, waiting ? "rejected" : "failed", &report.reason, false));
    return out;
  }
  if (waiting) out.push_back(moved(held, "accepted", nullptr, false));
  out.push_back(moved(out.empty() ? held : out.back(), "failed", &report.reason, true));
  return out;
}

}  // namespace sp::messaging
