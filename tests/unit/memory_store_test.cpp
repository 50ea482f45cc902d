// The in-memory store of the rules' unit tests (tests/support/memory_store.h): versions and
// conflicts, transactions and savepoints, the search it evaluates and the searches it refuses,
// access grants, audit and messaging state.
#include "memory_store.h"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "fhir/errors.h"
#include "store/search_request.h"

namespace sp::testing {
namespace {

using store::CriterionKind;
using store::ResourceVersion;
using store::SearchCriterion;
using store::SearchIndex;
using store::SearchRequest;
using store::SearchValue;
using store::StoreTransaction;

constexpr const char* kConfidentiality = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

class FixedClock : public fhir::Clock {
 public:
  fhir::TimePoint now() const override { return now_; }
  void advance(std::chrono::seconds by) { now_ += by; }

 private:
  fhir::TimePoint now_ = fhir::TimePoint(std::chrono::seconds(1'800'000'000));
};

ResourceVersion version(const std::string& type, const std::string& id, std::int64_t n,
                        const std::string& body = "{}") {
  ResourceVersion v;
  v.type = type;
  v.id = id;
  v.versionId = n;
  v.lastUpdated = fhir::TimePoint(std::chrono::milliseconds(1'800'000'000'000 + n * 1000));
  v.method = n == 1 ? "POST" : "PUT";
  v.body = body;
  return v;
}

ResourceVersion deletion(const std::string& type, const std::string& id, std::int64_t n) {
  ResourceVersion v = version(type, id, n, "");
  v.deleted = true;
  v.method = "DELETE";
  return v;
}

store::OutboxMessage message(const std::string& receiver) {
  store::OutboxMessage m;
  m.receiver = receiver;
  m.url = "https://" + receiver + ".example/fhir";
  m.kind = "bars-response";
  return m;
}

SearchIndex tokens(std::vector<store::TokenRow> rows) {
  SearchIndex index;
  index.tokens = std::move(rows);
  return index;
}

fhir::ErrorKind kindOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const fhir::FhirError& e) {
    return e.kind();
  }
  ADD_FAILURE() << "no FhirError";
  return fhir::ErrorKind::kInternal;
}

// --- versions, transactions, savepoints -----------------------------------------------------

TEST(MemoryStore, KeepsEveryVersionAndTheHistoryNewestFirst) {
  MemoryStore store;
  store.inTransaction([](StoreTransaction& tx) {
    tx.append(version("Patient", "a", 1, R"({"v":1})"), {}, {});
    tx.append(version("Patient", "b", 1), {}, {});
  });
  store.inTransaction([](StoreTransaction& tx) {
    ASSERT_EQ(tx.current("Patient", "a", true)->versionId, 1);
    tx.append(version("Patient", "a", 2, R"({"v":2})"), {}, {});
    tx.append(deletion("Patient", "b", 2), {}, {});
  });
  store.inReadOnly([](StoreTransaction& tx) {
    EXPECT_EQ(tx.current("Patient", "a", false)->body, R"({"v":2})");
    EXPECT_EQ(tx.version("Patient", "a", 1)->body, R"({"v":1})");
    EXPECT_FALSE(tx.version("Patient", "a", 3));
    EXPECT_TRUE(tx.current("Patient", "b", false)->deleted);
    EXPECT_FALSE(tx.current("Patient", "c", false));

    store::HistoryQuery all;
    all.count = 3;
    const store::HistoryPage first = tx.history(all);
    ASSERT_EQ(first.versions.size(), 3u);
    EXPECT_EQ(first.versions[0].id, "b");  // the deletion, written last
    EXPECT_TRUE(first.versions[0].deleted);
    EXPECT_EQ(first.versions[1].id, "a");
    EXPECT_EQ(first.versions[1].versionId, 2);
    EXPECT_EQ(first.versions[2].id, "b");
    ASSERT_TRUE(first.nextCursor);
    all.beforeSequence = first.nextCursor;
    const store::HistoryPage second = tx.history(all);
    ASSERT_EQ(second.versions.size(), 1u);
    EXPECT_EQ(second.versions[0].id, "a");
    EXPECT_EQ(second.versions[0].versionId, 1);
    EXPECT_FALSE(second.nextCursor);

    store::HistoryQuery one;
    one.type = "Patient";
    one.id = "a";
    one.sinceMillis = 1'800'000'000'000 + 2000;
    const store::HistoryPage since = tx.history(one);
    ASSERT_EQ(since.versions.size(), 1u);
    EXPECT_EQ(since.versions[0].versionId, 2);
  });
  EXPECT_EQ(store.commits(), 2u);
}

TEST(MemoryStore, AppendingAVersionAnotherWroteFirstIsAConflict) {
  MemoryStore store;
  store.inTransaction([](StoreTransaction& tx) { tx.append(version("Task", "t", 1), {}, {}); });
  // Two writers read version 1; the first to append version 2 wins.
  std::optional<ResourceVersion> readByFirst, readBySecond;
  store.inReadOnly([&](StoreTransaction& tx) { readByFirst = tx.current("Task", "t", false); });
  store.inReadOnly([&](StoreTransaction& tx) { readBySecond = tx.current("Task", "t", false); });
  store.inTransaction([&](StoreTransaction& tx) {
    tx.append(version("Task", "t", readByFirst->versionId + 1, R"({"by":"first"})"), {}, {});
  });
  EXPECT_EQ(kindOf([&] {
              store.inTransaction([&](StoreTransaction& tx) {
                tx.append(version("Task", "t", readBySecond->versionId + 1, R"({"by":"second"})"),
                          {}, {});
              });
            }),
            fhir::ErrorKind::kConflict);
  EXPECT_EQ(store.current("Task", "t")->body, R"({"by":"first"})");
  // A version that skips one breaks the store's contract.
  EXPECT_THROW(
      store.inTransaction([](StoreTransaction& tx) { tx.append(version("Task", "t", 4), {}, {}); }),
      std::logic_error);
  EXPECT_THROW(store.inTransaction(
                   [](StoreTransaction& tx) { tx.append(version("Task", "new", 2), {}, {}); }),
               std::logic_error);
  EXPECT_FALSE(store.current("Task", "new"));
  EXPECT_EQ(store.current("Task", "t")->versionId, 2);
}

TEST(MemoryStore, AnExceptionRollsTheWholeTransactionBack) {
  MemoryStore store;
  store.inTransaction([](StoreTransaction& tx) { tx.append(version("Task", "t", 1), {}, {}); });
  EXPECT_THROW(store.inTransaction([](StoreTransaction& tx) {
    tx.append(version("Task", "t", 2), {}, {});
    tx.append(version("Task", "u", 1), {}, {});
    tx.enqueue(message("r"));
    tx.recordCapacityRefusal({1, "hs", "sr", "task"});
    tx.grantAccess({{"Task", "t", "A1", "owner", ""}});
    tx.logMessage({});
    throw std::runtime_error("the work failed");
  }),
               std::runtime_error);
  EXPECT_EQ(store.commits(), 1u);
  EXPECT_EQ(store.current("Task", "t")->versionId, 1);
  EXPECT_FALSE(store.current("Task", "u"));
  EXPECT_TRUE(store.outbox().empty());
  EXPECT_TRUE(store.capacityRefusals().empty());
  EXPECT_TRUE(store.messageLog().empty());
  store.inReadOnly([](StoreTransaction& tx) {
    EXPECT_FALSE(tx.hasGrant("Task", "t", "A1", "owner"));
    EXPECT_EQ(tx.history(store::HistoryQuery{}).versions.size(), 1u);
  });
}

TEST(MemoryStore, ASavepointUndoesWhatItsWorkWroteAndNothingBefore) {
  MemoryStore store;
  store.inTransaction([](StoreTransaction& tx) {
    tx.append(version("ServiceRequest", "sr", 1), {}, {});
    tx.enqueue(message("before"));
    EXPECT_THROW(tx.withinSavepoint([](StoreTransaction& inner) {
      inner.append(version("ServiceRequest", "sr", 2), {}, {});
      inner.append(version("Task", "sr-task", 1), {}, {});
      inner.enqueue(message("inside"));
      inner.grantAccess({{"Task", "sr-task", "A1", "owner", ""}});
      EXPECT_EQ(inner.current("ServiceRequest", "sr", false)->versionId, 2);
      throw fhir::FhirError(fhir::ErrorKind::kConflict, "business-rule", "no place");
    }),
                 fhir::FhirError);
    // Undone: the version, the Task, the message and the grant; the transaction goes on.
    EXPECT_EQ(tx.current("ServiceRequest", "sr", false)->versionId, 1);
    EXPECT_FALSE(tx.current("Task", "sr-task", false));
    EXPECT_FALSE(tx.hasGrant("Task", "sr-task", "A1", "owner"));
    tx.recordCapacityRefusal({7, "hs", "sr", "referral"});
    // A savepoint whose work returns keeps what it wrote.
    tx.withinSavepoint(
        [](StoreTransaction& inner) { inner.append(version("Task", "k", 1), {}, {}); });
  });
  EXPECT_EQ(store.current("ServiceRequest", "sr")->versionId, 1);
  EXPECT_FALSE(store.current("Task", "sr-task"));
  EXPECT_TRUE(store.current("Task", "k"));
  const auto outbox = store.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].receiver, "before");
  const auto refusals = store.capacityRefusals();
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].atMillis, 7);
  EXPECT_EQ(refusals[0].refused, "referral");
}

