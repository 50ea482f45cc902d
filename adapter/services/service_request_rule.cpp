#include "services/service_request_rule.h"

#include "fhir/errors.h"
#include "fhir/json.h"
#include "rest/organisation_resolver.h"
#include "rest/search_current.h"
#include "services/workflow_support.h"
#include "workflow/references.h"
#include "workflow/referral.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;
using fhir::Severity;
using workflow::Actor;
using workflow::TaskStatus;

namespace {

void checkEarlierReferral(rest::WriteContext& c, const rapidjson::Value& referral) {
  const auto earlier = workflow::earlierReferral(referral);
  const bool reAccess = workflow::routeOf(referral) == workflow::kRouteReAccess;
  if (earlier.empty()) {
    if (!reAccess) return;
    throw FhirError(ErrorKind::kUnprocessable, "business-rule",
                    "A re-access referral points at the person's earlier referral (basedOn "
                    "or replaces a ServiceRequest)",
                    "ServiceRequest.basedOn");
  }
  auto first = loadResource(c.tx, "ServiceRequest", earlier.id, false);
  if (!first) {
    // Like any reference, one to an earlier referral this server does not hold is taken as
    // written; only re-access depends on what the earlier referral says.
    if (!reAccess) return;
    throw FhirError(ErrorKind::kUnprocessable, "business-rule",
                    "A re-access referral points at the person's earlier referral, and " +
                        earlier.text() + " does not exist",
                    "ServiceRequest.basedOn");
  }
  if (workflow::referenceKey(member(first->doc, "subject")) !=
      workflow::referenceKey(member(referral, "subject"))) {
    throw FhirError(ErrorKind::kUnprocessable, "business-rule",
                    std::string(reAccess ? "A re-access" : "An onward") +
                        " referral is about the same person as " + earlier.text() +
                        ", the referral it points at",
                    "ServiceRequest.subject");
  }
  const std::string status = fhir::getString(first->doc, "status");
  if (reAccess && status != "completed") {
    throw FhirError(ErrorKind::kConflict, "business-rule",
                    "Re-access is for a person discharged from an earlier referral, and " +
                        earlier.text() + " is " + status +
                        ": refer onward from it, or wait until it is completed",
                    "ServiceRequest.basedOn");
  }
}

// An onward referral's Task is partOf the Task that holds the earlier referral, when the
// caller's organisation owns that Task (the link worker who refers onward).
std::string referringTask(rest::WriteContext& c, const rapidjson::Value& referral,
                          const Actor& actor) {
  const auto earlier = workflow::earlierReferral(referral);
  if (earlier.empty() || workflow::routeOf(referral) == workflow::kRouteReAccess) return "";
  const std::string holder = holderTaskOf(c.tx, earlier.id);
  auto task = loadResource(c.tx, "Task", holder, false);
  if (!task) return "";
  const auto status = workflow::statusOf(task->doc);
  if (!status || !workflow::isActive(*status)) return "";
  if (actor.checked()) {
    rest::StoreOrganisationResolver resolver(c.tx);
    if (!resolver.organisationsOf(member(task->doc, "owner")).count(actor.odsCode)) return "";
  }
  return "Task/" + holder;
}

void ensureTask(rest::WriteContext& c, const rapidjson::Value& referral,
                const WorkflowSettings& settings) {
  const std::string taskId = workflow::referralTaskId(c.id);
  const std::string referralRef = "ServiceRequest/" + c.id;
  const auto existing = c.tx.current("Task", taskId, false);
  if (existing && !existing->deleted) {
    rapidjson::Document task;
    fhir::parseJson(existing->body, task);
    if (workflow::localReference(member(task, "focus")).text() == referralRef) return;
    throw FhirError(ErrorKind::kConflict, "conflict",
                    "Task/" + taskId +
                        ", the id of this referral's Task, is taken by a Task "
                        "for something else",
                    "ServiceRequest");
  }
  // A Task the client made for this referral earlier in the same transaction stands.
  if (!rest::searchCurrent(c.api, c.tx, "Task", {{"focus", referralRef}}, 1).empty()) return;
  const rapidjson::Value* performer = workflow::firstPerformer(referral);
  const auto target = workflow::localReference(performer);
  const rapidjson::Value* owner = performer;
  std::unique_ptr<ParsedResource> resolved;
  if (target.type == "HealthcareService") {
    // A service this server does not hold owns the Task itself, and has no places to count.
    resolved = loadResource(c.tx, "HealthcareService", target.id, false);
    if (resolved) {
      const auto capacity = workflow::readCapacity(resolved->doc);
      if (capacity && !workflow::hasRoom(*capacity)) {
        throw noRoomError(c.api, c.tx, target.id, resolved->doc, *capacity, &referral,
                          patientIdOf(member(referral, "subject")), "the referral",
                          "ServiceRequest.performer[0]", settings.alternativesInOutcome,
                          refusalAt(c.api, target.id, c.id, "referral"));
      }
      if (const auto* providedBy = member(resolved->doc, "providedBy")) owner = providedBy;
    }
  } else if (target.type == "PractitionerRole") {
    resolved = loadResource(c.tx, "PractitionerRole", target.id, false);
    if (resolved) {
      if (const auto* organisation = member(resolved->doc, "organization")) owner = organisation;
    }
  }
  const Actor actor = actorOf(c.caller);
  workflow::ReferralTaskSpec spec;
  spec.serviceRequestId = c.id;
  spec.serviceRequest = &referral;
  spec.owner = owner;
  spec.creatorOds = actor.checked() ? actor.odsCode : "";
  spec.now = c.api.clock.now();
  spec.partOf = referringTask(c, referral, actor);
  rapidjson::Document task = workflow::makeReferralTask(spec);
  writeFollowOn(c.api, c.tx, "Task", taskId, task, existing, "POST");
}

}  // namespace

ServiceRequestRule::ServiceRequestRule(const WorkflowSettings& settings) : settings_(settings) {}

// An onward referral that brings no supportingInfo shares the earlier referral's: the
// person's story travels by reference and nobody types it again.
void ServiceRequestRule::beforeWrite(rapidjson::Document& referral, rest::WriteContext& c) const {
  if (!referral.IsObject() || c.previous) return;
  const auto earlier = workflow::earlierReferral(referral);
  if (earlier.empty() || workflow::routeOf(referral) == workflow::kRouteReAccess) return;
  if (member(referral, "supportingInfo")) return;
  auto first = loadResource(c.tx, "ServiceRequest", earlier.id, false);
  if (!first) return;
  const rapidjson::Value* story = member(first->doc, "supportingInfo");
  if (!story) return;
  rapidjson::Value copy;
  copy.CopyFrom(*story, referral.GetAllocator());
  fhir::setMember(referral, "supportingInfo", std::move(copy), referral.GetAllocator());
  c.warnings.push_back({Severity::kInformation, "informational",
                        "ServiceRequest.supportingInfo shared from " + earlier.text(),
                        "ServiceRequest.supportingInfo"});
}

void ServiceRequestRule::afterWrite(const store::ResourceVersion&, const rapidjson::Value& after,
                                    rest::WriteContext& c) const {
  const bool created = !c.previous || c.previous->deleted;
  if (created) checkEarlierReferral(c, after);
  if (workflow::wantsTask(after)) ensureTask(c, after, settings_);
}

}  // namespace sp::services
