// The search parser's limits on hostile queries: _count clamped (and the links say the page
// size served), too many parameters refused, huge numbers and dates refused.
#include <gtest/gtest.h>

#include <string>

#include "fhir/definitions.h"
#include "fhir/errors.h"
#include "search/index_extractor.h"
#include "search/query_parser.h"

namespace sp::search {
namespace {

const IndexExtractor& extractor() {
  static const fhir::Definitions defs =
      fhir::Definitions::load(std::string(SP_SOURCE_DIR) + "/fhir-profiles");
  static const IndexExtractor instance(defs);
  return instance;
}

ParsedSearch search(const std::vector<std::pair<std::string, std::string>>& params,
                    std::size_t maxParameters = 50) {
  SearchLimits limits;
  limits.maxCount = 100;
  limits.maxParameters = maxParameters;
  return parseSearch("Patient", params, extractor(), limits, false);
}

std::string linkValue(const ParsedSearch& parsed, const std::string& name) {
  for (const auto& [n, v] : parsed.linkParams) {
    if (n == name) return v;
  }
  return "<absent>";
}

TEST(SearchQueryLimits, CountOverTheMaximumIsClampedAndTheLinkSaysSo) {
  const ParsedSearch huge = search({{"_count", "99999999999999999999999"}});
  EXPECT_EQ(huge.request.count, 100);
  EXPECT_EQ(linkValue(huge, "_count"), "100");
  const ParsedSearch small = search({{"_count", "7"}});
  EXPECT_EQ(small.request.count, 7);
  EXPECT_EQ(linkValue(small, "_count"), "7");
}

TEST(SearchQueryLimits, BadCountsAreRefused) {
  for (const char* count : {"-1", "ten", "", "1;DROP", "1e3"}) {
    EXPECT_THROW(search({{"_count", count}}), fhir::FhirError) << count;
  }
}

TEST(SearchQueryLimits, TooManyParametersAreRefused) {
  std::vector<std::pair<std::string, std::string>> params(4, {"name", "a"});
  EXPECT_NO_THROW(search(params, 4));
  params.emplace_back("name", "b");
  EXPECT_THROW(search(params, 4), fhir::FhirError);
}

TEST(SearchQueryLimits, HugeNumbersAndDatesAreRefused) {
  EXPECT_THROW(search({{"birthdate", "99999999999999999999-01-01"}}), fhir::FhirError);
  EXPECT_THROW(search({{"birthdate", "ge2000-99-99"}}), fhir::FhirError);
  EXPECT_THROW(search({{"_lastUpdated", "gt9999999999"}}), fhir::FhirError);
  EXPECT_THROW(parseSearch("RiskAssessment", {{"probability", "1e999999"}}, extractor(), {}, false),
               fhir::FhirError);
  EXPECT_THROW(parseSearch("RiskAssessment", {{"probability", std::string(400, '9')}}, extractor(),
                           {}, false),
               fhir::FhirError);
}

// FHIR dates run to the year 9999, past what a nanosecond clock holds (2262-04-11); ranges are
// epoch milliseconds (issue 19: le9999-12-31 is a common "no upper bound").
TEST(SearchQueryLimits, DatesRunToTheYear9999) {
  constexpr std::int64_t kDay = 86400000;
  const auto range = [](const std::string& value) {
    const ParsedSearch parsed = search({{"birthdate", value}});
    const auto& v = parsed.request.criteria.at(0).values.at(0);
    return std::make_pair(v.low, v.high);
  };
  const std::int64_t lastDay = 253402214400000;  // 9999-12-31T00:00:00Z
  EXPECT_EQ(range("le9999-12-31"), std::make_pair(lastDay, lastDay + kDay));
  EXPECT_EQ(range("9999"), std::make_pair(lastDay - 364 * kDay, lastDay + kDay));
  EXPECT_EQ(range("9999-12"), std::make_pair(lastDay - 30 * kDay, lastDay + kDay));
  EXPECT_EQ(range("2262-04-12T00:00:00Z"),
            std::make_pair(std::int64_t{9223372800000}, std::int64_t{9223372801000}));
  EXPECT_EQ(range("2024-02"),  // a leap February ends on the 29th
            std::make_pair(std::int64_t{1706745600000}, std::int64_t{1709251200000}));
  EXPECT_EQ(range("1066-10-14").first, -28502755200000);
  EXPECT_THROW(search({{"birthdate", "le10000-01-01"}}), fhir::FhirError);
  EXPECT_THROW(search({{"birthdate", "9999-02-29"}}), fhir::FhirError);
}

}  // namespace
}  // namespace sp::search
