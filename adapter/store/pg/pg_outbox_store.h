// OutboxStore on PostgreSQL: the claim is a SELECT ... FOR UPDATE SKIP LOCKED on the oldest due
// row whose receiver has no older pending row, held in one transaction while the message is
// sent, so a crashed sender's row is released by PostgreSQL and offered again (at-least-once).
// Uses its own small connection pool (one connection per worker), so slow partners never hold
// connections the HTTP requests need. Thread-safe.
#pragma once

#include <memory>
#include <string>

#include "store/outbox.h"
#include "store/pg/connection_pool.h"

namespace sp::store::pg {

class PgOutboxStore : public OutboxStore {
 public:
  // Migrations must already be applied (PgResourceStore does it).
  PgOutboxStore(const std::string& url, std::size_t poolSize);
  bool processNext(const std::function<DeliveryOutcome(const OutboxEntry&)>& deliver) override;
  std::size_t purgeDelivered(std::chrono::seconds retention, std::size_t limit) override;

 private:
  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace sp::store::pg
