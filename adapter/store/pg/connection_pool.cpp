#include "store/pg/connection_pool.h"

#include <utility>

namespace sp::store::pg {

ConnectionPool::ConnectionPool(std::string url, std::size_t size, Prepare prepare,
                               std::chrono::milliseconds waitLimit)
    : url_(std::move(url)), prepare_(std::move(prepare)), waitLimit_(waitLimit), free_(size) {}

ConnectionPool::Lease::Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> conn)
    : pool_(&pool), conn_(std::move(conn)) {}

ConnectionPool::Lease::~Lease() {
  if (pool_) pool_->release(std::move(conn_));
}

ConnectionPool::Lease ConnectionPool::acquire() {
  std::optional<Lease> lease = take(waitLimit_);
  if (!lease) throw PoolExhausted();
  return std::move(*lease);
}

std::optional<ConnectionPool::Lease> ConnectionPool::tryAcquire() {
  return take(std::chrono::milliseconds(0));
}

std::optional<ConnectionPool::Lease> ConnectionPool::take(std::chrono::milliseconds wait) {
  std::unique_ptr<pqxx::connection> conn;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (!available_.wait_for(lock, wait, [this] { return free_ > 0; })) return std::nullopt;
    --free_;
    if (!idle_.empty()) {
      conn = std::move(idle_.back());
      idle_.pop_back();
    }
  }
  // Opening happens outside the lock; on failure the slot goes back to the pool.
  if (!conn || !conn->is_open()) {
    try {
      conn = std::make_unique<pqxx::connection>(url_);
      if (prepare_) prepare_(*conn);
    } catch (...) {
      release(nullptr);
      throw;
    }
  }
  return Lease(*this, std::move(conn));
}

void ConnectionPool::release(std::unique_ptr<pqxx::connection> conn) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (conn) idle_.push_back(std::move(conn));
    ++free_;
  }
  available_.notify_one();
}

}  // namespace sp::store::pg
