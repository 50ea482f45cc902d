// The workflow's rule for ServiceRequest writes: an onward referral shares the earlier
// referral's story (supportingInfo) and person; re-access points at an earlier, completed
// referral of the same person; an active referral with a performer gets its Task (id from
// workflow::referralTaskId) in the same transaction, refused with 409 and alternatives when the
// performing service has no free place, partOf the referring Task for an onward referral.
// Thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "rest/write_rules.h"
#include "services/workflow_settings.h"

namespace sp::services {

class ServiceRequestRule : public rest::WriteRule {
 public:
  explicit ServiceRequestRule(const WorkflowSettings& settings);
  void beforeWrite(rapidjson::Document& resource, rest::WriteContext& context) const override;
  void afterWrite(const store::ResourceVersion& written, const rapidjson::Value& resource,
                  rest::WriteContext& context) const override;

 private:
  const WorkflowSettings& settings_;
};

}  // namespace sp::services
