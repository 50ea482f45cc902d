// libpqxx 6.4's exceptions read through the table of store/pg/db_errors.h (store/pg/pg_errors.h):
// the ones it throws without a SQLSTATE, the ones a real PostgreSQL makes it throw, and what
// the resource store and the outbox answer for them (the table itself is unit-tested in
// db_errors_test).
#include <gtest/gtest.h>

#include <optional>
#include <pqxx/pqxx>
#include <stdexcept>
#include <string>

#include "harness.h"
#include "store/pg/pg_errors.h"
#include "store/pg/pg_outbox_store.h"
#include "store/pg/pg_resource_store.h"

namespace sp::testing {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;
using store::pg::databaseFailure;
using store::pg::DbFailure;

// The failure of whatever `f` throws.
template <typename F>
std::optional<DbFailure> failureOf(F f) {
  try {
    f();
  } catch (const std::exception& e) {
    return databaseFailure(e);
  }
  ADD_FAILURE() << "nothing was thrown";
  return std::nullopt;
}

TEST(StoreErrors, ExceptionsWithoutASqlStateHaveTheirEventsFailure) {
  EXPECT_EQ(databaseFailure(pqxx::broken_connection("gone")), DbFailure::kUnreachable);
  EXPECT_EQ(databaseFailure(pqxx::too_many_connections("full")), DbFailure::kUnreachable);
  EXPECT_EQ(databaseFailure(pqxx::in_doubt_error("commit")), DbFailure::kOutcomeUnknown);
  EXPECT_EQ(databaseFailure(pqxx::statement_completion_unknown("?")), DbFailure::kOutcomeUnknown);
  EXPECT_EQ(databaseFailure(pqxx::serialization_failure("40001")), DbFailure::kContention);
  EXPECT_EQ(databaseFailure(pqxx::deadlock_detected("40P01")), DbFailure::kContention);
  EXPECT_EQ(databaseFailure(pqxx::transaction_rollback("40000")), DbFailure::kContention);
  EXPECT_EQ(databaseFailure(pqxx::failure("something else")), DbFailure::kOther);
  EXPECT_EQ(databaseFailure(store::pg::PoolExhausted()), DbFailure::kPoolExhausted);
}

TEST(StoreErrors, AnSqlErrorIsReadByItsSqlState) {
  EXPECT_EQ(databaseFailure(pqxx::unique_violation("dup", "INSERT", "23505")),
            DbFailure::kDuplicate);
  EXPECT_EQ(databaseFailure(pqxx::sql_error("bye", "SELECT", "57P01")), DbFailure::kUnreachable);
  EXPECT_EQ(databaseFailure(pqxx::sql_error("no code", "SELECT")), DbFailure::kOther);
}

TEST(StoreErrors, WhatIsNotTheDatabasesPassesUnread) {
  EXPECT_EQ(databaseFailure(FhirError(ErrorKind::kInvalid, "invalid", "bad")), std::nullopt);
  EXPECT_EQ(databaseFailure(std::logic_error("bug")), std::nullopt);
  EXPECT_EQ(databaseFailure(std::runtime_error("other")), std::nullopt);
  EXPECT_EQ(databaseFailure(pqxx::usage_error("misuse")), std::nullopt);  // a logic error
}

// What libpqxx 6.4 really throws for these, against a real PostgreSQL.
class StoreErrorsOnPostgres : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = PostgresCluster::shared().freshDatabase();
    pqxx::connection c(url_);
    pqxx::work tx(c);
    tx.exec("CREATE TABLE t (k integer PRIMARY KEY)");
    tx.exec("INSERT INTO t VALUES (1)");
    tx.commit();
  }
  std::string url_;
};

TEST_F(StoreErrorsOnPostgres, AUniqueViolationIsADuplicate) {
  pqxx::connection c(url_);
  EXPECT_EQ(failureOf([&] {
              pqxx::work tx(c);
              tx.exec("INSERT INTO t VALUES (1)");
            }),
            DbFailure::kDuplicate);
}

