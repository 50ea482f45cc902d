#include "services/workflow_rules.h"

#include "fhir/json.h"
#include "services/task_effects.h"
#include "services/workflow_support.h"
#include "workflow/handover.h"
#include "workflow/task_rules.h"

namespace sp::services {

using workflow::Actor;
using workflow::TaskStatus;

WorkflowRules::WorkflowRules(WorkflowSettings settings)
    : settings_(settings), task_(settings_), serviceRequest_(settings_) {}

void WorkflowRules::registerIn(rest::WriteRules& rules) const {
  rules.add("Task", &implicitAcceptance_);  // first: the Task rule then judges the step's successor
  rules.add("Task", &task_);
  rules.add("ServiceRequest", &serviceRequest_);
  rules.add("HealthcareService", &service_);
}

bool WorkflowRules::expireHandover(const rest::ApiContext& api, store::StoreTransaction& tx,
                                   const std::string& t2Id) const {
  auto t2 = loadResource(tx, "Task", t2Id, true);
  if (!t2 || !workflow::isWarmHandover(t2->doc)) return false;
  const auto status = workflow::statusOf(t2->doc);
  const auto deadline = workflow::handoverDeadline(t2->doc);
  const auto now = api.clock.now();
  if (!status || !workflow::isPendingHandoverStatus(*status) || !deadline || now <= *deadline) {
    return false;
  }
  rapidjson::Document next = copyOf(t2->doc);
  auto& a = next.GetAllocator();
  setString(next, "status", workflow::statusCode(TaskStatus::kCancelled));
  rapidjson::Value reason(rapidjson::kObjectType);
  reason.AddMember(
      "text", fhir::makeString("not accepted by its deadline " + fhir::formatInstant(*deadline), a),
      a);
  fhir::setMember(next, "statusReason", std::move(reason), a);
  workflow::maintainTask(next, &t2->doc, Actor::adapter(), now);
  writeFollowOn(api, tx, "Task", t2Id, next, t2->version, "PUT");
  TaskEffects effects(api, tx, settings_, Actor::adapter());
  effects.apply(t2Id, &t2->doc, next);
  return true;
}

}  // namespace sp::services