TEST(MemoryStore, ReadOnlyTransactionsAndNestingAreRefused) {
  MemoryStore store;
  store.inReadOnly([](StoreTransaction& tx) {
    EXPECT_THROW(tx.append(version("Task", "t", 1), {}, {}), std::logic_error);
    EXPECT_THROW(tx.enqueue({}), std::logic_error);
    EXPECT_THROW(tx.withinSavepoint([](StoreTransaction&) {}), std::logic_error);
  });
  store.inTransaction([&](StoreTransaction&) {
    EXPECT_THROW(store.inTransaction([](StoreTransaction&) {}), std::logic_error);
    EXPECT_THROW(store.outbox(), std::logic_error);
  });
  EXPECT_FALSE(store.current("Task", "t"));
  EXPECT_TRUE(store.ping());
}

TEST(MemoryStore, FindsCurrentResourcesByIdentifier) {
  MemoryStore store;
  store.inTransaction([](StoreTransaction& tx) {
    tx.append(version("Organization", "o1", 1), {{"ods", "A1"}, {"other", "X"}}, {});
    tx.append(version("Organization", "o2", 1), {{"ods", "A1"}}, {});
    tx.append(version("Organization", "o3", 1), {{"ods", "A1"}}, {});
    tx.append(deletion("Organization", "o3", 2), {}, {});
    tx.append(version("Patient", "p", 1), {{"ods", "A1"}}, {});
  });
  store.inReadOnly([](StoreTransaction& tx) {
    EXPECT_EQ(tx.findByIdentifier("Organization", {"ods", "A1"}),
              (std::vector<std::string>{"o1", "o2"}));
    EXPECT_EQ(tx.findByIdentifier("Organization", {"", "X"}), (std::vector<std::string>{"o1"}));
    EXPECT_TRUE(tx.findByIdentifier("Organization", {"ods", "X"}).empty());
  });
}