TEST_F(StoreErrorsOnPostgres, AStatementTimeoutIsCanceled) {
  pqxx::connection c(url_);
  EXPECT_EQ(failureOf([&] {
              pqxx::work tx(c);
              tx.exec("SET LOCAL statement_timeout = 10");
              tx.exec("SELECT pg_sleep(2)");
            }),
            DbFailure::kCanceled);
}

TEST_F(StoreErrorsOnPostgres, ASyntaxErrorIsOurs) {
  pqxx::connection c(url_);
  EXPECT_EQ(failureOf([&] {
              pqxx::work tx(c);
              tx.exec("SELEC 1");
            }),
            DbFailure::kOther);
}

TEST_F(StoreErrorsOnPostgres, ATerminatedConnectionIsUnreachable) {
  pqxx::connection victim(url_);
  const int pid = victim.backendpid();
  {
    pqxx::connection admin(url_);
    pqxx::nontransaction tx(admin);
    tx.exec("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");
  }
  EXPECT_EQ(failureOf([&] {
              pqxx::nontransaction tx(victim);
              tx.exec("SELECT 1");
            }),
            DbFailure::kUnreachable);
}

TEST_F(StoreErrorsOnPostgres, NoServerIsUnreachable) {
  // A port nothing listens on (the discard port, closed on a test machine).
  EXPECT_EQ(failureOf([] { pqxx::connection c("postgresql://postgres@127.0.0.1:9/sp"); }),
            DbFailure::kUnreachable);
}

// Two SERIALIZABLE transactions that each read what the other writes: the second to commit fails.
TEST_F(StoreErrorsOnPostgres, ASerializationFailureIsContention) {
  pqxx::connection a(url_);
  pqxx::connection b(url_);
  pqxx::transaction<pqxx::serializable> ta(a);
  pqxx::transaction<pqxx::serializable> tb(b);
  ta.exec("SELECT count(*) FROM t");
  tb.exec("SELECT count(*) FROM t");
  ta.exec("INSERT INTO t VALUES (2)");
  tb.exec("INSERT INTO t VALUES (3)");
  ta.commit();
  EXPECT_EQ(failureOf([&] { tb.commit(); }), DbFailure::kContention);
}

// The resource store's loop: what the table retries is run again up to three times in all.
class ResourceStoreErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = PostgresCluster::shared().freshDatabase();
    store_ = std::make_unique<store::pg::PgResourceStore>(url_, 2);
  }
  // The kind the store answers when every run of its work throws `thrown`, and how many runs.
  template <typename E>
  std::pair<ErrorKind, int> answerTo(const E& thrown, std::string* issueCode = nullptr) {
    int runs = 0;
    try {
      store_->inTransaction([&](store::StoreTransaction&) {
        ++runs;
        throw thrown;
      });
    } catch (const FhirError& e) {
      if (issueCode) *issueCode = e.issues().at(0).code;
      return {e.kind(), runs};
    }
    ADD_FAILURE() << "no FhirError";
    return {ErrorKind::kInternal, runs};
  }
  std::string url_;
  std::unique_ptr<store::pg::PgResourceStore> store_;
};

TEST_F(ResourceStoreErrors, ContentionIsRetriedThenUnavailable) {
  std::string code;
  EXPECT_EQ(answerTo(pqxx::serialization_failure("x"), &code),
            std::make_pair(ErrorKind::kUnavailable, 3));
  EXPECT_EQ(code, "lock-error");
  EXPECT_EQ(answerTo(pqxx::deadlock_detected("x")), std::make_pair(ErrorKind::kUnavailable, 3));
}

