// Refusals that leave a trace although the refused write does not.
//
// A write rule may refuse a write with a KeptRefusal: an error that also says what to keep of
// the refusal (a use case's record, such as a refusal for want of a place that the impact
// report counts). The request runner (inTransactionKeepingRefusals) runs the request's work
// after a savepoint: a KeptRefusal rolls the work back to it, the refusal's record is written
// and committed in the same transaction, and the error is passed on. Either both happen or,
// when the database fails before the commit, neither does and the caller gets the database
// error instead (a broken connection is retried like any transaction).
#pragma once

#include <functional>
#include <utility>

#include "fhir/errors.h"
#include "store/resource_store.h"

namespace sp::rest {

class KeptRefusal : public fhir::FhirError {
 public:
  using Keep = std::function<void(store::StoreTransaction&)>;
  KeptRefusal(fhir::FhirError error, Keep keep)
      : fhir::FhirError(std::move(error)), keep_(std::move(keep)) {}
  // Writes what is kept of the refusal in `tx`.
  void keep(store::StoreTransaction& tx) const { keep_(tx); }
  // The same refusal with other issues (a Bundle locates them in its entry).
  KeptRefusal withError(fhir::FhirError error) const {
    return KeptRefusal(std::move(error), keep_);
  }

 private:
  Keep keep_;
};

// store.inTransaction(work), except that a KeptRefusal ending `work` undoes only what `work`
// wrote, keeps the refusal, commits that, and is then passed on.
void inTransactionKeepingRefusals(store::ResourceStore& store,
                                  const std::function<void(store::StoreTransaction&)>& work);

}  // namespace sp::rest
