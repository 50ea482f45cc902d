// Referrals (ServiceRequests) and their Tasks: the Task a referral gets when it arrives, the
// id that Task has, onward referrals and re-access, and how a referral follows its Task.
// Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "fhir/ids.h"
#include "workflow/references.h"
#include "workflow/task_status.h"

namespace sp::workflow {

// The id of the Task the adapter makes for ServiceRequest `serviceRequestId`: "<id>-task", or
// for ids too long for that, "task-" and a hash of the id. The same referral always gets the
// same id, so the Task is made once and can be found without a search.
std::string referralTaskId(const std::string& serviceRequestId);

// The referral route code (referral-route extension), or "".
std::string routeOf(const rapidjson::Value& serviceRequest);

// True when the referral asks for a Task: status active and a performer.
bool wantsTask(const rapidjson::Value& serviceRequest);
// The first performer Reference, or null.
const rapidjson::Value* firstPerformer(const rapidjson::Value& serviceRequest);

// The earlier referral a ServiceRequest points at: the first basedOn, or else the first
// replaces, that is a ServiceRequest. Empty when none.
LocalReference earlierReferral(const rapidjson::Value& serviceRequest);

// What the adapter needs to build a referral's Task.
struct ReferralTaskSpec {
  std::string serviceRequestId;
  const rapidjson::Value* serviceRequest = nullptr;
  const rapidjson::Value* owner = nullptr;  // the performer's organisation (a Reference)
  std::string partOf;                       // "Task/<id>" of the parent Task, or ""
  std::string creatorOds;                   // the caller's ODS code, or ""
  fhir::TimePoint now;
};
// The Task: status requested, intent order, code fulfill-referral, profile sp-referral-task,
// focus the ServiceRequest, for its subject, requester its requester, owner as given,
// authoredOn and lastModified now, basedOn the ServiceRequest, partOf when given, the
// created-by tag when a creator is known, and a short narrative.
rapidjson::Document makeReferralTask(const ReferralTaskSpec& spec);

// What a referral becomes when one of its Tasks moves, or nullopt for no change:
// completed when the Task completes (unless it completed by handing the person over), revoked
// when it is cancelled (unless it was a warm handover that had not been accepted). Only a
// referral that is still open (draft, active or on-hold) changes.
std::optional<std::string> followingStatus(const rapidjson::Value& task,
                                           std::optional<TaskStatus> before, TaskStatus after,
                                           const std::string& serviceRequestStatus);

}  // namespace sp::workflow
