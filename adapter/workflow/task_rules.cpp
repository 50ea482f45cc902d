#include "workflow/task_rules.h"

#include <vector>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "workflow/references.h"
#include "workflow/vocabulary.h"

namespace sp::workflow {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;
using fhir::Issue;
using fhir::Severity;

[[noreturn]] void conflict(const std::string& diagnostics, const std::string& expression) {
  throw FhirError(ErrorKind::kConflict, "business-rule", diagnostics, expression);
}

std::string rolesText(const Actor& actor, const Roles& roles) {
  std::vector<std::string> parts;
  if (roles.requester) parts.push_back("requester");
  if (roles.owner) parts.push_back("owner");
  if (roles.creator) parts.push_back("creator");
  std::string text = actor.describe() + " is ";
  if (parts.empty()) return text + "neither its requester, its owner nor its creator";
  text += "its ";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) text += i + 1 == parts.size() ? " and " : ", ";
    text += parts[i];
  }
  return text + " only";
}

// Compared by the project's code in `system` when either side has one: a partner's own coding
// beside it (added when the partner reads, translated back when it writes) changes nothing.
bool sameConcept(const rapidjson::Value* a, const rapidjson::Value* b, const char* system) {
  const std::string codeA = codeIn(a, system);
  const std::string codeB = codeIn(b, system);
  if (!codeA.empty() || !codeB.empty()) return codeA == codeB;
  return conceptTokens(a) == conceptTokens(b);
}

const rapidjson::Value* member(const rapidjson::Value* object, const char* name) {
  return object ? fhir::findMember(*object, name) : nullptr;
}

bool isReservedBusinessStatus(const std::string& code) {
  return code == kHandoverPending || code == kHandedOver;
}

void checkImmutable(const TaskWrite& w) {
  for (const char* name : {"for", "focus", "requester"}) {
    if (referenceKey(member(w.before, name)) != referenceKey(member(w.after, name))) {
      conflict(w.reference + ": Task." + name +
                   " cannot change once the Task exists; make a new Task instead",
               std::string("Task.") + name);
    }
  }
  if (!sameConcept(member(w.before, "code"), member(w.after, "code"), kTaskCodeSystem)) {
    conflict(
        w.reference + ": Task.code cannot change once the Task exists; make a new Task instead",
        "Task.code");
  }
}

void checkOwner(const TaskWrite& w) {
  const std::string before = referenceKey(member(w.before, "owner"));
  const std::string after = referenceKey(member(w.after, "owner"));
  if (before == after) return;
  if (!before.empty()) {
    conflict(w.reference + ": Task.owner cannot change once set (it is " +
                 fhir::getString(*member(w.before, "owner"), "reference") +
                 (after.empty() ? "" : ", and this write names another") +
                 "); a pool Task is claimed only once; make a new Task instead",
             "Task.owner");
  }
  // The pool claim: an organisation claims for itself, or the requester assigns the Task.
  if (w.actor.checked() && !w.rolesAfter.owner && !w.rolesBefore.requester) {
    conflict(w.reference +
                 ": a pool Task is claimed by an organisation for itself (owner naming "
                 "the caller's own organisation) or assigned by its requester; " +
                 rolesText(w.actor, w.rolesBefore),
             "Task.owner");
  }
}

void checkFrozenByHandover(const TaskWrite& w, TaskStatus from, TaskStatus to) {
  if (businessStatusOf(*w.before) != kHandoverPending || !w.handoverStillPending) return;
  if (from == to && sameConcept(member(w.before, "businessStatus"),
                                member(w.after, "businessStatus"), kBusinessStatusSystem)) {
    return;
  }
  std::string why;
  if (const auto* reason = member(w.before, "statusReason"); reason && reason->IsObject()) {
    why = fhir::getString(*reason, "text");
  }
  conflict(w.reference + " waits for a warm handover (" + (why.empty() ? "handover pending" : why) +
               "): its status and businessStatus stay as they are until the receiver accepts or "
               "rejects the handover Task, or it is cancelled or expires",
           "Task.status");
}

