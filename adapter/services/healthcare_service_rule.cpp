#include "services/healthcare_service_rule.h"

#include "fhir/errors.h"
#include "workflow/capacity.h"

namespace sp::services {

using fhir::Severity;

// A full update (PUT) keeps the stored free places, moved by any change in total: places
// are taken and given back by Tasks, and a client's copy may be stale. PATCH sets them.
void HealthcareServiceRule::beforeWrite(rapidjson::Document& service, rest::WriteContext& c) const {
  if (c.method != "PUT" || !service.IsObject()) return;
  const rapidjson::Value* before = c.previousResource();
  if (!before) return;
  const auto stored = workflow::readCapacity(*before);
  const auto incoming = workflow::readCapacity(service);
  if (!stored || !incoming) return;
  bool changed = false;
  const auto kept = workflow::reconcileCapacity(*stored, *incoming, false, changed);
  if (!changed) return;
  workflow::writeCapacity(service, kept, service.GetAllocator());
  c.warnings.push_back({Severity::kWarning, "business-rule",
                        "HealthcareService/" + c.id +
                            ": free places are kept by the adapter as Tasks are "
                            "accepted and finished, so this update keeps " +
                            std::to_string(kept.free) + " of " + std::to_string(kept.total) +
                            " free rather than " + std::to_string(incoming->free) +
                            "; use PATCH to set free places explicitly",
                        "HealthcareService.extension"});
}

}  // namespace sp::services
