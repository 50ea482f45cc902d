// The referral workflow on the write path (docs/workflow.md): the write rules for Task
// (services/task_rule.h), ServiceRequest (service_request_rule.h) and HealthcareService
// (healthcare_service_rule.h), the implicit acceptance before them, and the expiry of a warm
// handover that was not accepted in time (run by services/handover_sweeper.h).
//
// Checks run in afterWrite, after the validator, so malformed data gets the validator's 422
// first; a refusal there rolls the whole transaction back. Follow-on writes go through
// rest::writeVersion with the follow-on rules only (their workflow effects are applied
// explicitly, services/task_effects.h), so they are validated and indexed like any write.
// Thread-safe: the rules keep no state between requests.
#pragma once

#include <string>

#include "rest/interactions.h"
#include "rest/write_rules.h"
#include "services/healthcare_service_rule.h"
#include "services/implicit_acceptance_rule.h"
#include "services/service_request_rule.h"
#include "services/task_rule.h"
#include "services/workflow_settings.h"
#include "store/resource_store.h"

namespace sp::services {

// The workflow's write rules. Register them with registerIn; they must outlive the API.
class WorkflowRules {
 public:
  explicit WorkflowRules(WorkflowSettings settings);
  WorkflowRules(const WorkflowRules&) = delete;
  WorkflowRules& operator=(const WorkflowRules&) = delete;

  void registerIn(rest::WriteRules& rules) const;
  const WorkflowSettings& settings() const { return settings_; }

  // Expires the warm handover Task `t2Id` if it is still pending and its deadline (by the API
  // context's clock) has passed: T2 cancelled (statusReason: not accepted in time), T1 back in
  // progress. Runs in `tx` as the adapter. Returns true when it expired the handover.
  bool expireHandover(const rest::ApiContext& api, store::StoreTransaction& tx,
                      const std::string& t2Id) const;

 private:
  WorkflowSettings settings_;
  ImplicitAcceptanceRule implicitAcceptance_;
  TaskRule task_;
  ServiceRequestRule serviceRequest_;
  HealthcareServiceRule service_;
};

}  // namespace sp::services
