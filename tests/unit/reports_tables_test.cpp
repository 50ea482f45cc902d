// The report's data tables (localities, organisations' roles), CSV, and the arithmetic.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "reports/csv.h"
#include "reports/localities.h"
#include "reports/report_access.h"
#include "reports/stats.h"
#include "security/organisation_registry.h"
#include "services/report_operations.h"

namespace sp::reports {
namespace {

std::string repositoryFile(const std::string& path) {
  std::ifstream in(std::string(SP_SOURCE_DIR) + "/" + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// --- CSV ------------------------------------------------------------------------------------

TEST(ReportsCsvTest, ReadsQuotedFieldsAndSkipsComments) {
  const auto rows =
      parseCsv("# a comment\na,b\r\n\"x, y\",\"say \"\"hi\"\"\"\n\"two\nlines\",z", '#');
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].line, 2);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(rows[1].fields, (std::vector<std::string>{"x, y", "say \"hi\""}));
  EXPECT_EQ(rows[2].fields, (std::vector<std::string>{"two\nlines", "z"}));
  EXPECT_EQ(rows[2].line, 4);
  EXPECT_THROW(parseCsv("\"open"), std::invalid_argument);
  EXPECT_THROW(parseCsv("\"a\"b,c"), std::invalid_argument);
}

TEST(ReportsCsvTest, WritesFieldsSafelyForSpreadsheets) {
  EXPECT_EQ(csvText("Walk and Talk"), "Walk and Talk");
  EXPECT_EQ(csvText("Tea, cake"), "\"Tea, cake\"");
  EXPECT_EQ(csvText("The \"best\""), "\"The \"\"best\"\"\"");
  EXPECT_EQ(csvText("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
  EXPECT_EQ(csvText("+44"), "'+44");
  EXPECT_EQ(csvText("@SUM"), "'@SUM");
  EXPECT_EQ(csvText("-1"), "'-1");  // text; numbers are written without csvText
  EXPECT_EQ(csvLine({"a", "1"}), "a,1\r\n");
  const auto back = parseCsv(csvLine({csvText("a,b"), csvText("c\"d")}));
  EXPECT_EQ(back.at(0).fields, (std::vector<std::string>{"a,b", "c\"d"}));
}

// --- Localities -----------------------------------------------------------------------------

TEST(ReportsLocalitiesTest, PostcodeParts) {
  EXPECT_EQ(compactPostcode(" ne99 4qa "), "NE994QA");
  EXPECT_EQ(postcodeDistrict("NE99 4QA"), "NE99");
  EXPECT_EQ(postcodeSector("NE99 4QA"), "NE99 4");
  EXPECT_EQ(postcodeSector("SW1A1AA"), "SW1A 1");
  EXPECT_EQ(postcodeDistrict("M1 1AE"), "M1");
  EXPECT_EQ(compactPostcode("NE99"), "");
  EXPECT_EQ(compactPostcode("NE99-4QA"), "");
  EXPECT_EQ(compactPostcode("NE99 4QA X"), "");
}

TEST(ReportsLocalitiesTest, SectorBeforeDistrict) {
  const auto table = LocalityTable::parse(
      "# places\npostcode,locality,area\nNE99 4,Alderton,rural\nne99,Town,urban\nNE98,Fen,rural\n");
  ASSERT_EQ(table.entries().size(), 3u);
  EXPECT_EQ(table.entries()[1].prefix, "NE99");
  EXPECT_EQ(table.find("ne99 4qa")->locality, "Alderton");
  EXPECT_EQ(table.find("NE99 1AB")->locality, "Town");
  EXPECT_EQ(table.find("NE98 7LN")->area, "rural");
  EXPECT_FALSE(table.find("ZZ9 9ZZ"));
  EXPECT_FALSE(table.find(""));
  EXPECT_EQ(table.indexOf("NE99 4QA"), 0);
  EXPECT_EQ(table.indexOf("NE98 1AA"), 2);
  EXPECT_EQ(table.indexOf("ZZ9 9ZZ"), -1);
  EXPECT_EQ(table.localities(), (std::vector<std::string>{"Alderton", "Town", "Fen"}));
  EXPECT_EQ(table.areas(), (std::vector<std::string>{"rural", "urban"}));
  EXPECT_TRUE(table.hasLocality("Fen"));
  EXPECT_FALSE(table.hasLocality("unknown"));
}

TEST(ReportsLocalitiesTest, RefusesBadTables) {
  const auto fails = [](const std::string& csv, const std::string& words) {
    try {
      LocalityTable::parse(csv);
      ADD_FAILURE() << "accepted: " << csv;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  fails("NE99 4,Alderton,rural\n", "header");
  fails("postcode,locality,area\nNE99 4,Alderton,suburban\n",
        "line 2: area must be rural or urban");
  fails("postcode,locality,area\nNE99 4QA,Alderton,rural\n", "neither a postcode district");
  fails("postcode,locality,area\nNE99,A,rural\nne99,B,urban\n", "line 3: 'NE99' is listed twice");
  fails("postcode,locality,area\nNE99,unknown,rural\n", "kept for postcodes not listed");
  fails("postcode,locality,area\nNE99,Alderton\n", "expected 3 fields");
  fails("", "no header");
}

TEST(ReportsLocalitiesTest, TheProjectTableLoads) {
  const auto table = LocalityTable::parse(repositoryFile("mappings/localities.csv"));
  EXPECT_GE(table.entries().size(), 4u);
  EXPECT_EQ(table.find("NE99 4QA")->locality, "Alderton and Villages");  // the examples' Patient
  EXPECT_EQ(table.find("NE99 4QA")->area, "rural");
  EXPECT_EQ(table.areas().size(), 2u);
}

// --- Who may see reports --------------------------------------------------------------------

TEST(ReportsAccessTest, CommissionersAndDirectoryAdministratorsOnly) {
  const auto access = sp::services::reportAccessOf(
      sp::security::OrganisationRegistry::parse(repositoryFile("certs/organisations.csv")));
  EXPECT_TRUE(access.mayView("COM0001"));   // commissioner
  EXPECT_TRUE(access.mayView("ADM0001"));   // directory-administrator
  EXPECT_FALSE(access.mayView("A81001"));   // GP practice
  EXPECT_FALSE(access.mayView("VCS0001"));  // VCSE provider
  EXPECT_FALSE(access.mayView("NOBODY"));
  EXPECT_FALSE(access.mayView(""));
  EXPECT_EQ(access.roleOf("PCN0001"), "link-worker-service");
  EXPECT_NE(access.refusal("A81001").find("A81001 is a gp-practice"), std::string::npos);
  EXPECT_NE(access.refusal("").find("has none"), std::string::npos);
  EXPECT_NE(access.refusal("XYZ").find("not a known organisation"), std::string::npos);
  EXPECT_FALSE(access.isOpen());
}

TEST(ReportsAccessTest, OpenForDevelopment) {
  const auto open = ReportAccess::open();
  EXPECT_TRUE(open.mayView(""));
  EXPECT_TRUE(open.mayView("A81001"));
  EXPECT_TRUE(open.isOpen());
}

TEST(ReportsAccessTest, RolesAsGiven) {
  const auto access = ReportAccess::withRoles({{"X1", "commissioner"}, {"X2", "gp-practice"}});
  EXPECT_TRUE(access.mayView("X1"));
  EXPECT_FALSE(access.mayView("X2"));
  EXPECT_EQ(access.roleOf("X2"), "gp-practice");
}

// --- Arithmetic -----------------------------------------------------------------------------

TEST(ReportsStatsTest, PercentileInterpolatesBetweenRanks) {
  // The same definition as PostgreSQL's percentile_cont and PERCENTILE.INC.
  const std::vector<double> ten = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
  EXPECT_DOUBLE_EQ(*percentile(ten, 0.5), 5.5);
  EXPECT_DOUBLE_EQ(*percentile(ten, 0.9), 9.1);
  EXPECT_DOUBLE_EQ(*percentile(ten, 0.0), 1);
  EXPECT_DOUBLE_EQ(*percentile(ten, 1.0), 10);
  EXPECT_DOUBLE_EQ(*percentile({4}, 0.9), 4);
  EXPECT_DOUBLE_EQ(*percentile({1, 2, 3}, 0.5), 2);
  EXPECT_DOUBLE_EQ(*percentile({0, 100}, 0.9), 90);
  EXPECT_FALSE(percentile({}, 0.5));
  std::vector<double> sorted = {1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(*percentileOfSorted(sorted, 0.5), 2.5);
}

TEST(ReportsStatsTest, PercentileInPlaceIsExactlyTheSortedAnswer) {
  // Repeats, ties and unsorted input: the same double, bit for bit, as percentile().
  std::vector<double> values;
  for (int i = 0; i < 1001; ++i) values.push_back(((i * 7919) % 613) / 7.0);
  for (double p : {0.0, 0.1, 0.5, 0.9, 0.99, 1.0}) {
    std::vector<double> scratch = values;
    EXPECT_EQ(*percentileInPlace(scratch, p), *percentile(values, p)) << p;
  }
  std::vector<double> one = {4};
  EXPECT_EQ(*percentileInPlace(one, 0.9), 4);
  std::vector<double> none;
  EXPECT_FALSE(percentileInPlace(none, 0.5));
}

TEST(ReportsStatsTest, PercentagesAndNumbers) {
  EXPECT_DOUBLE_EQ(*percentage(1, 4), 25.0);
  EXPECT_FALSE(percentage(0, 0));
  EXPECT_EQ(formatNumber(2.5), "2.5");
  EXPECT_EQ(formatNumber(3.0), "3");
  EXPECT_EQ(formatNumber(2.04), "2");
  EXPECT_EQ(formatNumber(0.126, 2), "0.13");
  EXPECT_EQ(formatNumber(-0.01), "0");
  EXPECT_EQ(formatNumber(std::nullopt), "-");
}

TEST(ReportsStatsTest, DayBuckets) {
  EXPECT_EQ(dayBuckets().size(), 8u);
  EXPECT_EQ(dayBucketOf(0), 0u);
  EXPECT_EQ(dayBucketOf(0.99), 0u);
  EXPECT_EQ(dayBucketOf(1), 1u);
  EXPECT_EQ(dayBucketOf(4.5), 3u);
  EXPECT_EQ(dayBucketOf(13.9), 5u);
  EXPECT_EQ(dayBucketOf(28), 7u);
  EXPECT_EQ(dayBucketOf(400), 7u);
  EXPECT_EQ(dayBuckets()[3].label(), "3-5 days");
  EXPECT_EQ(dayBuckets()[7].label(), "28+ days");
}

}  // namespace
}  // namespace sp::reports

// --- Configuration --------------------------------------------------------------------------

#include "app/config.h"

namespace sp::reports {
namespace {

TEST(ReportsConfigTest, TablesBesideTheProfilesByDefault) {
  const auto none = [](const std::string&) { return std::optional<std::string>(); };
  app::Config c = app::parseConfig({"--profiles-dir", "/srv/sp/fhir-profiles"}, none);
  EXPECT_EQ(c.localitiesFile, "/srv/sp/mappings/localities.csv");
  EXPECT_EQ(c.organisationsFile, "/srv/sp/certs/organisations.csv");
  EXPECT_FALSE(c.devOpenReports);
  c = app::parseConfig({}, none);
  EXPECT_EQ(c.localitiesFile, "mappings/localities.csv");
  EXPECT_EQ(c.organisationsFile, "certs/organisations.csv");
  c = app::parseConfig({"--localities-file", "/etc/places.csv",
                        "--organisations-file=/etc/orgs.csv", "--dev-open-reports"},
                       none);
  EXPECT_EQ(c.localitiesFile, "/etc/places.csv");
  EXPECT_EQ(c.organisationsFile, "/etc/orgs.csv");
  EXPECT_TRUE(c.devOpenReports);
  const auto env = [](const std::string& name) {
    return name == "SP_DEV_OPEN_REPORTS" ? std::optional<std::string>("1") : std::nullopt;
  };
  EXPECT_TRUE(app::parseConfig({}, env).devOpenReports);
  EXPECT_NE(app::usage().find("--dev-open-reports"), std::string::npos);
}

}  // namespace
}  // namespace sp::reports
