#include "services/workflow_support.h"

#include "fhir/json.h"
#include "rest/resource_write.h"
#include "services/directory_search.h"
#include "workflow/references.h"
#include "workflow/referral.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;
using fhir::Issue;
using fhir::Severity;
using workflow::TaskStatus;

namespace {

// How far a walk through warm handovers may go before giving up.
constexpr int kMaxChain = 10;

std::string joined(const std::set<std::string>& values, const char* separator) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : separator) + v;
  return out;
}

}  // namespace

workflow::Actor actorOf(const security::Caller& caller) {
  if (caller.odsCode.empty()) return workflow::Actor::unchecked();
  return workflow::Actor::organisation(caller.odsCode);
}

rapidjson::Document copyOf(const rapidjson::Value& value) {
  rapidjson::Document doc;
  doc.CopyFrom(value, doc.GetAllocator());
  return doc;
}

store::ResourceVersion writeFollowOn(const rest::ApiContext& api, store::StoreTransaction& tx,
                                     const std::string& type, const std::string& id,
                                     rapidjson::Document& resource,
                                     const std::optional<store::ResourceVersion>& previous,
                                     const std::string& method) {
  rest::ApiContext bare = api;
  bare.rules = api.followOnRules;
  rest::InteractionInput in;
  rest::InteractionResult result;
  rest::writeVersion(bare, tx, type, id, resource, previous, method, in, result);
  return *result.version;
}

void setString(rapidjson::Document& doc, const char* name, const std::string& value) {
  fhir::setMember(doc, name, fhir::makeString(value, doc.GetAllocator()), doc.GetAllocator());
}

const rapidjson::Value* member(const rapidjson::Value& object, const char* name) {
  return fhir::findMember(object, name);
}

workflow::LocalReference firstPartOf(const rapidjson::Value& task) {
  for (const rapidjson::Value* ref : workflow::elements(task, "partOf")) {
    const auto local = workflow::localReference(ref);
    if (local.type == "Task") return local;
  }
  return {};
}

bool intersects(const std::set<std::string>& a, const std::set<std::string>& b) {
  for (const auto& x : a) {
    if (b.count(x)) return true;
  }
  return false;
}

// The Task that holds a referral now: the adapter's Task for it, followed through accepted
// warm handovers (a Task completed as handed over names its successor in output). "" if none.
std::string holderTaskOf(store::StoreTransaction& tx, const std::string& serviceRequestId) {
  std::string id = workflow::referralTaskId(serviceRequestId);
  for (int step = 0; step < kMaxChain; ++step) {
    auto task = loadResource(tx, "Task", id, false);
    if (!task) return "";
    if (workflow::statusOf(task->doc) != TaskStatus::kCompleted ||
        workflow::businessStatusOf(task->doc) != workflow::kHandedOver) {
      return id;
    }
    std::string next;
    for (const rapidjson::Value* output : workflow::elements(task->doc, "output")) {
      const auto ref = workflow::localReference(member(*output, "valueReference"));
      if (ref.type == "Task") next = ref.id;
    }
    if (next.empty()) return id;
    id = next;
  }
  return "";
}

// The HealthcareService whose places a Task uses: its owner when that is a HealthcareService;
// otherwise, for a referral Task, the HealthcareService performing the referral it acts on.
std::string serviceOfTask(store::StoreTransaction& tx, const rapidjson::Value& task) {
  const auto owner = workflow::localReference(member(task, "owner"));
  if (owner.type == "HealthcareService") return owner.id;
  if (workflow::isWarmHandover(task)) return "";
  const auto focus = workflow::localReference(member(task, "focus"));
  if (focus.type != "ServiceRequest") return "";
  auto referral = loadResource(tx, "ServiceRequest", focus.id, false);
  if (!referral) return "";
  const auto performer = workflow::localReference(workflow::firstPerformer(referral->doc));
  return performer.type == "HealthcareService" ? performer.id : "";
}

// What a refusal at `serviceId` is about: the referral (its id) and what was refused.
store::CapacityRefusal refusalAt(const rest::ApiContext& api, const std::string& serviceId,
                                 const std::string& referralId, const char* refused) {
  store::CapacityRefusal r;
  r.atMillis =
      std::chrono::duration_cast<std::chrono::milliseconds>(api.clock.now().time_since_epoch())
          .count();
  r.serviceId = serviceId;
  r.referralId = referralId;
  r.refused = refused;
  return r;
}

// The 409 for a service without a free place: why, the alternatives, and where to find more;
// recorded as `refusal` (services/capacity_refusal.h).
CapacityRefused noRoomError(const rest::ApiContext& api, store::StoreTransaction& tx,
                            const std::string& serviceId, const rapidjson::Value& service,
                            const workflow::Capacity& capacity, const rapidjson::Value* referral,
                            const std::string& patientId, const std::string& what,
                            const std::string& expression, std::size_t limit,
                            store::CapacityRefusal refusal) {
  std::vector<Issue> issues;
  const std::string name = fhir::getString(service, "name");
  issues.push_back({Severity::kError, "business-rule",
                    "HealthcareService/" + serviceId + (name.empty() ? "" : " (" + name + ")") +
                        " has no free place (" + workflow::describeCapacity(capacity) +
                        "): " + what + " is refused at once, not queued. Choose another service",
                    expression});
  const workflow::PersonNeeds person = personNeeds(tx, referral, patientId);
  const auto alternatives = findAlternatives(api, tx, serviceId, service, person, limit);
  for (const auto& alternative : alternatives) {
    issues.push_back(
        {Severity::kInformation, "informational",
         "Alternative with a free place: " + workflow::describeAlternative(alternative), ""});
  }
  if (alternatives.empty()) {
    issues.push_back({Severity::kInformation, "informational",
                      "No other active service of the same kind that serves this person's "
                      "cohort and area has a free place now",
                      ""});
  }
  std::string link = "HealthcareService/$alternatives?service=" + serviceId;
  if (!patientId.empty()) link += "&patient=" + patientId;
  if (!person.cohorts.empty()) link += "&cohort=" + joined(person.cohorts, ",");
  issues.push_back(
      {Severity::kInformation, "informational", "Alternatives, nearest first: GET " + link, ""});
  return CapacityRefused(FhirError(ErrorKind::kConflict, std::move(issues)), std::move(refusal));
}

std::string patientIdOf(const rapidjson::Value* reference) {
  const auto local = workflow::localReference(reference);
  return local.type == "Patient" ? local.id : "";
}

}  // namespace sp::services
