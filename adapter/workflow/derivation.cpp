#include "workflow/derivation.h"

#include "fhir/json.h"
#include "fhir/project_urls.h"
#include "workflow/derived.h"
#include "workflow/references.h"
#include "workflow/vocabulary.h"

namespace sp::workflow {

namespace {

using Allocator = rapidjson::Document::AllocatorType;

using fhir::kHandoverTaskProfile;
using fhir::kReferralProfile;

rapidjson::Value coding(const char* system, const char* code, const char* display, Allocator& a) {
  rapidjson::Value c(rapidjson::kObjectType);
  c.AddMember("system", fhir::makeString(system, a), a);
  c.AddMember("code", fhir::makeString(code, a), a);
  c.AddMember("display", fhir::makeString(display, a), a);
  return c;
}

bool hasCoding(const rapidjson::Value* concept, const char* system, const char* code) {
  return codeIn(concept, system) == code;
}

// Adds `system|code` to the CodeableConcept `name` (made when absent). False when it was there.
bool addCoding(rapidjson::Document& resource, const char* name, const char* system,
               const char* code, const char* display) {
  auto& a = resource.GetAllocator();
  rapidjson::Value& concept = fhir::memberOfType(resource, name, rapidjson::kObjectType, a);
  for (const rapidjson::Value* c : elements(concept, "coding")) {
    if (c->IsObject() && fhir::getString(*c, "system") == system &&
        fhir::getString(*c, "code") == code) {
      return false;
    }
  }
  fhir::memberOfType(concept, "coding", rapidjson::kArrayType, a)
      .PushBack(coding(system, code, display, a), a);
  return true;
}

void declareProfile(rapidjson::Document& resource, const char* url) {
  auto& a = resource.GetAllocator();
  rapidjson::Value& meta = fhir::memberOfType(resource, "meta", rapidjson::kObjectType, a);
  rapidjson::Value& profiles = fhir::memberOfType(meta, "profile", rapidjson::kArrayType, a);
  for (const auto& p : profiles.GetArray()) {
    if (p.IsString() && std::string(p.GetString()) == url) return;
  }
  profiles.PushBack(fhir::makeString(url, a), a);
}

bool present(const rapidjson::Value& resource, const char* name) {
  const rapidjson::Value* value = fhir::findMember(resource, name);
  return value && !value->IsNull();
}

// A reference to the sending organisation by its ODS code.
rapidjson::Value senderReference(const Sender& sender, Allocator& a) {
  rapidjson::Value identifier(rapidjson::kObjectType);
  identifier.AddMember("system", fhir::makeString(kOdsSystem, a), a);
  identifier.AddMember("value", fhir::makeString(sender.odsCode, a), a);
  rapidjson::Value reference(rapidjson::kObjectType);
  reference.AddMember("type", "Organization", a);
  reference.AddMember("identifier", identifier, a);
  if (!sender.name.empty()) reference.AddMember("display", fhir::makeString(sender.name, a), a);
  return reference;
}

}  // namespace

std::vector<fhir::Issue> deriveReferral(rapidjson::Document& referral, const Sender& sender) {
  std::vector<fhir::Issue> issues;
  if (!referral.IsObject()) return issues;
  auto& a = referral.GetAllocator();
  if (extensionsWithUrl(referral, kReferralRouteExtension).empty() && !sender.route.empty()) {
    rapidjson::Value value(rapidjson::kObjectType);
    value.AddMember("system", fhir::makeString(kReferralRouteSystem, a), a);
    value.AddMember("code", fhir::makeString(sender.route, a), a);
    rapidjson::Value extension(rapidjson::kObjectType);
    extension.AddMember("url", fhir::makeString(kReferralRouteExtension, a), a);
    extension.AddMember("valueCoding", value, a);
    fhir::memberOfType(referral, "extension", rapidjson::kArrayType, a).PushBack(extension, a);
    issues.push_back(recordDerived(referral, "referral-route",
                                   "referral route '" + sender.route +
                                       "', from the role of the sending organisation " +
                                       sender.odsCode,
                                   "ServiceRequest.extension"));
  }
  if (addCoding(referral, "code", kSnomedSystem, kSocialPrescribingReferral,
                "Referral to social prescribing service")) {
    issues.push_back(recordDerived(referral, "referral-code",
                                   "SNOMED CT 871731000000106 |Referral to social prescribing "
                                   "service| added beside the sender's own coding",
                                   "ServiceRequest.code"));
  }
  if (!present(referral, "requester") && !sender.odsCode.empty()) {
    fhir::setMember(referral, "requester", senderReference(sender, a), a);
    issues.push_back(recordDerived(referral, "requester",
                                   "requester: the sending organisation " + sender.odsCode,
                                   "ServiceRequest.requester"));
  }
  declareProfile(referral, kReferralProfile);
  return issues;
}

TaskKind taskKind(const rapidjson::Value& task) {
  const rapidjson::Value* code = fhir::findMember(task, "code");
  if (hasCoding(code, kTaskCodeSystem, kWarmHandover)) return TaskKind::kHandover;
  if (hasCoding(code, kHl7TaskCodeSystem, kFulfill) ||
      hasCoding(code, kTaskCodeSystem, kFulfillReferral)) {
    return TaskKind::kReferral;
  }
  if (!hasContent(code) &&
      localReference(fhir::findMember(task, "focus")).type == "ServiceRequest") {
    return TaskKind::kReferral;
  }
  return TaskKind::kOther;
}

std::vector<fhir::Issue> deriveTask(rapidjson::Document& task, const rapidjson::Value* referral,
                                    const Sender& sender) {
  std::vector<fhir::Issue> issues;
  if (!task.IsObject()) return issues;
  const TaskKind kind = taskKind(task);
  if (kind == TaskKind::kOther) return issues;
  auto& a = task.GetAllocator();
  bool coded = addCoding(task, "code", kHl7TaskCodeSystem, kFulfill, "Fulfill the focal request");
  if (kind == TaskKind::kReferral) {
    coded = addCoding(task, "code", kTaskCodeSystem, kFulfillReferral, "Fulfil referral") || coded;
  }
  if (coded) {
    issues.push_back(recordDerived(
        task, "task-code",
        "Task.code completed with HL7 'fulfill' and the project's " +
            std::string(kind == TaskKind::kReferral ? kFulfillReferral : kWarmHandover),
        "Task.code"));
  }
  if (referral && !present(task, "for")) {
    if (const rapidjson::Value* subject = fhir::findMember(*referral, "subject")) {
      rapidjson::Value copy;
      copy.CopyFrom(*subject, a);
      fhir::setMember(task, "for", std::move(copy), a);
      issues.push_back(
          recordDerived(task, "task-for", "Task.for: the referral's subject", "Task.for"));
    }
  }
  if (!present(task, "requester")) {
    const rapidjson::Value* requester =
        referral ? fhir::findMember(*referral, "requester") : nullptr;
    if (requester) {
      rapidjson::Value copy;
      copy.CopyFrom(*requester, a);
      fhir::setMember(task, "requester", std::move(copy), a);
      issues.push_back(recordDerived(task, "requester", "Task.requester: the referral's requester",
                                     "Task.requester"));
    } else if (!sender.odsCode.empty()) {
      fhir::setMember(task, "requester", senderReference(sender, a), a);
      issues.push_back(recordDerived(task, "requester",
                                     "Task.requester: the sending organisation " + sender.odsCode,
                                     "Task.requester"));
    }
  }
  const bool actsOnReferral =
      localReference(fhir::findMember(task, "focus")).type == "ServiceRequest";
  if (kind == TaskKind::kHandover) {
    declareProfile(task, kHandoverTaskProfile);
  } else if (actsOnReferral) {
    declareProfile(task, kReferralTaskProfile);
  }
  return issues;
}

}  // namespace sp::workflow