// --- search --------------------------------------------------------------------------------

SearchCriterion criterion(const std::string& param, CriterionKind kind,
                          std::vector<SearchValue> values, const std::string& modifier = "") {
  SearchCriterion c;
  c.param = param;
  c.kind = kind;
  c.values = std::move(values);
  c.modifier = modifier;
  return c;
}

SearchValue code(const std::string& system, const std::string& value) {
  SearchValue v;
  v.hasSystem = !system.empty();
  v.system = system;
  v.code = value;
  return v;
}

SearchValue target(const std::string& type, const std::string& id) {
  SearchValue v;
  v.targetType = type;
  v.targetId = id;
  return v;
}

SearchValue text(const std::string& t) {
  SearchValue v;
  v.text = t;
  return v;
}

std::vector<std::string> ids(const store::SearchResult& r) {
  std::vector<std::string> out;
  for (const auto& m : r.matches) out.push_back(m.version.id);
  return out;
}

class MemoryStoreSearch : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto task = [](const std::string& status, const std::string& code,
                         const std::string& focus) {
      SearchIndex index;
      index.tokens = {{"status", "http://hl7.org/fhir/task-status", status, ""},
                      {"code", "https://codes.example", code, code + " text"}};
      if (!focus.empty()) index.references = {{"focus", "ServiceRequest", focus, "", "", ""}};
      return index;
    };
    store_.inTransaction([&](StoreTransaction& tx) {
      tx.append(version("Task", "t1", 1), {}, task("requested", "warm-handover", "sr1"));
      tx.append(version("Task", "t2", 1), {}, task("received", "warm-handover", "sr2"));
      tx.append(version("Task", "t3", 1), {}, task("accepted", "warm-handover", "sr1"));
      tx.append(version("Task", "t4", 1), {}, task("requested", "fulfill-referral", ""));
      tx.append(version("Task", "t5", 1), {}, task("requested", "warm-handover", "sr1"));
      tx.append(deletion("Task", "t5", 2), {}, {});
      SearchIndex service;
      service.strings = {{"name", "walking for health", "Walking for Health"}};
      tx.append(version("HealthcareService", "hs", 1), {}, service);
    });
  }

  store::SearchResult run(SearchRequest request) {
    store::SearchResult result;
    store_.inReadOnly([&](StoreTransaction& tx) { result = tx.search(request); });
    return result;
  }

  static SearchRequest tasks(std::vector<SearchCriterion> criteria) {
    SearchRequest r;
    r.types = {"Task"};
    r.criteria = std::move(criteria);
    return r;
  }

  MemoryStore store_;
  MemoryStore empty_;
};

