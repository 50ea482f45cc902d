#include "services/feed_scheduler.h"

#include <algorithm>
#include <exception>
#include <iostream>

namespace sp::services {

FeedScheduler::FeedScheduler(std::vector<std::string> feedIds, Sync sync, store::SyncGate& gate,
                             std::chrono::seconds interval)
    : feedIds_(std::move(feedIds)), sync_(std::move(sync)), gate_(gate), interval_(interval) {}

FeedScheduler::~FeedScheduler() { stop(); }

void FeedScheduler::start() {
  if (thread_.joinable() || interval_.count() <= 0 || feedIds_.empty()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    const auto look = std::clamp<std::chrono::milliseconds>(
        std::chrono::duration_cast<std::chrono::milliseconds>(interval_) / 10,
        std::chrono::milliseconds(100), std::chrono::minutes(1));
    std::unique_lock<std::mutex> lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      runOnce();
      lock.lock();
      wake_.wait_for(lock, look, [this] { return stopping_; });
    }
  });
}

void FeedScheduler::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int FeedScheduler::runOnce() {
  int synced = 0;
  for (const auto& id : feedIds_) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (stopping_) break;
    }
    try {
      if (!gate_.begin(feedJobName(id), interval_)) continue;
    } catch (const std::exception& e) {
      std::cerr << "directory feed " << id << ": not synced: " << e.what() << "\n";
      continue;
    }
    try {
      const FeedSyncReport report = sync_(id);
      std::cerr << "directory " << report.summary() << ", " << report.issues.size() << " issues\n";
      ++synced;
    } catch (const std::exception& e) {
      std::cerr << "directory feed " << id << ": sync failed: " << e.what() << "\n";
    }
    try {
      gate_.finish(feedJobName(id));
    } catch (const std::exception& e) {
      std::cerr << "directory feed " << id << ": " << e.what() << "\n";
    }
  }
  return synced;
}

}  // namespace sp::services
