// Expires warm handovers whose deadline passed, every `interval`, on its own thread.
//
// Each pass searches the pending handovers (Task?code=warm-handover&status=requested,received)
// and expires those past their deadline by the API context's clock (injected, so a test moves
// time instead of waiting), each in its own transaction that re-checks under the row lock, so
// several processes may sweep the same database. Without search (no indexer in the API
// context) it finds nothing; a late acceptance is still refused, and the sender can always
// cancel its handover.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>

#include "rest/interactions.h"
#include "services/workflow_rules.h"
#include "store/resource_store.h"

namespace sp::services {

class HandoverSweeper {
 public:
  HandoverSweeper(store::ResourceStore& store, const rest::ApiContext& api,
                  const WorkflowRules& rules, std::chrono::milliseconds interval);
  ~HandoverSweeper();  // stops the thread
  void start();
  void stop();
  // One pass (what the thread runs each interval). Returns how many handovers it expired.
  std::size_t sweepOnce();

 private:
  store::ResourceStore& store_;
  const rest::ApiContext& api_;
  const WorkflowRules& rules_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sp::services
