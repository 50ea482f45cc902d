// The periodic sync of directory feeds (services/feed_scheduler.h) with a gate the test holds:
// a feed is synced only when the gate lets this process, the gate is told when it is done, and
// a failing feed does not stop the others.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "services/feed_scheduler.h"

namespace sp::services {
namespace {

class TestGate : public store::SyncGate {
 public:
  bool begin(const std::string& job, std::chrono::seconds interval) override {
    intervals.push_back(interval);
    if (busy.count(job)) return false;
    begun.push_back(job);
    return true;
  }
  void finish(const std::string& job) override { finished.push_back(job); }
  std::set<std::string> busy;  // held by another process
  std::vector<std::string> begun;
  std::vector<std::string> finished;
  std::vector<std::chrono::seconds> intervals;
};

TEST(FeedScheduler, SyncsWhatTheGateAllowsAndSaysWhenDone) {
  TestGate gate;
  gate.busy = {"directory-feed:b"};
  std::vector<std::string> synced;
  FeedScheduler scheduler(
      {"a", "b", "c"},
      [&](const std::string& id) {
        synced.push_back(id);
        if (id == "c") throw std::runtime_error("database gone");
        FeedSyncReport r;
        r.feed = id;
        return r;
      },
      gate, std::chrono::seconds(600));
  EXPECT_EQ(scheduler.runOnce(), 1);  // a; c threw
  EXPECT_EQ(synced, (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(gate.finished, (std::vector<std::string>{"directory-feed:a", "directory-feed:c"}));
  EXPECT_EQ(gate.intervals.front(), std::chrono::seconds(600));
}

TEST(FeedScheduler, RunsOnItsThreadUntilStopped) {
  TestGate gate;
  std::atomic<int> runs{0};
  FeedScheduler scheduler(
      {"a"},
      [&](const std::string& id) {
        ++runs;
        FeedSyncReport r;
        r.feed = id;
        return r;
      },
      gate, std::chrono::seconds(1));
  scheduler.start();
  for (int i = 0; i < 100 && runs == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  scheduler.stop();
  EXPECT_GE(runs.load(), 1);
  const int after = runs;
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  EXPECT_EQ(runs.load(), after);
}

TEST(FeedScheduler, NoIntervalNoThread) {
  TestGate gate;
  FeedScheduler scheduler(
      {"a"}, [](const std::string&) { return FeedSyncReport{}; }, gate, std::chrono::seconds(0));
  scheduler.start();
  scheduler.stop();
  EXPECT_TRUE(gate.begun.empty());
}

}  // namespace
}  // namespace sp::services
