#include "services/implicit_acceptance_rule.h"

#include "rest/interactions.h"
#include "rest/resource_write.h"
#include "workflow/derivation.h"
#include "workflow/implicit_acceptance.h"

namespace sp::services {

void ImplicitAcceptanceRule::beforeWrite(rapidjson::Document& task,
                                         rest::WriteContext& context) const {
  if (!task.IsObject() || context.stepBefore) return;
  const rapidjson::Value* before = context.previousResource();
  if (!before || workflow::taskKind(*before) == workflow::TaskKind::kOther) return;
  if (!workflow::impliesAcceptance(*before, task)) return;
  rapidjson::Document step = workflow::acceptanceStep(*before);
  rest::InteractionInput in;
  in.caller = context.caller;
  rest::InteractionResult written;
  rest::writeVersion(context.api, context.tx, context.type, context.id, step, context.previous,
                     context.method, in, written);
  for (auto& warning : written.warnings) context.warnings.push_back(std::move(warning));
  context.warnings.push_back(
      {fhir::Severity::kInformation, "informational",
       "Contact with the person on a referral not yet accepted: the adapter recorded the "
       "acceptance it implies as version " +
           std::to_string(written.version->versionId) + " (accepted) before this one",
       "Task.status"});
  context.stepBefore = std::move(written.version);
}

}  // namespace sp::services
