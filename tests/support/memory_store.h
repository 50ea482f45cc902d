// An in-memory ResourceStore, for unit tests of what runs over a StoreTransaction (the workflow
// and delivery write rules) without PostgreSQL. Integration tests keep what crosses the
// database (SQL, locks between processes, durability).
//
// What it keeps, as store/pg does: every version of every resource (history, vread; lastUpdated
// to the millisecond), the identifier and search index entries of the current version, access
// grants, the outbox, the capacity refusals, the audit trail and the messaging tables
// (conversations, message claims timed by the clock given, the message log).
//
// Transactions: inTransaction runs `work` on a copy of the state and makes the copy the state
// only when `work` returns normally; any exception leaves the state as it was and propagates.
// Transactions run one at a time (one mutex, held for the whole transaction): current(forUpdate)
// and lockKey need no locks of their own, and a version conflict (kConflict: a version that
// exists already) arises only when a caller appends after a version it read earlier (in an
// earlier transaction, or before writing the same resource again); a version that skips one
// breaks the contract and throws std::logic_error. A transaction opened inside
// another on the same thread, or an inspection call made from inside a transaction, throws
// std::logic_error (with one mutex it would deadlock). inReadOnly reads the state itself;
// writing in it throws std::logic_error. withinSavepoint copies the transaction's state and
// restores the copy if its work throws.
//
// search evaluates over the stored SearchIndex what the write rules ask (services/,
// the handover sweep, directory search, Subscriptions) and a little more. Supported:
//  - criteria: _id (plain, :not); token (plain, :not, :text, :missing); reference (plain,
//    :Type, :missing; a literal target or a URL); string (plain prefix, :exact, :contains,
//    :missing); several values of one criterion OR, criteria AND; only the prefix eq;
//  - no _sort (matches in type, then id order, by bytes where PostgreSQL follows its
//    collation), forward paging with its cursor, _count (0: total only), _total, an
//    AccessFilter.
// Anything else (dates, numbers, quantities, uris, near, _lastUpdated, chains, _has,
// :identifier, :above/:below, prefixes, _sort, _include/_revinclude, backward pages) throws
// std::logic_error("MemoryStore: <what> is not supported") rather than answering wrongly.
//
// Thread-safe. A StoreTransaction it hands out is valid only during the call that gave it.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fhir/ids.h"
#include "store/resource_store.h"

namespace sp::testing {

class MemoryStore : public store::ResourceStore {
 public:
  // Everything the store holds; copied whole for a transaction and for a savepoint.
  struct State;

  // `clock` (which must outlive the store) times message claims, for their staleness; null: the
  // system clock.
  explicit MemoryStore(const fhir::Clock* clock = nullptr);
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  void inTransaction(const std::function<void(store::StoreTransaction&)>& work) override;
  void inReadOnly(const std::function<void(store::StoreTransaction&)>& work) override;
  bool ping() override { return true; }

  // What committed transactions left, for tests to inspect (oldest first).
  std::vector<store::OutboxMessage> outbox() const;
  std::vector<store::CapacityRefusal> capacityRefusals() const;
  std::vector<store::MessageLogEntry> messageLog() const;
  // The current version of a resource (possibly a deletion); nullopt when it never existed.
  std::optional<store::ResourceVersion> current(const std::string& type,
                                                const std::string& id) const;
  // How many transactions committed.
  std::size_t commits() const;

 private:
  class Transaction;
  class Hold;  // the mutex, held by one thread that is not already holding it

  const fhir::Clock* clock_;
  mutable std::mutex mutex_;
  mutable std::atomic<std::thread::id> holder_{};  // the thread holding mutex_, if any
  std::unique_ptr<State> state_;                   // guarded by mutex_
  std::size_t commits_ = 0;                        // guarded by mutex_
};

}  // namespace sp::testing
