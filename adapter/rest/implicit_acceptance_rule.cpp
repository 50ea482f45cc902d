#include "rest/implicit_acceptance_rule.h"

#include "fhir/json.h"
#include "rest/interactions.h"
#include "rest/resource_write.h"
#include "workflow/implicit_acceptance.h"

namespace sp::rest {

void ImplicitAcceptanceRule::beforeWrite(rapidjson::Document& task, WriteContext& context) const {
  if (!task.IsObject() || context.stepBefore) return;
  const auto& previous = context.previous;
  if (!previous || previous->deleted || previous->body.empty()) return;
  rapidjson::Document before;
  fhir::parseJson(previous->body, before);
  if (!workflow::impliesAcceptance(before, task)) return;
  rapidjson::Document step = workflow::acceptanceStep(before);
  InteractionInput in;
  in.callerOrganisation = context.callerOrganisation;
  InteractionResult written;
  writeVersion(context.api, context.tx, context.type, context.id, step, previous, context.method,
               in, written);
  for (auto& warning : written.warnings) context.warnings.push_back(std::move(warning));
  context.warnings.push_back(
      {fhir::Severity::kInformation, "informational",
       "Contact with the person on a referral not yet accepted: the adapter recorded the "
       "acceptance it implies as version " +
           std::to_string(written.version->versionId) + " (accepted) before this one",
       "Task.status"});
  context.stepBefore = std::move(written.version);
}

}  // namespace sp::rest