TEST_F(ResourceStoreErrors, ABrokenConnectionIsRetriedOnANewOneThenUnavailable) {
  std::string code;
  EXPECT_EQ(answerTo(pqxx::broken_connection("x"), &code),
            std::make_pair(ErrorKind::kUnavailable, 3));
  EXPECT_EQ(code, "transient");
  // The connections were dropped, new ones serve.
  EXPECT_NO_THROW(store_->inReadOnly([](store::StoreTransaction& tx) {
    EXPECT_FALSE(tx.current("Patient", "none", false).has_value());
  }));
}

TEST_F(ResourceStoreErrors, AUniqueViolationIsAConflictAtOnce) {
  EXPECT_EQ(answerTo(pqxx::unique_violation("x", "q", "23505")),
            std::make_pair(ErrorKind::kConflict, 1));
}

TEST_F(ResourceStoreErrors, ACommitInDoubtIsNotRunAgain) {
  EXPECT_EQ(answerTo(pqxx::in_doubt_error("x")), std::make_pair(ErrorKind::kUnavailable, 1));
}

TEST_F(ResourceStoreErrors, AnyOtherDatabaseErrorIsInternalAndTellsNoSql) {
  int runs = 0;
  try {
    store_->inTransaction([&](store::StoreTransaction&) {
      ++runs;
      throw pqxx::sql_error("relation \"secret\" does not exist", "SELECT * FROM secret", "42P01");
    });
    FAIL() << "no FhirError";
  } catch (const FhirError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kInternal);
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(e.issues().at(0).diagnostics, "A database error occurred");
    EXPECT_EQ(std::string(e.what()).find("secret"), std::string::npos) << e.what();
  }
}

TEST_F(ResourceStoreErrors, TheWorksOwnErrorsPassUnchanged) {
  EXPECT_EQ(answerTo(FhirError(ErrorKind::kGone, "deleted", "gone")),
            std::make_pair(ErrorKind::kGone, 1));
  EXPECT_THROW(
      store_->inTransaction([](store::StoreTransaction&) { throw std::logic_error("bug"); }),
      std::logic_error);
}

// The outbox answers as the resource store does (it used to answer 503 for every database
// error), and runs its work once: the worker's next round is its retry.
class OutboxErrors : public ResourceStoreErrors {
 protected:
  void SetUp() override {
    ResourceStoreErrors::SetUp();
    store_->inTransaction([](store::StoreTransaction& tx) {
      store::OutboxMessage m;
      m.receiver = "https://gp.example/fhir";
      m.url = "https://gp.example/fhir/$process-message";
      m.kind = "bars-response";
      m.body = "{}";
      tx.enqueue(m);
    });
    outbox_ = std::make_unique<store::pg::PgOutboxStore>(url_, 1);
  }
  template <typename E>
  ErrorKind outboxAnswerTo(const E& thrown) {
    int runs = 0;
    try {
      outbox_->processNext([&](const store::OutboxEntry&) -> store::DeliveryOutcome {
        ++runs;
        throw thrown;
      });
    } catch (const FhirError& e) {
      EXPECT_EQ(runs, 1);
      return e.kind();
    }
    ADD_FAILURE() << "no FhirError";
    return ErrorKind::kInvalid;
  }
  std::unique_ptr<store::pg::PgOutboxStore> outbox_;
};

TEST_F(OutboxErrors, TheTablesAnswers) {
  EXPECT_EQ(outboxAnswerTo(pqxx::sql_error("x", "q", "42601")), ErrorKind::kInternal);
  EXPECT_EQ(outboxAnswerTo(pqxx::broken_connection("x")), ErrorKind::kUnavailable);
  EXPECT_EQ(outboxAnswerTo(pqxx::serialization_failure("x")), ErrorKind::kUnavailable);
  // The message stayed pending and is offered again.
  bool offered = false;
  EXPECT_TRUE(outbox_->processNext([&](const store::OutboxEntry&) {
    offered = true;
    store::DeliveryOutcome done;
    done.state = store::DeliveryOutcome::State::kDelivered;
    return done;
  }));
  EXPECT_TRUE(offered);
}

}  // namespace
}  // namespace sp::testing
