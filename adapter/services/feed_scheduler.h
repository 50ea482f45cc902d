// Syncs every directory feed at a configured interval, on its own thread (--feed-sync-seconds):
// each pass asks the SyncGate (store/sync_gate.h) whether this process may sync a feed now (no
// other adapter is syncing it, and its last sync finished at least an interval ago), so that
// several adapters on one database sync each feed once per interval between them. A pass looks
// again after a tenth of the interval (at most a minute), so a feed is synced at most that late.
// The outcome of each sync is logged as one line.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "services/feed_sync.h"
#include "store/sync_gate.h"

namespace sp::services {

class FeedScheduler {
 public:
  using Sync = std::function<FeedSyncReport(const std::string& feedId)>;
  FeedScheduler(std::vector<std::string> feedIds, Sync sync, store::SyncGate& gate,
                std::chrono::seconds interval);
  ~FeedScheduler();  // stops the thread
  void start();
  void stop();
  // One pass: syncs each feed the gate lets this process sync now. Returns how many it synced.
  // A sync that throws is logged and does not stop the others.
  int runOnce();

 private:
  std::vector<std::string> feedIds_;
  Sync sync_;
  store::SyncGate& gate_;
  std::chrono::seconds interval_;
  std::mutex mutex_;  // guards stopping_
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sp::services
