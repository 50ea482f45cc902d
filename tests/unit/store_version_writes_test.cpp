#include <gtest/gtest.h>

#include <limits>

#include "store/pg/access_sql.h"
#include "store/pg/version_writes.h"

namespace sp::store::pg {
namespace {

PendingVersion pending(const std::string& type, const std::string& id, std::int64_t n) {
  PendingVersion p;
  p.version.type = type;
  p.version.id = id;
  p.version.versionId = n;
  p.version.lastUpdated = fhir::TimePoint(std::chrono::milliseconds(1760000000123));
  p.version.method = n > 1 ? "PUT" : "POST";
  p.version.body = R"({"resourceType":")" + type + R"(","id":")" + id + R"("})";
  return p;
}

std::vector<std::string> targets(const std::vector<DeferredWrite>& writes) {
  std::vector<std::string> out;
  for (const auto& w : writes) {
    const auto from = w.sql.find(w.sql.rfind("DELETE", 0) == 0 ? "FROM " : "INTO ");
    const auto name = w.sql.substr(from + 5);
    out.push_back(w.sql.substr(0, 6) + " " + name.substr(0, name.find(' ')));
  }
  return out;
}

TEST(VersionWrites, NothingToWrite) { EXPECT_TRUE(versionWrites({}).empty()); }

TEST(VersionWrites, FirstVersionsWriteOnlyTheTablesTheyHaveRowsIn) {
  PendingVersion patient = pending("Patient", "p1", 1);
  patient.identifiers.push_back({"https://fhir.nhs.uk/Id/nhs-number", "9000000009"});
  patient.index.strings.push_back({"family", "smith", "Smith"});
  PendingVersion task = pending("Task", "t1", 1);
  task.index.tokens.push_back({"status", "http://hl7.org/fhir/task-status", "requested", ""});
  task.index.dates.push_back({"authored-on", std::numeric_limits<std::int64_t>::min(),
                              std::numeric_limits<std::int64_t>::max()});
  const auto writes = versionWrites({patient, task});
  EXPECT_EQ(targets(writes),
            (std::vector<std::string>{"INSERT resource_versions", "INSERT resources",
                                      "INSERT resource_identifiers", "INSERT idx_token",
                                      "INSERT idx_string", "INSERT idx_date"}));
  // One row per version, in the order written (it fixes their place in the history).
  EXPECT_EQ(writes[0].params[0], R"({"Patient","Task"})");
  EXPECT_EQ(writes[0].params[2], "{1,1}");
  EXPECT_EQ(writes[0].params[3], "{1760000000123,1760000000123}");
  EXPECT_EQ(
      writes[0].params[6],
      R"({"{\"resourceType\":\"Patient\",\"id\":\"p1\"}","{\"resourceType\":\"Task\",\"id\":\"t1\"}"})");
  // Index rows carry their owner.
  EXPECT_EQ(writes[3].params[0], R"({"Task"})");
  EXPECT_EQ(writes[3].params[1], R"({"t1"})");
  EXPECT_EQ(writes[3].params[4], R"({"requested"})");
  // Open date bounds stay exact.
  EXPECT_EQ(writes[5].params[3], "{-9223372036854775808}");
  EXPECT_EQ(writes[5].params[4], "{9223372036854775807}");
}

TEST(VersionWrites, ALaterVersionRemovesTheEarlierRowsFirst) {
  PendingVersion task = pending("Task", "t1", 3);
  task.index.tokens.push_back({"status", "", "accepted", ""});
  const auto writes = versionWrites({pending("Patient", "p1", 1), task});
  const auto names = targets(writes);
  ASSERT_EQ(names.size(), 11u);
  EXPECT_EQ(names[0], "DELETE idx_token");
  EXPECT_EQ(names[7], "DELETE resource_identifiers");
  EXPECT_EQ(names[8], "INSERT resource_versions");
  // Only the replaced resource's rows are removed.
  EXPECT_EQ(writes[0].params, (std::vector<std::string>{R"({"Task"})", R"({"t1"})"}));
}

}  // namespace
}  // namespace sp::store::pg

namespace sp::store::pg {
namespace {

TEST(SqlTextArray, TextColumnsAreOneArrayPerColumnInTheirOrder) {
  struct Row {
    std::string name;
    int count;
  };
  const std::vector<Row> rows{{"a", 1}, {"b\"c", 20}};
  EXPECT_EQ(textColumns(
                rows, [](const Row& r) { return std::to_string(r.count); }, &Row::name),
            (std::vector<std::string>{R"({"1","20"})", R"({"a","b\"c"})"}));
  EXPECT_EQ(textColumns(std::vector<Row>{}, &Row::name), (std::vector<std::string>{"{}"}));
}

TEST(SqlTextArray, QuotesEveryElementAndEscapesQuotesAndBackslashes) {
  EXPECT_EQ(sqlTextArray({}), "{}");
  EXPECT_EQ(sqlTextArray({"", "plain", R"(say "hi" \ bye)", "\\"}),
            R"({"","plain","say \"hi\" \\ bye","\\"})");
}

}  // namespace
}  // namespace sp::store::pg
