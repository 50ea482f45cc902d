#include "services/task_rule.h"

#include "fhir/errors.h"
#include "fhir/json.h"
#include "rest/organisation_resolver.h"
#include "services/task_effects.h"
#include "services/workflow_support.h"
#include "workflow/derivation.h"
#include "workflow/handover.h"
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

// A warm handover that names no Task in partOf hands over the Task that holds its referral,
// when its requester's organisation owns that Task.
void inferHandedOverTask(rapidjson::Document& task, rest::WriteContext& c, const Actor& actor) {
  const auto focus = workflow::localReference(member(task, "focus"));
  if (focus.type != "ServiceRequest") return;
  const std::string holder = holderTaskOf(c.tx, focus.id);
  auto t1 = loadResource(c.tx, "Task", holder, false);
  if (!t1) return;
  if (actor.checked()) {
    rest::StoreOrganisationResolver resolver(c.tx);
    if (!intersects(resolver.organisationsOf(member(task, "requester")),
                    resolver.organisationsOf(member(t1->doc, "owner")))) {
      return;
    }
  }
  auto& a = task.GetAllocator();
  rapidjson::Value partOf(rapidjson::kArrayType);
  partOf.PushBack(workflow::makeReference("Task/" + holder, a), a);
  fhir::setMember(task, "partOf", std::move(partOf), a);
  c.warnings.push_back({Severity::kInformation, "informational",
                        "Task.partOf set to Task/" + holder +
                            ", the Task that holds the referral: the person it hands over",
                        "Task.partOf"});
}

// False when `before` waits for a handover whose Task is gone or no longer pending.
bool handoverStillPending(store::StoreTransaction& tx, const rapidjson::Value& before) {
  if (workflow::businessStatusOf(before) != workflow::kHandoverPending) return true;
  const auto t2 = workflow::parseReference(workflow::pendingHandoverOf(before));
  auto handover = loadResource(tx, "Task", t2.id, false);
  if (!handover) return false;
  const auto status = workflow::statusOf(handover->doc);
  return status && workflow::isPendingHandoverStatus(*status);
}

// A new Task: not a second Task for a referral that already has a live one made by the
// adapter, and not for a service without a free place.
void checkNewTask(rest::WriteContext& c, const rapidjson::Value& task, TaskStatus status,
                  const WorkflowSettings& settings) {
  const auto focus = workflow::localReference(member(task, "focus"));
  if (focus.type == "ServiceRequest" && !workflow::isWarmHandover(task) &&
      firstPartOf(task).empty()) {
    const std::string adapterTask = workflow::referralTaskId(focus.id);
    if (adapterTask != c.id) {
      auto existing = loadResource(c.tx, "Task", adapterTask, false);
      const auto existingStatus = existing ? workflow::statusOf(existing->doc) : std::nullopt;
      if (existingStatus && workflow::isActive(*existingStatus) &&
          workflow::localReference(member(existing->doc, "focus")).text() == focus.text()) {
        throw FhirError(ErrorKind::kConflict, "duplicate",
                        focus.text() + " already has its Task, Task/" + adapterTask + " (" +
                            workflow::statusCode(*existingStatus) +
                            "), made by the adapter when the referral arrived: update that "
                            "Task, or name it in partOf to make a sub-task",
                        "Task.focus");
      }
    }
  }
  if (workflow::holdsPlace(status) || workflow::isFinished(status)) return;
  const std::string serviceId = serviceOfTask(c.tx, task);
  auto service = loadResource(c.tx, "HealthcareService", serviceId, false);
  if (!service) return;
  const auto capacity = workflow::readCapacity(service->doc);
  if (!capacity || workflow::hasRoom(*capacity)) return;
  auto referral = focus.type == "ServiceRequest"
                      ? loadResource(c.tx, "ServiceRequest", focus.id, false)
                      : nullptr;
  throw noRoomError(c.api, c.tx, serviceId, service->doc, *capacity,
                    referral ? &referral->doc : nullptr, patientIdOf(member(task, "for")),
                    "a new Task for it", "Task.owner", settings.alternativesInOutcome,
                    refusalAt(c.api, serviceId, referral ? focus.id : "", "task"));
}

// A Task that neither acts on a referral nor hands one over (a Task for the patient, a
// reminder: workflow::TaskKind::kOther), now and before, is plain R4: the referral workflow
// does not judge it.
bool outsideTheWorkflow(const rapidjson::Value& task, const rapidjson::Value* before) {
  using workflow::TaskKind;
  return workflow::taskKind(task) == TaskKind::kOther &&
         (!before || workflow::taskKind(*before) == TaskKind::kOther);
}

}  // namespace

TaskRule::TaskRule(const WorkflowSettings& settings) : settings_(settings) {}

void TaskRule::beforeWrite(rapidjson::Document& task, rest::WriteContext& c) const {
  if (!task.IsObject()) return;
  const rapidjson::Value* before = c.previousResource();
  if (outsideTheWorkflow(task, before)) return;
  const Actor actor = actorOf(c.caller);
  const auto now = c.api.clock.now();
  workflow::maintainTask(task, before, actor, now);
  if (!workflow::isWarmHandover(task)) return;
  if (!before && firstPartOf(task).empty()) inferHandedOverTask(task, c, actor);
  if (firstPartOf(task).empty()) return;  // the sender's Task is not held here
  const auto to = workflow::statusOf(task);
  const auto from = before ? workflow::statusOf(*before) : std::nullopt;
  if (to && workflow::handoverEvent(from, *to) == workflow::HandoverEvent::kStart) {
    workflow::setHandoverDeadline(task, now + settings_.handoverExpiry);
  } else if (const auto deadline = before ? workflow::handoverDeadline(*before) : std::nullopt) {
    workflow::setHandoverDeadline(task, *deadline);  // kept by the adapter
  }
}

void TaskRule::afterWrite(const store::ResourceVersion&, const rapidjson::Value& after,
                          rest::WriteContext& c) const {
  const rapidjson::Value* before = c.previousResource();
  if (outsideTheWorkflow(after, before)) return;
  const Actor actor = actorOf(c.caller);
  TaskEffects effects(c.api, c.tx, settings_, actor);
  auto& resolver = effects.resolver();

  workflow::TaskWrite w;
  w.reference = "Task/" + c.id;
  w.before = before;
  w.after = &after;
  w.actor = actor;
  w.rolesAfter = workflow::rolesOf(actor, after, resolver);
  w.rolesBefore = before ? workflow::rolesOf(actor, *before, resolver) : w.rolesAfter;
  if (before) w.handoverStillPending = handoverStillPending(c.tx, *before);
  workflow::checkTaskWrite(w);

  const auto to = workflow::statusOf(after);
  if (!to) return;
  const auto from = before ? workflow::statusOf(*before) : std::nullopt;
  if (before && workflow::isWarmHandover(after) && from &&
      workflow::handoverEvent(from, *to) == workflow::HandoverEvent::kAccept) {
    workflow::checkNotExpired(w.reference, *before, c.api.clock.now());
  }
  if (!before) checkNewTask(c, after, *to, settings_);
  effects.apply(c.id, before, after);
}

}  // namespace sp::services