TEST_F(MemoryStoreSearch, TokensOrWithinACriterionAndAcrossCriteria) {
  // Task?code=<system>|warm-handover&status=requested,received: the handover sweep's search.
  EXPECT_EQ(ids(run(tasks({criterion("code", CriterionKind::kToken,
                                     {code("https://codes.example", "warm-handover")}),
                           criterion("status", CriterionKind::kToken,
                                     {code("", "requested"), code("", "received")})}))),
            (std::vector<std::string>{"t1", "t2"}));  // not t3 (accepted), t4 (code), t5 (deleted)
  EXPECT_TRUE(run(tasks({criterion("code", CriterionKind::kToken,
                                   {code("https://other.example", "warm-handover")})}))
                  .matches.empty());
  EXPECT_EQ(ids(run(tasks(
                {criterion("code", CriterionKind::kToken, {code("", "warm-handover")}, "not")}))),
            (std::vector<std::string>{"t4"}));
  EXPECT_EQ(ids(run(tasks({criterion("code", CriterionKind::kToken, {text("fulfill")}, "text")}))),
            (std::vector<std::string>{"t4"}));
  EXPECT_EQ(ids(run(tasks({criterion("_id", CriterionKind::kId, {text("t2"), text("t4")})}))),
            (std::vector<std::string>{"t2", "t4"}));
  EXPECT_EQ(ids(run(tasks({criterion("_id", CriterionKind::kId, {text("t2")}, "not"),
                           criterion("status", CriterionKind::kToken,
                                     {code("", "received"), code("", "requested")})}))),
            (std::vector<std::string>{"t1", "t4"}));
}

TEST_F(MemoryStoreSearch, ReferencesStringsAndMissing) {
  EXPECT_EQ(ids(run(tasks({criterion("focus", CriterionKind::kReference,
                                     {target("ServiceRequest", "sr1")})}))),
            (std::vector<std::string>{"t1", "t3"}));
  EXPECT_EQ(ids(run(tasks({criterion("focus", CriterionKind::kReference, {target("", "sr2")})}))),
            (std::vector<std::string>{"t2"}));
  EXPECT_TRUE(
      run(tasks({criterion("focus", CriterionKind::kReference, {target("Patient", "sr1")})}))
          .matches.empty());
  SearchCriterion none = criterion("focus", CriterionKind::kReference, {}, "missing");
  none.missing = true;
  EXPECT_EQ(ids(run(tasks({none}))), (std::vector<std::string>{"t4"}));
  none.missing = false;
  EXPECT_EQ(ids(run(tasks({none}))), (std::vector<std::string>{"t1", "t2", "t3"}));

  SearchRequest services;
  services.types = {"HealthcareService"};
  services.criteria = {criterion("name", CriterionKind::kString, {text("walking")})};
  EXPECT_EQ(ids(run(services)), (std::vector<std::string>{"hs"}));
  services.criteria = {criterion("name", CriterionKind::kString, {text("health")})};
  EXPECT_TRUE(run(services).matches.empty());  // a prefix, not a word inside
  services.criteria = {criterion("name", CriterionKind::kString, {text("health")}, "contains")};
  EXPECT_EQ(ids(run(services)), (std::vector<std::string>{"hs"}));
  services.criteria = {
      criterion("name", CriterionKind::kString, {text("walking for health")}, "exact")};
  EXPECT_TRUE(run(services).matches.empty());
  services.criteria = {
      criterion("name", CriterionKind::kString, {text("Walking for Health")}, "exact")};
  EXPECT_EQ(ids(run(services)), (std::vector<std::string>{"hs"}));
  // Every type when none is named.
  SearchRequest any;
  EXPECT_EQ(run(any).matches.size(), 5u);
}

