// A refusal for want of a place, kept although the refused write is not.
//
// The workflow refuses at once (409) a referral to a service with no free place, or a Task
// accepted or made for one (services/workflow_rules.h). It throws CapacityRefused, a
// rest::KeptRefusal whose record is the store's CapacityRefusal, so the impact report can count
// refusals that otherwise leave no trace (rest/kept_refusal.h says how the two commit together).
#pragma once

#include "rest/kept_refusal.h"

namespace sp::services {

class CapacityRefused : public rest::KeptRefusal {
 public:
  CapacityRefused(fhir::FhirError error, store::CapacityRefusal refusal)
      : rest::KeptRefusal(
            std::move(error),
            [refusal](store::StoreTransaction& tx) { tx.recordCapacityRefusal(refusal); }),
        refusal_(std::move(refusal)) {}
  const store::CapacityRefusal& refusal() const { return refusal_; }

 private:
  store::CapacityRefusal refusal_;
};

}  // namespace sp::services
