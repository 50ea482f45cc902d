#include "delivery/outgoing_message.h"

#include "fhir/json.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"

namespace sp::delivery {

using rapidjson::Value;
using workflow::TaskStatus;

namespace {

constexpr const char* kDidNotAttend = "did-not-attend";

Value str(const std::string& text, rapidjson::Document::AllocatorType& alloc) {
  return fhir::makeString(text, alloc);
}

Value coding(const char* system, const std::string& code,
             rapidjson::Document::AllocatorType& alloc) {
  Value out(rapidjson::kObjectType);
  out.AddMember("system", str(system, alloc), alloc);
  out.AddMember("code", str(code, alloc), alloc);
  return out;
}

Value reference(const std::string& text, rapidjson::Document::AllocatorType& alloc) {
  Value out(rapidjson::kObjectType);
  out.AddMember("reference", str(text, alloc), alloc);
  return out;
}

Value copy(const Value& value, rapidjson::Document::AllocatorType& alloc) {
  return Value(value, alloc);
}

std::string fullUrl(const std::string& base, const MessageResource& r) {
  return base + "/" + r.type + "/" + r.id;
}

}  // namespace

const char* describe(ReferrerNews news) {
  switch (news) {
    case ReferrerNews::kAccepted:
      return "accepted";
    case ReferrerNews::kRejected:
      return "rejected";
    case ReferrerNews::kCompleted:
      return "completed";
    case ReferrerNews::kDidNotAttend:
      return "did not attend";
  }
  return "";
}

std::optional<ReferrerNews> referrerNewsOf(const Value* before, const Value& after) {
  // Accepting or refusing a warm handover is between the two services; what the new provider
  // then does with the person on that Task (non-attendance, completion) is the referrer's news.
  const bool handover = workflow::isWarmHandover(after);
  const std::string business = workflow::businessStatusOf(after);
  if (business == workflow::kHandedOver) return std::nullopt;
  const auto to = workflow::statusOf(after);
  const auto from = before ? workflow::statusOf(*before) : std::nullopt;
  if (business == kDidNotAttend &&
      (!before || workflow::businessStatusOf(*before) != kDidNotAttend)) {
    return ReferrerNews::kDidNotAttend;
  }
  if (!to || from == to) return std::nullopt;
  switch (*to) {
    case TaskStatus::kAccepted:
      return handover ? std::nullopt : std::optional(ReferrerNews::kAccepted);
    case TaskStatus::kRejected:
      return handover ? std::nullopt : std::optional(ReferrerNews::kRejected);
    case TaskStatus::kCompleted:
      return ReferrerNews::kCompleted;
    default:
      return std::nullopt;
  }
}

std::optional<ReferralPush> referralPushOf(const Value* before, const Value& after) {
  const std::string to = fhir::getString(after, "status");
  const std::string from = before ? fhir::getString(*before, "status") : "";
  if (to == from) return std::nullopt;
  if (to == "active" && (from.empty() || from == "draft")) return ReferralPush::kNew;
  if ((to == "revoked" || to == "entered-in-error") && (from == "active" || from == "on-hold")) {
    return ReferralPush::kCancel;
  }
  return std::nullopt;
}

const char* reasonCode(ReferralPush push) { return push == ReferralPush::kNew ? "new" : "update"; }

std::string buildMessage(const MessageParts& parts) {
  rapidjson::Document bundle(rapidjson::kObjectType);
  auto& a = bundle.GetAllocator();
  bundle.AddMember("resourceType", "Bundle", a);
  bundle.AddMember("id", str(parts.bundleId, a), a);
  Value meta(rapidjson::kObjectType);
  meta.AddMember("lastUpdated", str(parts.timestamp, a), a);
  bundle.AddMember("meta", meta, a);
  bundle.AddMember("type", "message", a);
  bundle.AddMember("timestamp", str(parts.timestamp, a), a);

  Value header(rapidjson::kObjectType);
  header.AddMember("resourceType", "MessageHeader", a);
  header.AddMember("id", str(parts.messageId, a), a);
  header.AddMember("eventCoding", coding(kBarsEventSystem, parts.eventCode, a), a);
  Value destination(rapidjson::kObjectType);
  destination.AddMember("endpoint", str(parts.destinationEndpoint, a), a);
  if (parts.receiver) destination.AddMember("receiver", copy(*parts.receiver, a), a);
  Value destinations(rapidjson::kArrayType);
  destinations.PushBack(destination, a);
  header.AddMember("destination", destinations, a);
  if (parts.sender) header.AddMember("sender", copy(*parts.sender, a), a);
  Value source(rapidjson::kObjectType);
  source.AddMember("name", "Social prescribing FHIR adapter", a);
  source.AddMember("endpoint", str(parts.baseUrl + "/$process-message", a), a);
  header.AddMember("source", source, a);
  if (!parts.reasonCode.empty()) {
    Value reason(rapidjson::kObjectType);
    Value codings(rapidjson::kArrayType);
    codings.PushBack(coding(kBarsReasonSystem, parts.reasonCode, a), a);
    reason.AddMember("coding", codings, a);
    header.AddMember("reason", reason, a);
  }
  if (!parts.respondsTo.empty()) {
    Value response(rapidjson::kObjectType);
    response.AddMember("identifier", str(parts.respondsTo, a), a);
    response.AddMember("code", "ok", a);
    header.AddMember("response", response, a);
  }
  if (!parts.resources.empty()) {
    Value focus(rapidjson::kArrayType);
    focus.PushBack(reference(fullUrl(parts.baseUrl, parts.resources.front()), a), a);
    header.AddMember("focus", focus, a);
  }

  Value entries(rapidjson::kArrayType);
  Value headerEntry(rapidjson::kObjectType);
  headerEntry.AddMember("fullUrl", str("urn:uuid:" + parts.messageId, a), a);
  headerEntry.AddMember("resource", header, a);
  entries.PushBack(headerEntry, a);
  for (const MessageResource& r : parts.resources) {
    if (!r.body) continue;
    Value entry(rapidjson::kObjectType);
    entry.AddMember("fullUrl", str(fullUrl(parts.baseUrl, r), a), a);
    entry.AddMember("resource", copy(*r.body, a), a);
    entries.PushBack(entry, a);
  }
  bundle.AddMember("entry", entries, a);
  return fhir::writeJson(bundle);
}

}  // namespace sp::delivery
