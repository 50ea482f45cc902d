// ResourceStore on PostgreSQL (libpqxx 6.4).
//
// Database failures become fhir::FhirError through the one table of store/pg/db_errors.h: a
// transaction that fails on a broken connection, a serialization failure or a deadlock is run
// again (up to three times in all), a unique violation is kConflict, an unreachable database
// kUnavailable; SQL text never leaves this layer (it is logged to stderr instead).
#pragma once

#include <memory>
#include <string>

#include "store/pg/connection_pool.h"
#include "store/resource_store.h"

namespace sp::store::pg {

class PgResourceStore : public ResourceStore {
 public:
  // Connects once to apply migrations (throws std::runtime_error when that fails), then serves
  // from a pool of `poolSize` connections.
  PgResourceStore(const std::string& url, std::size_t poolSize);

  void inTransaction(const std::function<void(StoreTransaction&)>& work) override;
  void inReadOnly(const std::function<void(StoreTransaction&)>& work) override;
  void inAutocommit(const std::function<void(StoreTransaction&)>& work) override;
  bool ping() override;

 private:
  template <typename Tx>
  void run(const std::function<void(StoreTransaction&)>& work);

  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace sp::store::pg