TEST_F(MemoryStoreSearch, PagesWithItsCursorAndCountsTheTotal) {
  SearchRequest r =
      tasks({criterion("status", CriterionKind::kToken, {code("", "requested")}, "not")});
  r.count = 1;
  r.total = true;
  store::SearchResult first = run(r);
  EXPECT_EQ(ids(first), (std::vector<std::string>{"t2"}));
  EXPECT_EQ(first.total, 2);
  EXPECT_TRUE(first.hasMore);
  EXPECT_FALSE(first.hasBefore);
  r.cursor = store::Cursor{first.matches[0].sortValues, "Task", "t2", false};
  store::SearchResult second = run(r);
  EXPECT_EQ(ids(second), (std::vector<std::string>{"t3"}));
  EXPECT_EQ(second.total, 2);
  EXPECT_FALSE(second.hasMore);
  EXPECT_TRUE(second.hasBefore);
  r.count = 0;
  store::SearchResult count = run(r);
  EXPECT_TRUE(count.matches.empty());
  EXPECT_EQ(count.total, 2);
}

TEST_F(MemoryStoreSearch, WhatItCannotEvaluateItRefusesEvenWhenNothingWouldMatch) {
  const auto refuses = [this](SearchRequest r, const std::string& what) {
    for (MemoryStore* store : {&store_, &empty_}) {
      try {
        store->inReadOnly([&](StoreTransaction& tx) { tx.search(r); });
        ADD_FAILURE() << what << " answered";
      } catch (const std::logic_error& e) {
        EXPECT_EQ(std::string(e.what()), "MemoryStore: " + what + " is not supported");
      }
    }
  };
  SearchValue date;
  date.low = 0;
  date.high = 1;
  refuses(tasks({criterion("authored-on", CriterionKind::kDate, {date})}),
          "a date parameter (authored-on)");
  refuses(tasks({criterion("_lastUpdated", CriterionKind::kLastUpdated, {date})}), "_lastUpdated");
  SearchCriterion chain = criterion("focus", CriterionKind::kReference, {SearchValue{}});
  chain.chainType = "ServiceRequest";
  chain.chained = std::make_shared<SearchCriterion>(
      criterion("status", CriterionKind::kToken, {code("", "active")}));
  refuses(tasks({chain}), "a chained parameter (focus)");
  refuses(tasks({criterion("owner", CriterionKind::kReference, {code("ods", "A1")}, "identifier")}),
          "the modifier :identifier on reference owner");
  SearchValue after = code("", "x");
  after.prefix = "gt";
  refuses(tasks({criterion("status", CriterionKind::kToken, {after})}), "the prefix gt on status");
  SearchRequest sorted = tasks({});
  sorted.sort = {store::SortKey{"_lastUpdated", CriterionKind::kLastUpdated, true}};
  refuses(sorted, "_sort");
  SearchRequest included = tasks({});
  included.includes = {store::IncludeSpec{false, "Task", "focus", "", false}};
  refuses(included, "_include and _revinclude");
  SearchRequest back = tasks({});
  back.cursor = store::Cursor{{}, "Task", "t2", true};
  refuses(back, "a backward page");
}

// --- access --------------------------------------------------------------------------------

