// The PostgreSQL store holds a transaction's writes back and sends them together
// (store/pg/deferred_writes.h, version_writes.h) and remembers what it read
// (store/read_cache.h). What the transaction reads must still show its own writes, a savepoint
// must still undo exactly its own, and what is committed must be what was written: checked here
// on a real PostgreSQL, through the store alone.
#include <gtest/gtest.h>

#include <chrono>
#include <pqxx/pqxx>
#include <string>

#include "harness.h"
#include "store/pg/pg_resource_store.h"
#include "store/search_request.h"

namespace sp::testing {
namespace {

store::ResourceVersion versionOf(const std::string& id, std::int64_t n, const std::string& status) {
  store::ResourceVersion v;
  v.type = "Task";
  v.id = id;
  v.versionId = n;
  v.lastUpdated = fhir::TimePoint(std::chrono::milliseconds(1760000000000 + n));
  v.method = n == 1 ? "POST" : "PUT";
  v.body = R"({"resourceType":"Task","id":")" + id + R"(","status":")" + status + R"("})";
  return v;
}

store::SearchIndex statusIndex(const std::string& status) {
  store::SearchIndex index;
  index.tokens.push_back({"status", "http://hl7.org/fhir/task-status", status, ""});
  return index;
}

void write(store::StoreTransaction& tx, const std::string& id, std::int64_t n,
           const std::string& status, const std::string& identifier = "") {
  std::vector<store::IdentifierToken> identifiers;
  if (!identifier.empty()) identifiers.push_back({"urn:test", identifier});
  tx.append(versionOf(id, n, status), identifiers, statusIndex(status));
}

std::vector<std::string> tasksWithStatus(store::StoreTransaction& tx, const std::string& status) {
  store::SearchRequest request;
  request.types = {"Task"};
  store::SearchCriterion c;
  c.param = "status";
  c.kind = store::CriterionKind::kToken;
  store::SearchValue value;
  value.code = status;
  c.values.push_back(value);
  request.criteria.push_back(c);
  std::vector<std::string> ids;
  for (const auto& m : tx.search(request).matches) ids.push_back(m.version.id);
  return ids;
}

class StoreBatching : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = PostgresCluster::shared().freshDatabase();
    store_ = std::make_unique<store::pg::PgResourceStore>(url_, 2);
  }
  long long count(const std::string& sql) { return queryNumber(url_, sql); }

  std::string url_;
  std::unique_ptr<store::pg::PgResourceStore> store_;
};

TEST_F(StoreBatching, ATransactionSeesItsOwnWritesInReadsSearchesAndLookUps) {
  store_->inTransaction([](store::StoreTransaction& tx) {
    write(tx, "t1", 1, "requested", "ID-1");
    EXPECT_EQ(tx.current("Task", "t1", false)->versionId, 1);
    EXPECT_EQ(tx.findByIdentifier("Task", {"urn:test", "ID-1"}), std::vector<std::string>{"t1"});
    EXPECT_EQ(tasksWithStatus(tx, "requested"), std::vector<std::string>{"t1"});
    EXPECT_EQ(tx.version("Task", "t1", 1)->body, versionOf("t1", 1, "requested").body);
    EXPECT_EQ(tx.current("Task", "t1", true)->versionId, 1);  // a locking read
  });
  EXPECT_EQ(count("SELECT count(*) FROM resource_versions WHERE res_id = 't1'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM resource_identifiers WHERE res_id = 't1'"), 1);
}

TEST_F(StoreBatching, TwoVersionsOfOneResourceInATransactionLeaveOnlyTheLatestsRows) {
  store_->inTransaction([](store::StoreTransaction& tx) {
    write(tx, "t2", 1, "requested", "ID-2");
    write(tx, "t2", 2, "accepted");  // the first must be sent before this one
    EXPECT_EQ(tx.current("Task", "t2", false)->versionId, 2);
    EXPECT_TRUE(tasksWithStatus(tx, "requested").empty());
    EXPECT_EQ(tasksWithStatus(tx, "accepted"), std::vector<std::string>{"t2"});
    EXPECT_TRUE(tx.findByIdentifier("Task", {"urn:test", "ID-2"}).empty());
  });
  EXPECT_EQ(count("SELECT count(*) FROM resource_versions WHERE res_id = 't2'"), 2);
  EXPECT_EQ(count("SELECT version_id FROM resources WHERE res_id = 't2'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM idx_token WHERE res_id = 't2'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM resource_identifiers WHERE res_id = 't2'"), 0);
}

TEST_F(StoreBatching, ManyResourcesInOneBatchKeepTheirHistoryOrder) {
  store_->inTransaction([](store::StoreTransaction& tx) {
    for (int i = 0; i < 20; ++i) write(tx, "order-" + std::to_string(i), 1, "draft");
  });
  pqxx::connection c(url_);
  pqxx::nontransaction tx(c);
  const auto rows = tx.exec("SELECT res_id FROM resource_versions ORDER BY seq");
  ASSERT_EQ(rows.size(), 20u);
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(rows[i][0].as<std::string>(), "order-" + std::to_string(i));
}

TEST_F(StoreBatching, ASavepointUndoesTheWritesHeldBackInsideIt) {
  store_->inTransaction([](store::StoreTransaction& tx) {
    write(tx, "kept-1", 1, "requested");
    tx.grantAccess({{"Task", "kept-1", "ORG1", "requester", ""}});
    EXPECT_ANY_THROW(tx.withinSavepoint([](store::StoreTransaction& inner) {
      write(inner, "undone-1", 1, "requested");
      inner.grantAccess({{"Task", "undone-1", "ORG1", "requester", ""}});
      throw std::runtime_error("refused");
    }));
    EXPECT_FALSE(tx.current("Task", "undone-1", false).has_value());
    EXPECT_EQ(tasksWithStatus(tx, "requested"), std::vector<std::string>{"kept-1"});
    write(tx, "kept-2", 1, "requested");
  });
  EXPECT_EQ(count("SELECT count(*) FROM resource_versions"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM access_grants WHERE res_id = 'undone-1'"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM access_grants WHERE res_id = 'kept-1'"), 1);
}

TEST_F(StoreBatching, AGrantHeldBackCountsForTheAccessRulesAtOnce) {
  store_->inTransaction([](store::StoreTransaction& tx) {
    write(tx, "g1", 1, "requested");
    const store::AccessFilter filter{"ORG2", {}};
    EXPECT_FALSE(tx.visible("Task", "g1", filter));
    tx.grantAccess({{"Task", "g1", "ORG2", "owner", ""}});
    EXPECT_TRUE(tx.visible("Task", "g1", filter));
    EXPECT_TRUE(tx.hasGrant("Task", "g1", "ORG2", "owner"));
    tx.revokeAccess({"Task", "g1", "ORG2", "owner", ""});
    EXPECT_FALSE(tx.hasGrant("Task", "g1", "ORG2", "owner"));
  });
  EXPECT_EQ(count("SELECT count(*) FROM access_grants WHERE res_id = 'g1'"), 0);
}

TEST_F(StoreBatching, AWriteThatFailsWhenSentRollsBackTheWholeTransaction) {
  store_->inTransaction([](store::StoreTransaction& tx) { write(tx, "dup", 1, "requested"); });
  EXPECT_THROW(store_->inTransaction([](store::StoreTransaction& tx) {
    write(tx, "other", 1, "requested");
    write(tx, "dup", 1, "requested");  // the same version again
  }),
               fhir::FhirError);
  EXPECT_EQ(count("SELECT count(*) FROM resource_versions WHERE res_id = 'other'"), 0);
}

}  // namespace
}  // namespace sp::testing