void checkMove(const TaskWrite& w, TaskStatus from, TaskStatus to) {
  if (from == to) return;
  const auto move = findMove(from, to);
  if (!move) {
    conflict(w.reference + ": " + statusCode(from) + " -> " + statusCode(to) +
                 " is not a move of the referral workflow. " + describeMovesFrom(from),
             "Task.status");
  }
  // Owner moves are judged against the owner after the write, so a claim and its acceptance
  // can come in one update; the requester and creator cannot change.
  const Roles effective{w.rolesBefore.requester, w.rolesAfter.owner, w.rolesBefore.creator};
  if (w.actor.checked() && !mayMove(move->who, effective)) {
    conflict(w.reference + ": " + statusCode(from) + " -> " + statusCode(to) +
                 " may be made only by " + describeMover(move->who) + ", and " +
                 rolesText(w.actor, effective) + ". " + describeMovesFrom(from),
             "Task.status");
  }
}

// A move to rejected, cancelled, on-hold or failed says why: a statusReason, and not merely
// the one the Task already had for its previous status.
void requireReason(const TaskWrite& w, TaskStatus from, TaskStatus to) {
  if (!needsReason(to)) return;
  const rapidjson::Value* reason = member(w.after, "statusReason");
  const rapidjson::Value* previous = member(w.before, "statusReason");
  const bool stale = reason && previous && fhir::writeJson(*reason) == fhir::writeJson(*previous);
  if (hasContent(reason) && !stale) return;
  throw FhirError(
      ErrorKind::kUnprocessable, "required",
      w.reference + ": a Task that is " + statusCode(to) + " needs a statusReason saying why" +
          (stale
               ? std::string(" (the one it has was given when it became ") + statusCode(from) + ")"
               : std::string()),
      "Task.statusReason");
}

void checkBusinessStatus(const TaskWrite& w, std::optional<TaskStatus> from) {
  const rapidjson::Value* before = member(w.before, "businessStatus");
  const rapidjson::Value* after = member(w.after, "businessStatus");
  if (w.before && sameConcept(before, after, kBusinessStatusSystem)) return;
  if (!w.before && !after) return;
  const std::string code = codeIn(after, kBusinessStatusSystem);
  if (isReservedBusinessStatus(code)) {
    conflict(w.reference + ": businessStatus " + code +
                 " is set by the adapter during a warm handover, not by partners",
             "Task.businessStatus");
  }
  if (!w.before) return;
  if (from && !isActive(*from)) {
    conflict(w.reference +
                 ": businessStatus may change only while the Task is active "
                 "(requested, received, accepted, in-progress or on-hold), and it is " +
                 statusCode(*from),
             "Task.businessStatus");
  }
  if (w.actor.checked() && !w.rolesAfter.owner) {
    conflict(w.reference + ": businessStatus is reported by the owner, and " +
                 rolesText(w.actor, w.rolesAfter),
             "Task.businessStatus");
  }
}

void checkCreate(const TaskWrite& w, TaskStatus status) {
  const auto mover = creatorOf(status);
  if (!mover) {
    conflict(w.reference + ": a Task cannot be created as " + statusCode(status) + "; " +
                 describeCreatableStatuses(),
             "Task.status");
  }
  if (w.actor.checked() && !mayMove(*mover, w.rolesAfter)) {
    conflict(w.reference + ": only " + describeMover(*mover) + " may create a Task as " +
                 statusCode(status) + ", and " + rolesText(w.actor, w.rolesAfter) + "; " +
                 describeCreatableStatuses(),
             "Task.status");
  }
  requireReason(w, status, status);
  checkBusinessStatus(w, std::nullopt);
}

void setLastModified(rapidjson::Document& task, fhir::TimePoint now) {
  fhir::setMember(task, "lastModified",
                  fhir::makeString(fhir::formatInstant(now), task.GetAllocator()),
                  task.GetAllocator());
}

