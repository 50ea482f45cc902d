#include "services/handover_sweeper.h"

#include <iostream>

#include "fhir/json.h"
#include "rest/search_current.h"
#include "workflow/handover.h"
#include "workflow/vocabulary.h"

namespace sp::services {

namespace {
constexpr std::size_t kMaxPendingPerPass = 10000;
}  // namespace

HandoverSweeper::HandoverSweeper(store::ResourceStore& store, const rest::ApiContext& api,
                                 const WorkflowRules& rules, std::chrono::milliseconds interval)
    : store_(store), api_(api), rules_(rules), interval_(interval) {}

HandoverSweeper::~HandoverSweeper() { stop(); }

void HandoverSweeper::start() {
  thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      try {
        const std::size_t expired = sweepOnce();
        if (expired > 0) std::cerr << "handover sweep: " << expired << " expired\n";
      } catch (const std::exception& e) {
        // The next pass tries again; a database outage must not end the sweeps.
        std::cerr << "handover sweep failed: " << e.what() << "\n";
      }
      lock.lock();
      wake_.wait_for(lock, interval_, [this] { return stopping_; });
    }
  });
}

void HandoverSweeper::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::size_t HandoverSweeper::sweepOnce() {
  std::vector<std::string> due;
  store_.inReadOnly([&](store::StoreTransaction& tx) {
    due.clear();
    const auto now = api_.clock.now();
    const auto pending = rest::searchCurrent(
        api_, tx, "Task",
        {{"code", std::string(workflow::kTaskCodeSystem) + "|" + workflow::kWarmHandover},
         {"status", "requested,received"}},
        kMaxPendingPerPass);
    for (const auto& v : pending) {
      rapidjson::Document task;
      fhir::parseJson(v.body, task);
      const auto deadline = workflow::handoverDeadline(task);
      if (deadline && *deadline < now) due.push_back(v.id);
    }
  });
  std::size_t expired = 0;
  for (const std::string& id : due) {
    bool done = false;
    store_.inTransaction(
        [&](store::StoreTransaction& tx) { done = rules_.expireHandover(api_, tx, id); });
    if (done) ++expired;
  }
  return expired;
}

}  // namespace sp::services
