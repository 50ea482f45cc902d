// The one table from a database failure to the caller's answer (store/pg/db_errors.h): a test
// line per row of its SQLSTATE table and per row of its answers, with the HTTP status each
// answer becomes at the edge.
#include "store/pg/db_errors.h"

#include <gtest/gtest.h>

#include <string>

#include "rest/status_map.h"

namespace sp::store::pg {
namespace {

using fhir::ErrorKind;

struct SqlStateCase {
  const char* sqlstate;
  DbFailure failure;
};

class DbErrorsSqlState : public ::testing::TestWithParam<SqlStateCase> {};

TEST_P(DbErrorsSqlState, NamesItsFailure) {
  EXPECT_EQ(failureForSqlState(GetParam().sqlstate), GetParam().failure) << GetParam().sqlstate;
}

// One line per row of kSqlStates (a class row with two of its codes), then codes that fall
// through to kOther.
INSTANTIATE_TEST_SUITE_P(
    Rows, DbErrorsSqlState,
    ::testing::Values(
        SqlStateCase{"08007", DbFailure::kOutcomeUnknown},  // transaction_resolution_unknown
        SqlStateCase{"40003", DbFailure::kOutcomeUnknown},  // statement_completion_unknown
        SqlStateCase{"08006", DbFailure::kUnreachable},     // class 08: connection_failure
        SqlStateCase{"08001", DbFailure::kUnreachable},     // class 08: cannot connect
        SqlStateCase{"57P01", DbFailure::kUnreachable},     // admin_shutdown
        SqlStateCase{"57P02", DbFailure::kUnreachable},     // crash_shutdown
        SqlStateCase{"57P03", DbFailure::kUnreachable},     // cannot_connect_now
        SqlStateCase{"40001", DbFailure::kContention},      // class 40: serialization_failure
        SqlStateCase{"40P01", DbFailure::kContention},      // class 40: deadlock_detected
        SqlStateCase{"23505", DbFailure::kDuplicate},       // unique_violation
        SqlStateCase{"57014", DbFailure::kCanceled},        // query_canceled
        SqlStateCase{"53100", DbFailure::kOutOfResources},  // class 53: disk_full
        SqlStateCase{"53300", DbFailure::kOutOfResources},  // class 53: too_many_connections
        // Not in the table: a fault of ours.
        SqlStateCase{"23503", DbFailure::kOther},  // foreign_key_violation: not a lost race
        SqlStateCase{"42601", DbFailure::kOther},  // syntax_error
        SqlStateCase{"57000", DbFailure::kOther},  // operator_intervention, none of the above
        SqlStateCase{"", DbFailure::kOther},       // libpqxx knew no code
        SqlStateCase{"08", DbFailure::kOther}));   // not a whole code

struct AnswerCase {
  DbFailure failure;
  int status;
  const char* issueCode;
  const char* diagnostics;
  bool retried;
  bool dropsConnection;
};

class DbErrorsAnswer : public ::testing::TestWithParam<AnswerCase> {};

TEST_P(DbErrorsAnswer, IsTheTablesRow) {
  const AnswerCase& c = GetParam();
  const DbAnswer& answer = answerFor(c.failure);
  EXPECT_EQ(rest::statusFor(answer.kind), c.status);
  EXPECT_STREQ(answer.issueCode, c.issueCode);
  EXPECT_STREQ(answer.diagnostics, c.diagnostics);
  EXPECT_EQ(answer.retried, c.retried);
  EXPECT_EQ(answer.dropsConnection, c.dropsConnection);

  const fhir::FhirError error = toFhirError(c.failure);
  EXPECT_EQ(error.kind(), answer.kind);
  ASSERT_EQ(error.issues().size(), 1u);
  EXPECT_EQ(error.issues()[0].code, c.issueCode);
  EXPECT_EQ(error.issues()[0].diagnostics, c.diagnostics);
  EXPECT_EQ(error.issues()[0].severity, fhir::Severity::kError);
}

// One line per DbFailure.
INSTANTIATE_TEST_SUITE_P(
    Rows, DbErrorsAnswer,
    ::testing::Values(
        AnswerCase{DbFailure::kUnreachable, 503, "transient", "The database is unavailable", true,
                   true},
        AnswerCase{DbFailure::kOutcomeUnknown, 503, "transient",
                   "The database connection was lost during commit; the outcome is unknown", false,
                   true},
        AnswerCase{DbFailure::kContention, 503, "lock-error",
                   "The database was busy with concurrent changes; retry", true, false},
        AnswerCase{DbFailure::kDuplicate, 409, "conflict",
                   "A concurrent request changed the same resource; retry", false, false},
        AnswerCase{DbFailure::kCanceled, 503, "too-costly",
                   "The database took too long to answer; try again later", false, false},
        AnswerCase{DbFailure::kOutOfResources, 503, "transient",
                   "The database is short of resources; try again later", false, false},
        AnswerCase{DbFailure::kPoolExhausted, 503, "transient",
                   "The database is busy; try again later", false, false},
        AnswerCase{DbFailure::kOther, 500, "exception", "A database error occurred", false,
                   false}));

TEST(DbErrors, ARetriedFailureIsRetriedOnlyWhileAttemptsRemain) {
  EXPECT_TRUE(retryAfter(DbFailure::kUnreachable, 1, 3));
  EXPECT_TRUE(retryAfter(DbFailure::kContention, 2, 3));
  EXPECT_FALSE(retryAfter(DbFailure::kContention, 3, 3));
  EXPECT_FALSE(retryAfter(DbFailure::kUnreachable, 1, 1));
  EXPECT_FALSE(retryAfter(DbFailure::kDuplicate, 1, 3));
}

// The report's own sentence for its time limit; the kind and issue code stay the table's.
TEST(DbErrors, TheCallersWordingReplacesOnlyTheSentence) {
  const fhir::FhirError error =
      toFhirError(DbFailure::kCanceled, "The report took longer than 60 seconds");
  EXPECT_EQ(error.kind(), ErrorKind::kUnavailable);
  ASSERT_EQ(error.issues().size(), 1u);
  EXPECT_EQ(error.issues()[0].code, "too-costly");
  EXPECT_EQ(error.issues()[0].diagnostics, "The report took longer than 60 seconds");
}

}  // namespace
}  // namespace sp::store::pg
