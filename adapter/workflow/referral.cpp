#include "workflow/referral.h"

#include <cstdint>
#include <cstdio>

#include "fhir/json.h"
#include "workflow/derivation.h"
#include "workflow/handover.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"

namespace sp::workflow {
namespace {

std::uint64_t fnv1a(const std::string& text, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

rapidjson::Value copyOf(const rapidjson::Value* value, rapidjson::Document::AllocatorType& a) {
  rapidjson::Value copy;
  if (value) copy.CopyFrom(*value, a);
  return copy;
}

rapidjson::Value coding(const char* system, const char* code, const char* display,
                        rapidjson::Document::AllocatorType& a) {
  rapidjson::Value c(rapidjson::kObjectType);
  c.AddMember("system", fhir::makeString(system, a), a);
  c.AddMember("code", fhir::makeString(code, a), a);
  c.AddMember("display", fhir::makeString(display, a), a);
  return c;
}

}  // namespace

std::string referralTaskId(const std::string& serviceRequestId) {
  if (serviceRequestId.size() + 5 <= 64) return serviceRequestId + "-task";
  char hash[40];
  std::snprintf(hash, sizeof hash, "%016llx%016llx",
                static_cast<unsigned long long>(fnv1a(serviceRequestId, 14695981039346656037ULL)),
                static_cast<unsigned long long>(fnv1a(serviceRequestId, 1469598103934665603ULL)));
  return std::string("task-") + hash;
}

std::string routeOf(const rapidjson::Value& serviceRequest) {
  for (const rapidjson::Value* ext : extensionsWithUrl(serviceRequest, kReferralRouteExtension)) {
    const auto* coding = fhir::findMember(*ext, "valueCoding");
    if (coding && coding->IsObject()) return fhir::getString(*coding, "code");
  }
  return "";
}

const rapidjson::Value* firstPerformer(const rapidjson::Value& serviceRequest) {
  const auto performers = elements(serviceRequest, "performer");
  return performers.empty() ? nullptr : performers.front();
}

bool wantsTask(const rapidjson::Value& serviceRequest) {
  return fhir::getString(serviceRequest, "status") == "active" &&
         firstPerformer(serviceRequest) != nullptr;
}

LocalReference earlierReferral(const rapidjson::Value& serviceRequest) {
  for (const char* name : {"basedOn", "replaces"}) {
    for (const rapidjson::Value* ref : elements(serviceRequest, name)) {
      const LocalReference local = localReference(ref);
      if (local.type == "ServiceRequest") return local;
    }
  }
  return {};
}

rapidjson::Document makeReferralTask(const ReferralTaskSpec& spec) {
  rapidjson::Document task(rapidjson::kObjectType);
  auto& a = task.GetAllocator();
  const rapidjson::Value& sr = *spec.serviceRequest;
  const std::string srRef = "ServiceRequest/" + spec.serviceRequestId;
  const std::string instant = fhir::formatInstant(spec.now);

  task.AddMember("resourceType", "Task", a);
  rapidjson::Value meta(rapidjson::kObjectType);
  rapidjson::Value profiles(rapidjson::kArrayType);
  profiles.PushBack(fhir::makeString(kReferralTaskProfile, a), a);
  meta.AddMember("profile", profiles, a);
  if (!spec.creatorOds.empty()) {
    rapidjson::Value tags(rapidjson::kArrayType);
    rapidjson::Value tag(rapidjson::kObjectType);
    tag.AddMember("system", fhir::makeString(kCreatedByTagSystem, a), a);
    tag.AddMember("code", fhir::makeString(spec.creatorOds, a), a);
    tag.AddMember("display", fhir::makeString("Created by organisation " + spec.creatorOds, a), a);
    tags.PushBack(tag, a);
    meta.AddMember("tag", tags, a);
  }
  task.AddMember("meta", meta, a);
  rapidjson::Value text(rapidjson::kObjectType);
  text.AddMember("status", "generated", a);
  text.AddMember(
      "div",
      fhir::makeString("<div xmlns=\"http://www.w3.org/1999/xhtml\"><p>Act on referral " + srRef +
                           ": made by the adapter when the referral "
                           "arrived.</p></div>",
                       a),
      a);
  task.AddMember("text", text, a);
  rapidjson::Value basedOn(rapidjson::kArrayType);
  basedOn.PushBack(makeReference(srRef, a), a);
  task.AddMember("basedOn", basedOn, a);
  if (!spec.partOf.empty()) {
    rapidjson::Value partOf(rapidjson::kArrayType);
    partOf.PushBack(makeReference(spec.partOf, a), a);
    task.AddMember("partOf", partOf, a);
  }
  task.AddMember("status", "requested", a);
  task.AddMember("intent", "order", a);
  if (const auto* priority = fhir::findMember(sr, "priority"); priority && priority->IsString()) {
    task.AddMember("priority", copyOf(priority, a), a);
  }
  rapidjson::Value codings(rapidjson::kArrayType);
  codings.PushBack(coding(kHl7TaskCodeSystem, kFulfill, "Fulfill the focal request", a), a);
  codings.PushBack(coding(kTaskCodeSystem, kFulfillReferral, "Fulfil referral", a), a);
  rapidjson::Value code(rapidjson::kObjectType);
  code.AddMember("coding", codings, a);
  task.AddMember("code", code, a);
  task.AddMember("focus", makeReference(srRef, a), a);
  if (const auto* subject = fhir::findMember(sr, "subject")) {
    task.AddMember("for", copyOf(subject, a), a);
  }
  task.AddMember("authoredOn", fhir::makeString(instant, a), a);
  task.AddMember("lastModified", fhir::makeString(instant, a), a);
  if (const auto* requester = fhir::findMember(sr, "requester")) {
    task.AddMember("requester", copyOf(requester, a), a);
  }
  if (spec.owner) task.AddMember("owner", copyOf(spec.owner, a), a);
  return task;
}

std::optional<std::string> followingStatus(const rapidjson::Value& task,
                                           std::optional<TaskStatus> before, TaskStatus after,
                                           const std::string& serviceRequestStatus) {
  if (before == after) return std::nullopt;
  const bool open = serviceRequestStatus == "draft" || serviceRequestStatus == "active" ||
                    serviceRequestStatus == "on-hold";
  if (!open) return std::nullopt;
  if (after == TaskStatus::kCompleted) {
    if (businessStatusOf(task) == kHandedOver) return std::nullopt;
    return std::string("completed");
  }
  if (after == TaskStatus::kCancelled) {
    const bool unacceptedHandover =
        isWarmHandover(task) &&
        (!before || isPendingHandoverStatus(*before) || *before == TaskStatus::kDraft);
    if (unacceptedHandover) return std::nullopt;
    return std::string("revoked");
  }
  return std::nullopt;
}

}  // namespace sp::workflow
