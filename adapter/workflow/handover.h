// Warm handover between two owners (see docs/workflow.md).
//
// The sender owns T1 (in-progress). It asks a receiver to take the person over with a Task T2
// (code warm-handover, focus and for as T1, partOf T1, requester the sender, owner the
// receiver). While T2 is pending (requested or received) T1 stays with the sender, on-hold
// with businessStatus handover-pending, and nobody may move it. Then, in the transaction that
// moves T2:
//   T2 accepted                                   -> T1 completed, businessStatus handed-over
//   T2 rejected, cancelled or entered-in-error,   -> T1 in-progress again, its businessStatus
//   or not accepted before its deadline              as before, statusReason saying why
// So at every moment exactly one side believes it holds the person. Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "fhir/ids.h"
#include "workflow/actor.h"
#include "workflow/task_status.h"

namespace sp::workflow {

enum class HandoverEvent {
  kNone,
  kStart,   // T2 becomes pending: T1 goes on hold
  kAccept,  // T2 accepted: T1 completes as handed over
  kRevert,  // T2 ends without acceptance: T1 goes back to in-progress
};

bool isPendingHandoverStatus(TaskStatus status);  // requested, received
// What a move of a warm-handover Task T2 means for T1 (`before` absent for a create).
HandoverEvent handoverEvent(std::optional<TaskStatus> before, TaskStatus after);

// T2's acceptance deadline (restriction.period.end), if it has one.
std::optional<fhir::TimePoint> handoverDeadline(const rapidjson::Value& t2);
// Sets T2's deadline (restriction.period.end) to `deadline`, keeping the rest of restriction.
void setHandoverDeadline(rapidjson::Document& t2, fhir::TimePoint deadline);

// Refuses (409, business-rule) the acceptance of T2 after its deadline, naming it.
void checkNotExpired(const std::string& t2Reference, const rapidjson::Value& t2,
                     fhir::TimePoint now);

// Checks that T2 may hand over T1; throws fhir::FhirError:
//  409 when T1 is not in-progress, already waits for a handover, or the actor is not T1's
//      owner; 422 when T2's for or focus differ from T1's, or (for a checked actor) T2's
//      requester is not T1's owner organisation.
struct HandoverStart {
  std::string t1Reference;
  const rapidjson::Value* t1 = nullptr;
  const rapidjson::Value* t2 = nullptr;
  Actor actor;
  Roles actorOnT1;
  bool requesterIsT1Owner = true;  // T2's requester resolves to an organisation owning T1
};
void checkHandoverStart(const HandoverStart& start);

// T1 while T2 is pending: on-hold, businessStatus handover-pending, statusReason naming T2.
void markHandoverPending(rapidjson::Document& t1, const std::string& t2Reference,
                         std::optional<fhir::TimePoint> deadline);
// T1 once T2 is accepted: completed, businessStatus handed-over, an output naming T2.
void markHandedOver(rapidjson::Document& t1, const std::string& t2Reference);
// T1 when T2 ends without acceptance: in-progress, businessStatus `previousBusinessStatus`
// (removed when null), statusReason saying why (`t2Reason`: T2's statusReason, may be null).
void revertHandover(rapidjson::Document& t1, const std::string& t2Reference,
                    const std::string& what, const rapidjson::Value* t2Reason,
                    const rapidjson::Value* previousBusinessStatus);

// The handover Task T1 waits for ("Task/<id>", from its statusReason), or "" when T1 is not
// waiting for one.
std::string pendingHandoverOf(const rapidjson::Value& t1);

}  // namespace sp::workflow
