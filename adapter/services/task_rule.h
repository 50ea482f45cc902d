// The workflow's rule for Task writes (docs/workflow.md). beforeWrite keeps the adapter's
// elements (lastModified, executionPeriod, who created it, a handover's deadline) and infers the
// Task a warm handover hands over; afterWrite, after validation, checks the state machine and
// who may move (409/422/403, workflow/task_rules.h), refuses a second Task for a referral or
// one for a full service, and applies the move's effects (services/task_effects.h). Register
// it for Task after the mapping rule and the implicit acceptance. Thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "rest/write_rules.h"
#include "services/workflow_settings.h"

namespace sp::services {

class TaskRule : public rest::WriteRule {
 public:
  explicit TaskRule(const WorkflowSettings& settings);
  void beforeWrite(rapidjson::Document& resource, rest::WriteContext& context) const override;
  void afterWrite(const store::ResourceVersion& written, const rapidjson::Value& resource,
                  rest::WriteContext& context) const override;

 private:
  const WorkflowSettings& settings_;
};

}  // namespace sp::services
