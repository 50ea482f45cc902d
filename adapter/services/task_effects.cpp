#include "services/task_effects.h"

#include "fhir/errors.h"
#include "fhir/json.h"
#include "workflow/handover.h"
#include "workflow/referral.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;
using workflow::Actor;
using workflow::TaskStatus;

namespace {

constexpr int kMaxVersionsBack = 50;

// The businessStatus T1 had before it began to wait for a handover (null when it had none).
std::unique_ptr<rapidjson::Document> businessStatusBeforeHandover(store::StoreTransaction& tx,
                                                                  const std::string& t1Id,
                                                                  std::int64_t currentVersion) {
  for (std::int64_t v = currentVersion - 1; v >= 1 && v >= currentVersion - kMaxVersionsBack; --v) {
    auto version = tx.version("Task", t1Id, v);
    if (!version || version->deleted || version->body.empty()) continue;
    rapidjson::Document doc;
    fhir::parseJson(version->body, doc);
    if (workflow::businessStatusOf(doc) == workflow::kHandoverPending) continue;
    const rapidjson::Value* status = member(doc, "businessStatus");
    if (!status) return nullptr;
    return std::make_unique<rapidjson::Document>(copyOf(*status));
  }
  return nullptr;
}

}  // namespace

TaskEffects::TaskEffects(const rest::ApiContext& api, store::StoreTransaction& tx,
                         const WorkflowSettings& settings, Actor actor)
    : api_(api), tx_(tx), settings_(settings), actor_(std::move(actor)), resolver_(tx) {}

void TaskEffects::apply(const std::string& id, const rapidjson::Value* before,
                        const rapidjson::Value& after) {
  const auto to = workflow::statusOf(after);
  if (!to) return;
  const auto from = before ? workflow::statusOf(*before) : std::nullopt;
  places(id, from, *to, after);
  if (workflow::isWarmHandover(after)) handover(id, from, *to, after);
  followReferral(from, *to, after);
}

void TaskEffects::places(const std::string& id, std::optional<TaskStatus> from, TaskStatus to,
                         const rapidjson::Value& task) {
  const auto effect = workflow::placeEffect(from, to);
  if (effect == workflow::PlaceEffect::kNone) return;
  const std::string serviceId = serviceOfTask(tx_, task);
  auto service = loadResource(tx_, "HealthcareService", serviceId, true);
  if (!service) return;
  const auto capacity = workflow::readCapacity(service->doc);
  if (!capacity) return;
  workflow::Capacity next;
  if (effect == workflow::PlaceEffect::kTake) {
    if (!workflow::hasRoom(*capacity)) {
      const auto focus = workflow::localReference(member(task, "focus"));
      auto referral = focus.type == "ServiceRequest"
                          ? loadResource(tx_, "ServiceRequest", focus.id, false)
                          : nullptr;
      throw noRoomError(api_, tx_, serviceId, service->doc, *capacity,
                        referral ? &referral->doc : nullptr, patientIdOf(member(task, "for")),
                        std::string(workflow::statusCode(to)) + " for Task/" + id, "Task.status",
                        settings_.alternativesInOutcome,
                        refusalAt(api_, serviceId, referral ? focus.id : "", "task"));
    }
    next = workflow::takePlace(*capacity);
  } else {
    next = workflow::giveBackPlace(*capacity);
  }
  workflow::writeCapacity(service->doc, next, service->doc.GetAllocator());
  writeFollowOn(api_, tx_, "HealthcareService", serviceId, service->doc, service->version, "PUT");
}

void TaskEffects::handover(const std::string& t2Id, std::optional<TaskStatus> from, TaskStatus to,
                           const rapidjson::Value& t2) {
  switch (workflow::handoverEvent(from, to)) {
    case workflow::HandoverEvent::kNone:
      return;
    case workflow::HandoverEvent::kStart:
      startHandover(t2Id, t2);
      return;
    case workflow::HandoverEvent::kAccept:
      resolveHandover(t2Id, t2, true);
      return;
    case workflow::HandoverEvent::kRevert:
      resolveHandover(t2Id, t2, false);
      return;
  }
}