TEST(MemoryStoreAccess, GrantsDecideWhatAFilterLetsThrough) {
  MemoryStore store;
  store.inTransaction([](StoreTransaction& tx) {
    tx.append(version("Task", "mine", 1), {}, {});
    tx.append(version("Task", "theirs", 1), {}, {});
    tx.append(version("Task", "pool", 1), {}, {});
    // Restricted (meta.security R): a performer's or pool grant does not open it.
    tx.append(version("Task", "secret", 1), {}, tokens({{"_security", kConfidentiality, "R", ""}}));
    tx.append(version("HealthcareService", "hs", 1), {}, {});
    tx.grantAccess({{"Task", "mine", "A1", "creator", ""},
                    {"Task", "mine", "A1", "creator", ""},  // a duplicate is ignored
                    {"Task", "mine", "B2", "requester", ""},
                    {"Task", "theirs", "B2", "owner", ""},
                    {"Task", "pool", "*", "pool", ""},
                    {"Task", "secret", "A1", "performer", ""},
                    {"Task", "secret", "*", "pool", ""},
                    {"Task", "secret", "C3", "owner", ""}});
  });
  const store::AccessFilter a1{"A1", {"HealthcareService"}};
  const store::AccessFilter c3{"C3", {}};
  store.inReadOnly([&](StoreTransaction& tx) {
    EXPECT_TRUE(tx.visible("Task", "mine", a1));
    EXPECT_FALSE(tx.visible("Task", "theirs", a1));
    EXPECT_TRUE(tx.visible("Task", "pool", a1));
    EXPECT_FALSE(tx.visible("Task", "secret", a1));
    EXPECT_TRUE(tx.visible("Task", "secret", c3));
    EXPECT_TRUE(tx.visible("HealthcareService", "hs", a1));  // an open type
    EXPECT_FALSE(tx.visible("HealthcareService", "hs", c3));

    EXPECT_TRUE(tx.hasGrant("Task", "mine", "A1", "creator"));
    EXPECT_FALSE(tx.hasGrant("Task", "mine", "A1", "owner"));
    EXPECT_FALSE(tx.hasGrant("Task", "pool", "A1", "pool"));  // "*" is not A1
    EXPECT_EQ(tx.grantHolders("Task", "mine", "creator"), (std::vector<std::string>{"A1"}));
    EXPECT_EQ(tx.grantHolders("Task", "secret", "pool"), (std::vector<std::string>{"*"}));
    EXPECT_TRUE(tx.grantHolders("Task", "theirs", "creator").empty());

    SearchRequest all;
    all.access = a1;
    EXPECT_EQ(ids(tx.search(all)), (std::vector<std::string>{"hs", "mine", "pool"}));
    store::HistoryQuery history;
    history.access = c3;
    const auto page = tx.history(history);  // its own, and the pool's
    ASSERT_EQ(page.versions.size(), 2u);
    EXPECT_EQ(page.versions[0].id, "secret");
    EXPECT_EQ(page.versions[1].id, "pool");
  });
  store.inTransaction([](StoreTransaction& tx) {
    tx.grantAccess({{"Task", "mine", "C3", "creator", ""}});
    tx.revokeAccess({"Task", "mine", "A1", "creator", ""});
  });
  store.inReadOnly([&](StoreTransaction& tx) {
    EXPECT_FALSE(tx.hasGrant("Task", "mine", "A1", "creator"));
    EXPECT_EQ(tx.grantHolders("Task", "mine", "creator"), (std::vector<std::string>{"C3"}));
  });
}

// As access_sql.cpp: ending an organisation's access through a work record withdraws the grants
// it made through it, and only those; the end is kept until it resumes.
TEST(MemoryStoreAccess, EndingAccessWithdrawsTheGrantsThroughThatWorkOnly) {
  MemoryStore store;
  const store::AccessFilter a1{"A1", {}};
  store.inTransaction([](StoreTransaction& tx) {
    tx.append(version("Patient", "p", 1), {}, {});
    tx.append(version("Patient", "q", 1), {}, {});
    tx.grantAccess({{"Patient", "p", "A1", "performer", "ServiceRequest/s"},
                    {"Patient", "q", "A1", "performer", "ServiceRequest/s"},
                    {"Patient", "q", "A1", "creator", ""},
                    {"Patient", "p", "B2", "requester", "ServiceRequest/s"}});
    tx.endAccess("ServiceRequest/s", "A1");
  });
  store.inReadOnly([&](StoreTransaction& tx) {
    EXPECT_FALSE(tx.visible("Patient", "p", a1));
    EXPECT_TRUE(tx.visible("Patient", "q", a1));  // its own record
    EXPECT_TRUE(tx.visible("Patient", "p", store::AccessFilter{"B2", {}}));
    EXPECT_EQ(tx.accessEnded("ServiceRequest/s"), (std::set<std::string>{"A1"}));
  });
  store.inTransaction([](StoreTransaction& tx) { tx.resumeAccess("ServiceRequest/s", "A1"); });
  store.inReadOnly(
      [&](StoreTransaction& tx) { EXPECT_TRUE(tx.accessEnded("ServiceRequest/s").empty()); });
}

