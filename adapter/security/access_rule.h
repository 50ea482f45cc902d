// What a party may read, and when that ends: the one rule behind every access grant
// (docs/security.md, "Access follows the work"). The grants it produces are the only thing the
// store's filter consults, so read, vread, history, search, chains, _has, includes, _total,
// _summary=count, sorting and paging all apply the same rule.
//
//  - Each party of a work record (ServiceRequest, Task, Communication: compartment.h) sees the
//    record and what it references. Grants on what a Task references, and all grants of a
//    ServiceRequest, are made through the referral (`via` "ServiceRequest/<id>"); a grant on a
//    Task itself is made through the Task, and one for any other work record through itself.
//    The referral's requester is a party of every Task acting on the referral.
//  - An owner that takes a Task on (accepted, in progress, on hold, completed: the first write
//    in one of these states) may also read what the Task's referral carries: the referral,
//    its subject, its supporting information, its reasons, and the outcomes (output) of the
//    Tasks the Task is part of. Nothing else.
//  - Access through a referral ends for the owner of a Task that is rejected, that is
//    cancelled before it was taken on, or that completes because it was handed over (warm
//    handover accepted). The referral's requester never loses it. An ended organisation gets
//    no new grants through that referral until it takes one of its Tasks on again.
//  - What an organisation created stays visible to it (its creator grant is through nothing).
// Pure: no I/O; the caller loads the records the rule names (referralKey, earlierTaskKeys).
#pragma once

#include <rapidjson/document.h>

#include <set>
#include <string>
#include <vector>

#include "security/compartment.h"
#include "store/access.h"
#include "workflow/actor.h"

namespace sp::security {

// The referral a work record belongs to, "ServiceRequest/<id>" (a ServiceRequest is its own;
// a Task's is its focus), or empty when it belongs to none.
std::string referralKeyOf(const std::string& type, const std::string& id,
                          const rapidjson::Value& resource);

// The Tasks a Task is part of (partOf), whose outcomes its owner may read once it takes it on.
std::vector<RecordKey> earlierTaskKeys(const std::string& type, const rapidjson::Value& resource);

// What the rule needs besides the record written.
struct WorkContext {
  const rapidjson::Value* before = nullptr;           // the previous version (null: a new record)
  const rapidjson::Value* referral = nullptr;         // the referral (referralKeyOf), when held
  std::vector<const rapidjson::Value*> earlierTasks;  // those of earlierTaskKeys held
  std::vector<Party> moreParties;  // parties the caller knows of (who made a referral)
  std::set<std::string> ended;     // organisations whose access through the referral ended
};

// What one write changes: grants to make, and organisations whose access through `via` ends
// (their grants through it are withdrawn) or resumes (they take the work on again).
struct AccessChange {
  std::string via;
  std::vector<store::AccessGrant> grants;
  std::vector<std::string> end;
  std::vector<std::string> resume;
};

// The change a write of the work record `type`/`id` (now `resource`) makes. Records of other
// types change nothing here (their creator's grant is the caller's).
AccessChange accessChange(const std::string& type, const std::string& id,
                          const rapidjson::Value& resource, const WorkContext& context,
                          workflow::OrganisationResolver& resolver);

}  // namespace sp::security