void TaskEffects::startHandover(const std::string& t2Id, const rapidjson::Value& t2) {
  // Without partOf (and none could be inferred) the sender's Task is not held here: the
  // handover is a plain request on the hub's side.
  const auto parent = firstPartOf(t2);
  if (parent.empty()) return;
  auto t1 = loadResource(tx_, "Task", parent.id, true);
  if (!t1) {
    throw FhirError(ErrorKind::kUnprocessable, "business-rule",
                    "Task.partOf names " + parent.text() + ", which does not exist", "Task.partOf");
  }
  workflow::HandoverStart start;
  start.t1Reference = parent.text();
  start.t1 = &t1->doc;
  start.t2 = &t2;
  start.actor = actor_;
  start.actorOnT1 = workflow::rolesOf(actor_, t1->doc, resolver_);
  if (actor_.checked()) {
    start.requesterIsT1Owner = intersects(resolver_.organisationsOf(member(t2, "requester")),
                                          resolver_.organisationsOf(member(t1->doc, "owner")));
  }
  workflow::checkHandoverStart(start);
  rapidjson::Document next = copyOf(t1->doc);
  workflow::markHandoverPending(next, "Task/" + t2Id, workflow::handoverDeadline(t2));
  writeTask(parent.id, *t1, next);
}

void TaskEffects::resolveHandover(const std::string& t2Id, const rapidjson::Value& t2,
                                  bool accepted) {
  const auto parent = firstPartOf(t2);
  if (parent.empty()) return;
  auto t1 = loadResource(tx_, "Task", parent.id, true);
  if (!t1 || workflow::pendingHandoverOf(t1->doc) != "Task/" + t2Id) return;
  rapidjson::Document next = copyOf(t1->doc);
  if (accepted) {
    workflow::markHandedOver(next, "Task/" + t2Id);
  } else {
    const auto previous = businessStatusBeforeHandover(tx_, parent.id, t1->version.versionId);
    workflow::revertHandover(next, "Task/" + t2Id,
                             std::string("was ") + fhir::getString(t2, "status"),
                             member(t2, "statusReason"), previous.get());
  }
  writeTask(parent.id, *t1, next);
}

// A Task changed by the adapter: kept elements maintained, written, and its own effects.
void TaskEffects::writeTask(const std::string& id, const ParsedResource& before,
                            rapidjson::Document& next) {
  workflow::maintainTask(next, &before.doc, Actor::adapter(), api_.clock.now());
  writeFollowOn(api_, tx_, "Task", id, next, before.version, "PUT");
  apply(id, &before.doc, next);
}

void TaskEffects::followReferral(std::optional<TaskStatus> from, TaskStatus to,
                                 const rapidjson::Value& task) {
  if (from == to) return;
  if (to != TaskStatus::kCompleted && to != TaskStatus::kCancelled) return;
  const auto focus = workflow::localReference(member(task, "focus"));
  if (focus.type != "ServiceRequest") return;
  // A sub-task of a Task with the same focus leaves the referral to its parent; a warm
  // handover is the exception: it takes the referral over.
  if (!workflow::isWarmHandover(task)) {
    if (const auto parent = firstPartOf(task); !parent.empty()) {
      auto parentTask = loadResource(tx_, "Task", parent.id, false);
      if (parentTask &&
          workflow::localReference(member(parentTask->doc, "focus")).text() == focus.text()) {
        return;
      }
    }
  }
  auto referral = loadResource(tx_, "ServiceRequest", focus.id, true);
  if (!referral) return;
  const auto next =
      workflow::followingStatus(task, from, to, fhir::getString(referral->doc, "status"));
  if (!next) return;
  setString(referral->doc, "status", *next);
  writeFollowOn(api_, tx_, "ServiceRequest", focus.id, referral->doc, referral->version, "PUT");
}

}  // namespace sp::services