void keepExecutionPeriod(rapidjson::Document& task, const rapidjson::Value* before,
                         fhir::TimePoint now) {
  auto& a = task.GetAllocator();
  rapidjson::Value period(rapidjson::kObjectType);
  if (const auto* old = member(before, "executionPeriod"); old && old->IsObject()) {
    period.CopyFrom(*old, a);
  }
  const auto to = statusOf(task);
  const auto from = before ? statusOf(*before) : std::nullopt;
  if (to && to != from) {
    const std::string instant = fhir::formatInstant(now);
    if (*to == TaskStatus::kInProgress && !fhir::findMember(period, "start")) {
      fhir::setMember(period, "start", fhir::makeString(instant, a), a);
    }
    const bool wasHeld = from ? holdsPlace(*from) : false;
    if (isFinished(*to) && wasHeld && !fhir::findMember(period, "end")) {
      fhir::setMember(period, "end", fhir::makeString(instant, a), a);
    }
  }
  if (period.MemberCount() == 0) {
    fhir::removeMember(task, "executionPeriod");
  } else {
    fhir::setMember(task, "executionPeriod", std::move(period), a);
  }
}

void keepCreatorTag(rapidjson::Document& task, const rapidjson::Value* before, const Actor& actor) {
  auto& a = task.GetAllocator();
  const std::string creator =
      before ? creatorOf(*before) : (actor.checked() ? actor.odsCode : std::string());
  rapidjson::Value* meta = fhir::findMember(task, "meta") ? &task["meta"] : nullptr;
  if (meta && !meta->IsObject()) meta = nullptr;
  if (meta) {
    if (auto tags = meta->FindMember("tag"); tags != meta->MemberEnd() && tags->value.IsArray()) {
      auto& list = tags->value;
      for (auto it = list.Begin(); it != list.End();) {
        if (it->IsObject() && fhir::getString(*it, "system") == kCreatedByTagSystem) {
          it = list.Erase(it);
        } else {
          ++it;
        }
      }
      if (list.Empty()) fhir::removeMember(*meta, "tag");
    }
  }
  if (creator.empty()) return;
  if (!meta) {
    fhir::setMember(task, "meta", rapidjson::Value(rapidjson::kObjectType), a);
    meta = &task["meta"];
  }
  if (!fhir::findMember(*meta, "tag") || !(*meta)["tag"].IsArray()) {
    fhir::setMember(*meta, "tag", rapidjson::Value(rapidjson::kArrayType), a);
  }
  rapidjson::Value tag(rapidjson::kObjectType);
  tag.AddMember("system", fhir::makeString(kCreatedByTagSystem, a), a);
  tag.AddMember("code", fhir::makeString(creator, a), a);
  tag.AddMember("display", fhir::makeString("Created by organisation " + creator, a), a);
  (*meta)["tag"].PushBack(tag, a);
}

}  // namespace

std::optional<TaskStatus> statusOf(const rapidjson::Value& task) {
  return parseTaskStatus(fhir::getString(task, "status"));
}

bool isWarmHandover(const rapidjson::Value& task) {
  return codeIn(fhir::findMember(task, "code"), kTaskCodeSystem) == kWarmHandover;
}

std::string businessStatusOf(const rapidjson::Value& task) {
  return codeIn(fhir::findMember(task, "businessStatus"), kBusinessStatusSystem);
}

void checkTaskWrite(const TaskWrite& w) {
  const auto to = statusOf(*w.after);
  if (!to) return;  // not a Task status: the validator answers 422
  if (!w.before) {
    checkCreate(w, *to);
    return;
  }
  if (w.actor.checked() && !w.rolesBefore.any() && !w.rolesAfter.owner) {
    throw FhirError(ErrorKind::kForbidden, "forbidden",
                    w.reference +
                        ": only its requester, its owner or its creator may change it, "
                        "or an organisation claiming it from the pool; " +
                        rolesText(w.actor, w.rolesBefore),
                    "Task");
  }
  checkImmutable(w);
  checkOwner(w);
  const auto from = statusOf(*w.before);
  if (from) {
    checkFrozenByHandover(w, *from, *to);
    checkMove(w, *from, *to);
    if (*from != *to) requireReason(w, *from, *to);
  }
  checkBusinessStatus(w, from);
}

void maintainTask(rapidjson::Document& task, const rapidjson::Value* before, const Actor& actor,
                  fhir::TimePoint now) {
  if (!task.IsObject()) return;
  keepCreatorTag(task, before, actor);
  if (!before) return;  // the creator's own record stands
  setLastModified(task, now);
  keepExecutionPeriod(task, before, now);
}

}  // namespace sp::workflow
