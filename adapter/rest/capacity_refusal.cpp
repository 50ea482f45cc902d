#include "rest/capacity_refusal.h"

#include <iostream>

namespace sp::rest {

void inTransactionKeepingRefusals(store::ResourceStore& store,
                                  const std::function<void(store::StoreTransaction&)>& work) {
  try {
    store.inTransaction(work);
  } catch (const CapacityRefused& refused) {
    try {
      store.inTransaction(
          [&](store::StoreTransaction& tx) { tx.recordCapacityRefusal(refused.refusal()); });
    } catch (const std::exception& e) {
      std::cerr << "warning: a refusal for want of a place at HealthcareService/"
                << refused.refusal().serviceId << " was not recorded: " << e.what() << "\n";
    }
    throw;
  }
}

}  // namespace sp::rest
