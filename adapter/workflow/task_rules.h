// The rules a partner's write of a Task must keep, and the elements the adapter keeps itself.
// Pure: the caller supplies the stored version, the roles of the acting organisation and the
// time. Thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "fhir/ids.h"
#include "workflow/actor.h"
#include "workflow/task_status.h"

namespace sp::workflow {

// One write of a Task by a partner.
struct TaskWrite {
  std::string reference;                     // "Task/<id>", for messages
  const rapidjson::Value* before = nullptr;  // the stored (locked) version; null for a create
  const rapidjson::Value* after = nullptr;   // the version being written
  Actor actor;
  Roles rolesBefore;  // what the actor is to `before` (a create: to `after`)
  Roles rolesAfter;   // what the actor is to `after` (differs from rolesBefore on a pool claim)
  // False when the warm handover `before` waits for is gone or no longer pending (its Task was
  // deleted): then the Task is not held still.
  bool handoverStillPending = true;
};

// Checks a partner's write. Throws fhir::FhirError:
//  - kConflict (409, issue code business-rule): a status move the machine has not, or made by a
//    party who may not make it (the diagnostics list the moves from the current status and who
//    may make each); a change of for, focus, requester or code; a change of owner other than
//    the one pool claim; a businessStatus change outside an active Task, by anyone but the
//    owner, or to a code the adapter keeps (handover-pending, handed-over); any move of a Task
//    waiting for a warm handover; a create in a status a Task cannot start in.
//  - kUnprocessable (422, issue code required): a move to rejected, cancelled, on-hold or
//    failed without a statusReason of its own (the one left from the previous status is not).
//  - kForbidden (403): a change by an organisation that is neither requester, owner nor
//    creator of the Task.
// Writes whose status is not a Task status code are left to the validator.
void checkTaskWrite(const TaskWrite& write);

// Sets what the adapter keeps on a Task being written, replacing whatever the client sent:
//  - the created-by tag in meta.tag: on create the acting organisation's ODS code (none for an
//    unchecked caller), on update carried over from `before`;
//  - on update, lastModified: `now`; executionPeriod: carried over from `before`, start set
//    when the Task first goes in-progress, end when it finishes after being accepted.
// On create the creator's lastModified and executionPeriod stand as sent (a Task may be
// recorded after the fact); the adapter keeps them from the first update on.
// `before` is the stored version (null for a create).
void maintainTask(rapidjson::Document& task, const rapidjson::Value* before, const Actor& actor,
                  fhir::TimePoint now);

// Task.status of a Task, if it is a Task status code.
std::optional<TaskStatus> statusOf(const rapidjson::Value& task);
// True when Task.code is the project's warm-handover code.
bool isWarmHandover(const rapidjson::Value& task);
// The businessStatus code in the project's CodeSystem, or "".
std::string businessStatusOf(const rapidjson::Value& task);

}  // namespace sp::workflow
