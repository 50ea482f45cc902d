// Refusals for want of a place, kept although the refused write is not.
//
// The workflow refuses at once (409) a referral to a service with no free place, or a Task
// accepted or made for one (rest/workflow_rules.h). It throws CapacityRefused. The request
// runner (inTransactionKeepingRefusals) runs the request's work after a savepoint: a refusal
// rolls the work back to it, and the refusal is recorded and committed in the same transaction,
// so the impact report can count refusals that otherwise leave no trace. Either both happen or,
// when the database fails before the commit, neither does and the caller gets the database
// error instead of the 409 (a broken connection is retried like any transaction).
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

// store.inTransaction(work), except that a CapacityRefused ending `work` undoes only what `work`
// wrote, records the refusal, commits that, and is then passed on.
void inTransactionKeepingRefusals(store::ResourceStore& store,
                                  const std::function<void(store::StoreTransaction&)>& work);

}  // namespace sp::rest
