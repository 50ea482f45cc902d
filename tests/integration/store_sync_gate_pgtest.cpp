// The periodic jobs' gate on PostgreSQL (store/pg/pg_sync_gate.h), as two adapters on one
// database see it: one runs a job at a time, nobody runs it again before its interval has
// passed, and a process that dies lets the others run it.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "harness.h"
#include "store/pg/pg_resource_store.h"
#include "store/pg/pg_sync_gate.h"

namespace sp::testing {
namespace {

using std::chrono::seconds;

class SyncGate : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = PostgresCluster::shared().freshDatabase();
    store::pg::PgResourceStore migrated(url_, 1);  // applies the migrations
  }
  std::string url_;
};

TEST_F(SyncGate, OneProcessAtATimeAndOncePerInterval) {
  store::pg::PgSyncGate first(url_);
  store::pg::PgSyncGate second(url_);
  ASSERT_TRUE(first.begin("feed:a", seconds(3600)));
  EXPECT_FALSE(second.begin("feed:a", seconds(3600)));  // running in the other process
  EXPECT_FALSE(first.begin("feed:a", seconds(3600)));   // and not twice in this one
  EXPECT_TRUE(second.begin("feed:b", seconds(3600)));   // another job is free
  second.finish("feed:b");
  first.finish("feed:a");
  EXPECT_FALSE(second.begin("feed:a", seconds(3600)));  // it ran less than an interval ago
  EXPECT_TRUE(second.begin("feed:a", seconds(0)));      // due at once with no interval
  second.finish("feed:a");
}

TEST_F(SyncGate, AProcessThatDiesLetsTheOthersRun) {
  store::pg::PgSyncGate survivor(url_);
  {
    auto dying = std::make_unique<store::pg::PgSyncGate>(url_);
    ASSERT_TRUE(dying->begin("feed:a", seconds(60)));
    EXPECT_FALSE(survivor.begin("feed:a", seconds(60)));
  }  // its connection closes without finish(): the lock goes with the session
  EXPECT_TRUE(waitUntil([&] {
    if (!survivor.begin("feed:a", seconds(60))) return false;
    survivor.finish("feed:a");
    return true;
  }));
}

}  // namespace
}  // namespace sp::testing
