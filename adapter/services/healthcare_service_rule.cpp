#include "services/healthcare_service_rule.h"

#include "fhir/errors.h"
#include "workflow/capacity.h"
#include "workflow/directory_entry.h"

namespace sp::services {

using fhir::Severity;

// A full update (PUT) keeps the hub's details it does not carry (capacity, tier, review date),
// and keeps the stored free places, moved by any change in total: places
// are taken and given back by Tasks, and a client's copy may be stale. PATCH sets them.
void HealthcareServiceRule::beforeWrite(rapidjson::Document& service, rest::WriteContext& c) const {
  if (c.method != "PUT" || !service.IsObject()) return;
  const rapidjson::Value* before = c.previousResource();
  if (!before) return;
  // The hub's details the update does not carry are kept (workflow/directory_entry.h).
  const auto details = workflow::keepDirectoryDetails(*before, service);
  if (!details.empty()) {
    std::string names;
    for (const auto& name : details) names += (names.empty() ? "" : ", ") + name;
    c.warnings.push_back({Severity::kWarning, "business-rule",
                          "HealthcareService/" + c.id + ": the update carries no " + names +
                              ", so the stored one is kept (a PATCH removes it)",
                          "HealthcareService.extension"});
  }
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
