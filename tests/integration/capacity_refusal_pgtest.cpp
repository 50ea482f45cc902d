// A refusal for want of a place is kept in the same transaction that undoes the refused write
// (rest/kept_refusal.h, services/capacity_refusal.h), on a real PostgreSQL: the store layer and the
// request runner, with no HTTP (the refusals over HTTP and in the report are in reports_pgtest).
#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>
#include <string>

#include "harness.h"
#include "services/capacity_refusal.h"
#include "store/pg/pg_resource_store.h"

namespace sp::testing {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;

// The PostgreSQL store, except that every transaction after the first fails as if the database
// had gone away: what the request runner does not commit in its first transaction is lost.
class FailingAfterFirstTransaction : public store::ResourceStore {
 public:
  explicit FailingAfterFirstTransaction(store::ResourceStore& real) : real_(real) {}
  void inTransaction(const std::function<void(store::StoreTransaction&)>& work) override {
    if (++transactions_ > 1) {
      throw FhirError(ErrorKind::kUnavailable, "transient", "The database is unavailable");
    }
    real_.inTransaction(work);
  }
  void inReadOnly(const std::function<void(store::StoreTransaction&)>& work) override {
    real_.inReadOnly(work);
  }
  bool ping() override { return real_.ping(); }
  int transactions() const { return transactions_; }

 private:
  store::ResourceStore& real_;
  int transactions_ = 0;
};

store::ResourceVersion firstVersion(const std::string& id) {
  store::ResourceVersion v;
  v.type = "Basic";
  v.id = id;
  v.versionId = 1;
  v.lastUpdated = fhir::TimePoint(std::chrono::milliseconds(1760000000000));
  v.method = "PUT";
  v.body = R"({"resourceType":"Basic","id":")" + id + R"("})";
  return v;
}

void write(store::StoreTransaction& tx, const std::string& id) {
  tx.append(firstVersion(id), {}, store::SearchIndex{});
}

services::CapacityRefused refusalAt(const std::string& service, const std::string& referral) {
  return services::CapacityRefused(
      FhirError(ErrorKind::kConflict, "business-rule",
                "HealthcareService/" + service + " has no free place"),
      store::CapacityRefusal{1760000000000, service, referral, "referral"});
}

class CapacityRefusalStore : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = PostgresCluster::shared().freshDatabase();
    store_ = std::make_unique<store::pg::PgResourceStore>(url_, 2);
  }

  long long count(const std::string& sql) { return queryNumber(url_, sql); }
  long long stored(const std::string& id) {
    return count("SELECT count(*) FROM resource_versions WHERE res_id = '" + id + "'");
  }
  long long refusalsAt(const std::string& service) {
    return count("SELECT count(*) FROM capacity_refusals WHERE service_id = '" + service + "'");
  }

  std::string url_;
  std::unique_ptr<store::pg::PgResourceStore> store_;
};

// The gap this closes: the refused write was rolled back in one transaction and the refusal
// recorded in a second, so a database failing in between lost the refusal.
TEST_F(CapacityRefusalStore, RefusalCommitsWithTheRollbackOfTheRefusedWrite) {
  FailingAfterFirstTransaction failing(*store_);
  EXPECT_THROW(rest::inTransactionKeepingRefusals(failing,
                                                  [](store::StoreTransaction& tx) {
                                                    write(tx, "refused-1");
                                                    throw refusalAt("hs-full", "refused-1");
                                                  }),
               services::CapacityRefused);
  EXPECT_EQ(failing.transactions(), 1);
  EXPECT_EQ(stored("refused-1"), 0);    // the refused write is undone
  EXPECT_EQ(refusalsAt("hs-full"), 1);  // the refusal is kept
  const long long referral = count(
      "SELECT count(*) FROM capacity_refusals WHERE referral_id = 'refused-1' AND refused = "
      "'referral' AND refused_at = to_timestamp(1760000000)");
  EXPECT_EQ(referral, 1);
}

// The audit record of a write that the refusal undid goes with it (a write's records are held
// until the commit, so the savepoint's rollback must drop them too).
TEST_F(CapacityRefusalStore, TheAuditRecordOfTheRefusedWriteIsUndoneWithIt) {
  store::AuditRecord record;
  record.id = "audit-of-refused-1";
  record.recorded = fhir::TimePoint(std::chrono::milliseconds(1760000000000));
  record.action = "C";
  record.interaction = "create";
  record.outcome = 201;
  record.organisation = "A81001";
  record.entityType = "Basic";
  record.entityId = "refused-2";
  EXPECT_THROW(rest::inTransactionKeepingRefusals(*store_,
                                                  [&](store::StoreTransaction& tx) {
                                                    write(tx, "refused-2");
                                                    tx.recordAudit(record);
                                                    throw refusalAt("hs-full", "refused-2");
                                                  }),
               services::CapacityRefused);
  EXPECT_EQ(stored("refused-2"), 0);
  EXPECT_EQ(refusalsAt("hs-full"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM audit_events WHERE id = 'audit-of-refused-1'"), 0);
}

TEST_F(CapacityRefusalStore, OtherErrorsRollBackEverythingAndRecordNothing) {
  EXPECT_THROW(rest::inTransactionKeepingRefusals(*store_,
                                                  [](store::StoreTransaction& tx) {
                                                    write(tx, "failed-1");
                                                    throw FhirError(ErrorKind::kInvalid, "invalid",
                                                                    "bad input");
                                                  }),
               FhirError);
  EXPECT_EQ(stored("failed-1"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM capacity_refusals"), 0);
}

TEST_F(CapacityRefusalStore, WorkThatIsNotRefusedCommitsWithNoRefusal) {
  rest::inTransactionKeepingRefusals(*store_,
                                     [](store::StoreTransaction& tx) { write(tx, "kept-1"); });
  EXPECT_EQ(stored("kept-1"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM capacity_refusals"), 0);
}

// A savepoint undoes only what was written after it; the transaction goes on and commits.
TEST_F(CapacityRefusalStore, SavepointUndoesOnlyTheWorkInsideIt) {
  store_->inTransaction([](store::StoreTransaction& tx) {
    write(tx, "before-1");
    EXPECT_THROW(tx.withinSavepoint([](store::StoreTransaction& inner) {
      write(inner, "inside-1");
      throw std::runtime_error("undo");
    }),
                 std::runtime_error);
    write(tx, "after-1");
  });
  EXPECT_EQ(stored("before-1"), 1);
  EXPECT_EQ(stored("inside-1"), 0);
  EXPECT_EQ(stored("after-1"), 1);
}

// A database error inside the savepoint (a duplicate version) is undone too, and the
// transaction is still usable afterwards.
TEST_F(CapacityRefusalStore, SavepointRecoversFromADatabaseError) {
  store_->inTransaction([](store::StoreTransaction& tx) {
    write(tx, "twice-1");
    EXPECT_ANY_THROW(tx.withinSavepoint([](store::StoreTransaction& inner) {
      write(inner, "twice-1");  // the same version again: a unique violation
    }));
    write(tx, "after-2");
  });
  EXPECT_EQ(stored("twice-1"), 1);
  EXPECT_EQ(stored("after-2"), 1);
}

TEST_F(CapacityRefusalStore, ReadOnlyWorkHasNoSavepoint) {
  store_->inReadOnly([](store::StoreTransaction& tx) {
    EXPECT_THROW(tx.withinSavepoint([](store::StoreTransaction&) {}), std::logic_error);
  });
}

}  // namespace
}  // namespace sp::testing
