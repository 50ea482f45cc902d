#include "security/access_rule.h"

#include <algorithm>
#include <optional>

#include "fhir/json.h"
#include "security/access_policy.h"
#include "workflow/references.h"
#include "workflow/task_rules.h"
#include "workflow/task_status.h"
#include "workflow/vocabulary.h"

namespace sp::security {
namespace {

using workflow::TaskStatus;

std::optional<TaskStatus> taskStatus(const rapidjson::Value* task) {
  if (!task) return std::nullopt;
  return workflow::parseTaskStatus(fhir::getString(*task, "status"));
}

// The states in which the owner has taken the Task on (and keeps it, finished or not).
bool takenOn(std::optional<TaskStatus> s) {
  return s && (*s == TaskStatus::kAccepted || *s == TaskStatus::kInProgress ||
               *s == TaskStatus::kOnHold || *s == TaskStatus::kCompleted);
}

// Nothing accepted yet: a cancellation now ends the owner's access.
bool notYetTakenOn(std::optional<TaskStatus> s) {
  return !s || *s == TaskStatus::kDraft || *s == TaskStatus::kRequested ||
         *s == TaskStatus::kReceived || *s == TaskStatus::kReady;
}

bool handedOver(const rapidjson::Value* task) {
  return task && taskStatus(task) == TaskStatus::kCompleted &&
         workflow::businessStatusOf(*task) == workflow::kHandedOver;
}

void addRecord(std::vector<RecordKey>& out, const rapidjson::Value* reference) {
  const auto ref = workflow::localReference(reference);
  if (!ref.empty() && !ref.id.empty() && categoryOf(ref.type) == Category::kRecord &&
      ref.type != "AuditEvent") {
    out.push_back({ref.type, ref.id});
  }
}

// What a referral carries to the owner that takes its Task on: subject, supporting
// information, reasons, and the earlier Tasks' outcomes.
std::vector<RecordKey> carried(const std::string& referralKey, const rapidjson::Value& referral,
                               const std::vector<const rapidjson::Value*>& earlierTasks) {
  std::vector<RecordKey> out;
  const auto key = workflow::parseReference(referralKey);
  out.push_back({key.type, key.id});
  addRecord(out, fhir::findMember(referral, "subject"));
  for (const rapidjson::Value* info : workflow::elements(referral, "supportingInfo")) {
    addRecord(out, info);
  }
  for (const rapidjson::Value* reason : workflow::elements(referral, "reasonReference")) {
    addRecord(out, reason);
  }
  for (const rapidjson::Value* task : earlierTasks) {
    for (const rapidjson::Value* output : workflow::elements(*task, "output")) {
      addRecord(out, fhir::findMember(*output, "valueReference"));
    }
  }
  return out;
}

std::set<std::string> withBasis(const std::vector<Party>& parties, const char* basis) {
  std::set<std::string> out;
  for (const Party& p : parties) {
    if (p.basis == basis) out.insert(p.odsCode);
  }
  return out;
}

}  // namespace

std::string referralKeyOf(const std::string& type, const std::string& id,
                          const rapidjson::Value& resource) {
  if (type == "ServiceRequest") return "ServiceRequest/" + id;
  if (type != "Task") return "";
  const auto focus = workflow::localReference(fhir::findMember(resource, "focus"));
  return focus.type == "ServiceRequest" && !focus.id.empty() ? focus.text() : "";
}

std::vector<RecordKey> earlierTaskKeys(const std::string& type, const rapidjson::Value& resource) {
  std::vector<RecordKey> out;
  if (type != "Task") return out;
  for (const rapidjson::Value* parent : workflow::elements(resource, "partOf")) {
    const auto ref = workflow::localReference(parent);
    if (ref.type == "Task" && !ref.id.empty()) out.push_back({ref.type, ref.id});
  }
  return out;
}

AccessChange accessChange(const std::string& type, const std::string& id,
                          const rapidjson::Value& resource, const WorkContext& context,
                          workflow::OrganisationResolver& resolver) {
  AccessChange change;
  if (type != "ServiceRequest" && type != "Task" && type != "Communication") return change;
  const std::string own = type + "/" + id;
  const std::string referral = referralKeyOf(type, id, resource);
  change.via = referral.empty() ? own : referral;

  std::vector<Party> parties = partiesOf(type, resource, resolver);
  parties.insert(parties.end(), context.moreParties.begin(), context.moreParties.end());
  const std::set<std::string> owners = withBasis(parties, kOwner);

  // The referral's requester keeps its access whatever happens to the Tasks.
  std::set<std::string> keepers;
  if (type == "ServiceRequest") {
    keepers = withBasis(parties, kRequester);
  } else if (context.referral) {
    keepers = resolver.organisationsOf(fhir::findMember(*context.referral, "requester"));
    // ... and follows every Task that acts on its referral (closed-loop referral: Gravity SDOH's
    // Tasks name a practitioner as requester, whom the hub may not know).
    if (type == "Task") {
      for (const std::string& keeper : keepers) parties.push_back({keeper, kRequester});
    }
  }

  if (type == "Task") {
    const auto from = taskStatus(context.before);
    const auto to = taskStatus(&resource);
    const bool endsNow = (to == TaskStatus::kRejected && from != TaskStatus::kRejected) ||
                         (to == TaskStatus::kCancelled && notYetTakenOn(from)) ||
                         (handedOver(&resource) && !handedOver(context.before));
    for (const std::string& owner : owners) {
      if (endsNow && keepers.count(owner) == 0) change.end.push_back(owner);
      if (!endsNow && takenOn(to) && !takenOn(from) && context.ended.count(owner) > 0) {
        change.resume.push_back(owner);
      }
    }
  }
  std::set<std::string> ended = context.ended;
  for (const std::string& o : change.resume) ended.erase(o);
  ended.insert(change.end.begin(), change.end.end());
  const auto cut = [&](const std::string& organisation) {
    return ended.count(organisation) > 0 && keepers.count(organisation) == 0;
  };

  const std::vector<RecordKey> referenced = referencedRecords(resource);
  for (const Party& party : parties) {
    // A party always sees the Task it is party to (to accept it, or to know how it ended);
    // what it reaches through the referral follows the rule above.
    if (type == "Task" || !cut(party.odsCode)) {
      change.grants.push_back({type, id, party.odsCode, party.basis, own});
    }
    if (cut(party.odsCode)) continue;
    for (const RecordKey& record : referenced) {
      change.grants.push_back({record.type, record.id, party.odsCode, party.basis, change.via});
    }
  }
  if (type == "Task" && context.referral && takenOn(taskStatus(&resource))) {
    const auto records = carried(referral, *context.referral, context.earlierTasks);
    for (const std::string& owner : owners) {
      if (cut(owner)) continue;
      for (const RecordKey& record : records) {
        change.grants.push_back({record.type, record.id, owner, kOwner, change.via});
      }
    }
  }
  return change;
}

}  // namespace sp::security
