// Refusals for want of a place, kept although the refused write is not.
//
// The workflow refuses at once (409) a referral to a service with no free place, or a Task
// accepted or made for one (rest/workflow_rules.h). It throws CapacityRefused, which rolls the
// request's transaction back like any error; the request runner (inTransactionKeepingRefusals)
// then records the refusal in a transaction of its own, so the impact report can count refusals
// that otherwise leave no trace. The 409 goes to the caller either way: a refusal that cannot be
// recorded is logged, never turned into another error.
#pragma once

#include <functional>

#include "fhir/errors.h"
#include "store/resource_store.h"

namespace sp::rest {

class CapacityRefused : public fhir::FhirError {
 public:
  CapacityRefused(fhir::FhirError error, store::CapacityRefusal refusal)
      : fhir::FhirError(std::move(error)), refusal_(std::move(refusal)) {}
  const store::CapacityRefusal& refusal() const { return refusal_; }

 private:
  store::CapacityRefusal refusal_;
};

// store.inTransaction(work), recording a CapacityRefused that ends it before passing it on.
void inTransactionKeepingRefusals(store::ResourceStore& store,
                                  const std::function<void(store::StoreTransaction&)>& work);

}  // namespace sp::rest
