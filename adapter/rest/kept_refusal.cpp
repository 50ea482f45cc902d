#include "rest/kept_refusal.h"

#include <exception>

namespace sp::rest {

void inTransactionKeepingRefusals(store::ResourceStore& store,
                                  const std::function<void(store::StoreTransaction&)>& work) {
  std::exception_ptr refused;
  store.inTransaction([&](store::StoreTransaction& tx) {
    refused = nullptr;  // a retried attempt starts afresh
    try {
      tx.withinSavepoint(work);
    } catch (const KeptRefusal& e) {
      e.keep(tx);
      refused = std::current_exception();
    }
  });
  if (refused) std::rethrow_exception(refused);
}

}  // namespace sp::rest
