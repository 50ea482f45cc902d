// A fixed-size pool of libpqxx connections.
//
// libpqxx allows one thread per connection at a time, so each request borrows one. Connections
// are opened lazily and replaced when found broken (the database restarted); prepared statements
// are declared on every new connection by the `prepare` callback. Thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/connection>
#include <stdexcept>
#include <string>
#include <vector>

namespace sp::store::pg {

// No connection came free within the pool's wait limit (db_errors.h: kPoolExhausted).
class PoolExhausted : public std::runtime_error {
 public:
  PoolExhausted() : std::runtime_error("no database connection free within the wait limit") {}
};

class ConnectionPool {
 public:
  using Prepare = std::function<void(pqxx::connection&)>;

  ConnectionPool(std::string url, std::size_t size, Prepare prepare,
                 std::chrono::milliseconds waitLimit = std::chrono::seconds(5));

  // A borrowed connection; returned to the pool when destroyed. `discard()` marks it broken so
  // the pool opens a fresh one next time.
  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<pqxx::connection> conn);
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    pqxx::connection& operator*() { return *conn_; }
    pqxx::connection* operator->() { return conn_.get(); }
    void discard() { conn_.reset(); }
    bool discarded() const { return !conn_; }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> conn_;
  };

  // Throws pqxx::broken_connection when no connection can be opened, and PoolExhausted when
  // none is free within the wait limit.
  Lease acquire();
  // A connection only if one is free now (no waiting): for optional extra work in parallel.
  // Throws pqxx::broken_connection when one is free but cannot be opened.
  std::optional<Lease> tryAcquire();

 private:
  std::optional<Lease> take(std::chrono::milliseconds wait);
  void release(std::unique_ptr<pqxx::connection> conn);

  const std::string url_;
  const Prepare prepare_;
  const std::chrono::milliseconds waitLimit_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t free_;  // connections not lent out (idle or not yet opened)
};

}  // namespace sp::store::pg
