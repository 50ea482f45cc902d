// The effects of one Task move, in the transaction that makes it: a place taken or given back at
// the Task's service, the warm handover of the Task it is partOf (started, accepted or
// reverted), and the referral following its Task (completed or revoked). The adapter's own
// writes go through writeFollowOn (services/workflow_support.h) and their effects follow in
// turn. Row locks are taken in one order: the Task, its service, the Task it hands over, that
// Task's service, the referral. One per write; not shared between threads.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "rest/interactions.h"
#include "rest/organisation_resolver.h"
#include "services/stored_resource.h"
#include "services/workflow_settings.h"
#include "services/workflow_support.h"
#include "workflow/actor.h"
#include "workflow/task_status.h"

namespace sp::services {

class TaskEffects {
 public:
  TaskEffects(const rest::ApiContext& api, store::StoreTransaction& tx,
              const WorkflowSettings& settings, workflow::Actor actor);

  workflow::OrganisationResolver& resolver() { return resolver_; }

  // Applies the move of Task/`id` from `before` (null: created) to `after`. Throws FhirError
  // (CapacityRefused for want of a place, 422 for a handover of a Task that does not exist).
  void apply(const std::string& id, const rapidjson::Value* before, const rapidjson::Value& after);

 private:
  using TaskStatus = workflow::TaskStatus;
  void places(const std::string& id, std::optional<TaskStatus> from, TaskStatus to,
              const rapidjson::Value& task);
  void handover(const std::string& t2Id, std::optional<TaskStatus> from, TaskStatus to,
                const rapidjson::Value& t2);
  void startHandover(const std::string& t2Id, const rapidjson::Value& t2);
  void resolveHandover(const std::string& t2Id, const rapidjson::Value& t2, bool accepted);
  // A Task changed by the adapter: kept elements maintained, written, and its own effects.
  void writeTask(const std::string& id, const ParsedResource& before, rapidjson::Document& next);
  void followReferral(std::optional<TaskStatus> from, TaskStatus to, const rapidjson::Value& task);

  const rest::ApiContext& api_;
  store::StoreTransaction& tx_;
  const WorkflowSettings& settings_;
  workflow::Actor actor_;
  rest::StoreOrganisationResolver resolver_;
};

}  // namespace sp::services
