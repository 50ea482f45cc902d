// The referral workflow on the write path (see docs/workflow.md): write rules for Task,
// ServiceRequest and HealthcareService that apply the domain logic of workflow/ to each write,
// and make the follow-on writes in the same store transaction.
//
//  - Task: adapter-kept elements (lastModified, executionPeriod, who created it, a handover's
//    deadline) in beforeWrite; after validation, in afterWrite, the state machine and who may
//    move (409/422/403, see workflow/task_rules.h), then the effects of the move: a place taken
//    or given back at the Task's service, the warm handover of the Task it is partOf, and the
//    referral following its Task (completed or revoked).
//  - ServiceRequest: an active referral with a performer gets its Task (id from
//    workflow::referralTaskId) in the same transaction, refused with 409 and alternatives when
//    the performing service has no free place; onward referrals (basedOn an earlier referral)
//    share its subject and supportingInfo and their Task is partOf the referring Task;
//    re-access (route re-access) points at an earlier, completed referral of the same person.
//  - HealthcareService: free places are kept by the adapter across full updates.
//
// Checks run in afterWrite, after the validator, so malformed data gets the validator's 422
// first; a refusal there rolls the whole transaction back. Follow-on writes go through
// rest::writeVersion without write rules (their effects are applied here, explicitly), so they
// are validated and indexed like any write. Row locks are taken in one order: the Task being
// written, its service, the Task it hands over, that Task's service, the referral.
//
// Thread-safe: the rules keep no state between requests.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "fhir/ids.h"
#include "rest/implicit_acceptance_rule.h"
#include "rest/interactions.h"
#include "rest/write_rules.h"
#include "store/resource_store.h"
#include "workflow/actor.h"
#include "workflow/alternatives.h"

namespace sp::rest {

// Who acts in a write. This is the seam the security issue fills: it supplies its own
// ActorSource (from its model of callers) and nothing else in the workflow changes.
class ActorSource {
 public:
  virtual ~ActorSource() = default;
  virtual workflow::Actor actorFor(const WriteContext& context) const = 0;
};

// The organisation of the client certificate (its CN, an ODS code). A request without one can
// only come over --plain-http (with TLS the server requires a client certificate), which is for
// local debugging and tests: then the actor is unchecked and only the status rules apply.
class CertificateActors : public ActorSource {
 public:
  workflow::Actor actorFor(const WriteContext& context) const override;
};

// Resolves the organisations behind a Reference by reading the store (rules in
// workflow/actor.h). One per transaction; caches what it read.
class StoreOrganisationResolver : public workflow::OrganisationResolver {
 public:
  explicit StoreOrganisationResolver(store::StoreTransaction& tx) : tx_(tx) {}
  std::set<std::string> organisationsOf(const rapidjson::Value* reference) override;

 private:
  std::set<std::string> resolve(const rapidjson::Value* reference, int depth);
  store::StoreTransaction& tx_;
  std::map<std::string, std::set<std::string>> cache_;
};

struct WorkflowSettings {
  // A warm handover not accepted within this time expires: the sender keeps the person.
  std::chrono::seconds handoverExpiry{std::chrono::hours(72)};
  // How many alternatives a refusal for want of a place lists.
  std::size_t alternativesInOutcome = 5;
};

// The workflow's write rules. Register them with registerIn; they must outlive the API.
class WorkflowRules {
 public:
  WorkflowRules(const ActorSource& actors, WorkflowSettings settings);
  ~WorkflowRules();
  WorkflowRules(const WorkflowRules&) = delete;
  WorkflowRules& operator=(const WorkflowRules&) = delete;

  void registerIn(WriteRules& rules) const;
  const WorkflowSettings& settings() const { return settings_; }

  // Expires the warm handover Task `t2Id` if it is still pending and its deadline has passed:
  // T2 cancelled (statusReason: not accepted in time), T1 back in progress. Runs in `tx` as the
  // adapter. Returns true when it expired the handover.
  bool expireHandover(const ApiContext& api, store::StoreTransaction& tx,
                      const std::string& t2Id) const;

  class TaskRule;
  class ServiceRequestRule;
  class HealthcareServiceRule;

 private:
  const ActorSource& actors_;
  WorkflowSettings settings_;
  ImplicitAcceptanceRule implicitAcceptance_;
  std::unique_ptr<TaskRule> task_;
  std::unique_ptr<ServiceRequestRule> serviceRequest_;
  std::unique_ptr<HealthcareServiceRule> service_;
};

// Expires warm handovers whose deadline passed, every `interval`, on its own thread.
//
// Each pass searches the pending handovers (Task?code=warm-handover&status=requested,received)
// and expires those past their deadline, each in its own transaction that re-checks under the
// row lock, so several processes may sweep the same database. Without search (no indexer in
// the API context) it finds nothing; a late acceptance is still refused, and the sender can
// always cancel its handover.
class HandoverSweeper {
 public:
  HandoverSweeper(store::ResourceStore& store, const ApiContext& api, const WorkflowRules& rules,
                  std::chrono::milliseconds interval);
  ~HandoverSweeper();  // stops the thread
  void start();
  void stop();
  // One pass (what the thread runs each interval). Returns how many handovers it expired.
  std::size_t sweepOnce();

 private:
  store::ResourceStore& store_;
  const ApiContext& api_;
  const WorkflowRules& rules_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// Current resources of `type` matching search `params` (every page, at most `max`), newest
// match order as the store gives it, limited to what `access` lets see when it is set. Empty
// when the API has no search index.
std::vector<store::ResourceVersion> searchCurrent(
    const ApiContext& api, store::StoreTransaction& tx, const std::string& type,
    QueryParams params, std::size_t max, std::optional<store::AccessFilter> access = std::nullopt);

// The alternatives to the full service `fullId` for a person, nearest first: the active services
// with a free place (a search: active=true&has-capacity=true) ranked by workflow::
// rankAlternatives with what their Locations say. Empty when the API has no search index.
std::vector<workflow::Alternative> findAlternatives(
    const ApiContext& api, store::StoreTransaction& tx, const std::string& fullId,
    const rapidjson::Value& fullService, const workflow::PersonNeeds& person, std::size_t limit);
// The person's cohorts (from the referral, if any) and home areas (from the Patient, if any).
workflow::PersonNeeds personNeeds(store::StoreTransaction& tx, const rapidjson::Value* referral,
                                  const std::string& patientId);

// GET HealthcareService/$alternatives: a searchset Bundle of the alternatives, nearest first.
// Parameters: servicerequest=<id> (the service is its HealthcareService performer, the person
// its subject, the cohorts its reasonCode), or service=<id> with optional patient=<id> and
// cohort=<code>[,<code>]; _count (default 10, at most the page limit).
InteractionResult alternativesOperation(const ApiContext& ctx, store::StoreTransaction& tx,
                                        const Route& route, const InteractionInput& in);

}  // namespace sp::rest