// --- audit and messaging -------------------------------------------------------------------

TEST(MemoryStoreRecords, AuditRecordsNewestFirstByPageAndFilter) {
  MemoryStore store;
  store.inTransaction([](StoreTransaction& tx) {
    for (int i = 1; i <= 3; ++i) {
      store::AuditRecord a;
      a.id = "a" + std::to_string(i);
      a.organisation = i == 2 ? "B2" : "A1";
      a.entityType = "Task";
      a.entityId = "t";
      tx.recordAudit(a);
    }
  });
  store.inReadOnly([](StoreTransaction& tx) {
    store::AuditQuery q;
    q.agent = "A1";
    q.count = 1;
    const auto first = tx.auditRecords(q);
    ASSERT_EQ(first.records.size(), 1u);
    EXPECT_EQ(first.records[0].id, "a3");
    ASSERT_TRUE(first.nextCursor);
    q.beforeSequence = first.nextCursor;
    const auto second = tx.auditRecords(q);
    ASSERT_EQ(second.records.size(), 1u);
    EXPECT_EQ(second.records[0].id, "a1");
    EXPECT_FALSE(second.nextCursor);
  });
  EXPECT_EQ(kindOf([&] {
              store.inTransaction([](StoreTransaction& tx) {
                store::AuditRecord again;
                again.id = "a2";
                tx.recordAudit(again);
              });
            }),
            fhir::ErrorKind::kConflict);
}

TEST(MemoryStoreRecords, MessageClaimsConversationsAndTheLog) {
  FixedClock clock;
  MemoryStore store(&clock);
  const store::MessageKey key{"A1", "x-request-id", "r1"};
  const auto claim = [&] {
    store::MessageClaim c;
    store.inAutocommit([&](StoreTransaction& tx) { c = tx.claimMessage(key, 60); });
    return c;
  };
  EXPECT_EQ(claim().state, store::ClaimState::kClaimed);
  EXPECT_EQ(claim().state, store::ClaimState::kInFlight);
  clock.advance(std::chrono::seconds(61));
  EXPECT_EQ(claim().state, store::ClaimState::kClaimed);  // its process died: taken over
  store.inTransaction([&](StoreTransaction& tx) { tx.finishMessage(key, 201, "answer"); });
  const store::MessageClaim processed = claim();
  EXPECT_EQ(processed.state, store::ClaimState::kProcessed);
  EXPECT_EQ(processed.httpStatus, 201);
  EXPECT_EQ(processed.responseBody, "answer");
  store.inTransaction([&](StoreTransaction& tx) { tx.finishMessage(key, 422, "refused"); });
  EXPECT_EQ(claim().state, store::ClaimState::kFailed);
  store.inTransaction([&](StoreTransaction& tx) { tx.releaseMessage(key); });
  EXPECT_EQ(claim().state, store::ClaimState::kClaimed);

  store.inTransaction([](StoreTransaction& tx) {
    store::Conversation c{"sr", "A1", "https://a1.example/reply", "corr", "bars", "bundle-1", 0};
    tx.recordConversation(c, "message-1");
    c.replyEndpoint = "https://elsewhere.example";
    tx.recordConversation(c, "message-2");  // a referral keeps its first conversation
    tx.noteReferralVersion("sr", 3);
    tx.logMessage({"A1", "r1", "corr", "event", "bars", "bundle-1", "bundle-2", 200, "{}"});
  });
  store.inReadOnly([](StoreTransaction& tx) {
    ASSERT_TRUE(tx.conversationFor("sr"));
    EXPECT_EQ(tx.conversationFor("sr")->replyEndpoint, "https://a1.example/reply");
    EXPECT_EQ(tx.conversationFor("sr")->referralVersion, 3);
    EXPECT_EQ(tx.conversationForRequest("bundle-1")->serviceRequestId, "sr");
    EXPECT_EQ(tx.conversationForRequest("message-1")->serviceRequestId, "sr");
    EXPECT_FALSE(tx.conversationForRequest("message-2"));
    EXPECT_FALSE(tx.conversationFor("other"));
  });
  ASSERT_EQ(store.messageLog().size(), 1u);
  EXPECT_EQ(store.messageLog()[0].responseBundleId, "bundle-2");
}

}  // namespace
}  // namespace sp::testing
