// The impact report's SQL (store/pg/report_queries.h) gets the project's CodeSystems as literals
// written into its text: each statement has a literal for every $n, and the Tasks statement's
// contact predicate is migration 003's partial index predicate, so PostgreSQL can still use that
// index.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "fhir/project_urls.h"
#include "store/pg/copy_text.h"
#include "store/pg/report_queries.h"

namespace sp::store::pg {
namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// `s` with each run of white space made one space.
std::string collapsed(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (space && !out.empty() && out.back() == ' ') continue;
    out += space ? ' ' : c;
  }
  return out;
}

std::string migration003() {
  std::ifstream in(std::string(SP_SOURCE_DIR) +
                   "/adapter/store/pg/migrations/003_report_indexes.sql");
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string tasksSql() {
  return withLiterals(report_sql::kTasks,
                      {"'{requested}'", "'{no-capacity}'", quoted(fhir::kTaskCodeSystem),
                       quoted(fhir::kBusinessStatusSystem)});
}

TEST(StoreReportQueriesTest, TheTasksContactPredicateIsMigration003s) {
  const std::string migration = migration003();
  const std::size_t start = migration.find("sp_report_has_code(body::json");
  ASSERT_NE(start, std::string::npos) << migration;
  const std::size_t end = migration.find(");", start);
  ASSERT_NE(end, std::string::npos);
  const std::string predicate = collapsed(migration.substr(start, end + 1 - start));
  EXPECT_NE(predicate.find(quoted(fhir::kBusinessStatusSystem)), std::string::npos) << predicate;
  EXPECT_NE(collapsed(tasksSql()).find(predicate), std::string::npos) << predicate;
}

TEST(StoreReportQueriesTest, TheSystemsAreInTheText) {
  const std::string tasks = tasksSql();
  EXPECT_NE(tasks.find("system = " + quoted(fhir::kTaskCodeSystem)), std::string::npos);
  EXPECT_NE(tasks.find("IS DISTINCT FROM " + quoted(fhir::kBusinessStatusSystem)),
            std::string::npos);
  EXPECT_EQ(tasks.find('$'), std::string::npos) << tasks;

  const std::string referrals = withLiterals(
      report_sql::kReferrals, {"0", "1", "'{carers}'", quoted(fhir::kReferralRouteSystem),
                               quoted(fhir::kPriorityCohortSystem)});
  EXPECT_NE(referrals.find("system = " + quoted(fhir::kReferralRouteSystem)), std::string::npos);
  EXPECT_NE(referrals.find("system = " + quoted(fhir::kPriorityCohortSystem)), std::string::npos);
  EXPECT_EQ(referrals.find('$'), std::string::npos) << referrals;
}

}  // namespace
}  // namespace sp::store::pg
