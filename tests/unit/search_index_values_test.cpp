// The value helpers of search indexing: string normalisation and the time range of a date.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "fhir/ids.h"
#include "search/date_range.h"
#include "search/string_normaliser.h"

namespace sp::search {
namespace {

std::int64_t epochMillis(const char* instant) {
  const auto t = fhir::parseInstant(instant);
  EXPECT_TRUE(t.has_value()) << instant;
  return std::chrono::duration_cast<std::chrono::milliseconds>(t->time_since_epoch()).count();
}

TEST(SearchNormalise, LowerCasesAndFoldsLatinAccents) {
  EXPECT_EQ(normaliseForSearch("Zoë Ångström"), "zoe angstrom");
  EXPECT_EQ(normaliseForSearch("Straße"), "strasse");
  EXPECT_EQ(normaliseForSearch("ÆSIR Œuvre þorn Łódź"), "aesir oeuvre thorn lodz");
  EXPECT_EQ(normaliseForSearch("Çà Ñ É Ÿ ÿ Ĳssel"), "ca n e y y ijssel");
  EXPECT_EQ(normaliseForSearch("Dvořák Šťastný Ștefan"), "dvorak stastny stefan");
  EXPECT_EQ(normaliseForSearch("NE99 4QA"), "ne99 4qa");
}

TEST(SearchNormalise, DropsCombiningMarksOfDecomposedText) {
  EXPECT_EQ(normaliseForSearch("Zoe\xCC\x88"), "zoe");  // e + COMBINING DIAERESIS
}

TEST(SearchNormalise, KeepsOtherCharactersAndInvalidBytes) {
  EXPECT_EQ(normaliseForSearch("2×3÷4"), "2×3÷4");
  EXPECT_EQ(normaliseForSearch("Ωμέγα 日本"), "Ωμέγα 日本");
  EXPECT_EQ(normaliseForSearch(std::string("a\xC3") + "B"), std::string("a\xC3") + "b");
  EXPECT_EQ(normaliseForSearch("\xFF\xFE"), "\xFF\xFE");
  EXPECT_EQ(normaliseForSearch(""), "");
}

TEST(SearchDateRange, CoversTheValuesPrecision) {
  const auto year = dateRange("2026");
  ASSERT_TRUE(year);
  EXPECT_EQ(year->low, epochMillis("2026-01-01T00:00:00Z"));
  EXPECT_EQ(year->high, epochMillis("2027-01-01T00:00:00Z"));

  const auto december = dateRange("2025-12");
  ASSERT_TRUE(december);
  EXPECT_EQ(december->low, epochMillis("2025-12-01T00:00:00Z"));
  EXPECT_EQ(december->high, epochMillis("2026-01-01T00:00:00Z"));

  const auto leapDay = dateRange("2024-02-29");
  ASSERT_TRUE(leapDay);
  EXPECT_EQ(leapDay->low, epochMillis("2024-02-29T00:00:00Z"));
  EXPECT_EQ(leapDay->high, epochMillis("2024-03-01T00:00:00Z"));

  const auto second = dateRange("2026-03-02T09:14:05+01:00");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->low, epochMillis("2026-03-02T08:14:05Z"));
  EXPECT_EQ(second->high - second->low, 1000);

  const auto milli = dateRange("2026-03-02T09:14:05.25Z");
  ASSERT_TRUE(milli);
  EXPECT_EQ(milli->low, epochMillis("2026-03-02T09:14:05.250Z"));
  EXPECT_EQ(milli->high - milli->low, 1);
}

TEST(SearchDateRange, ZonelessValuesAreUtcAndOldDatesWork) {
  const auto zoneless = dateRange("2026-03-02T23:30:00");
  ASSERT_TRUE(zoneless);
  EXPECT_EQ(zoneless->low, epochMillis("2026-03-02T23:30:00Z"));
  const auto negative = dateRange("2026-03-02T00:30:00-05:00");
  ASSERT_TRUE(negative);
  EXPECT_EQ(negative->low, epochMillis("2026-03-02T05:30:00Z"));
  const auto early = dateRange("1948-07-19");
  ASSERT_TRUE(early);
  EXPECT_EQ(early->low, epochMillis("1948-07-19T00:00:00Z"));
  const auto ancient = dateRange("0001-01-01");  // beyond a TimePoint, not beyond int64 millis
  ASSERT_TRUE(ancient);
  EXPECT_EQ(ancient->low, -62135596800000LL);
}

TEST(SearchDateRange, RejectsWhatIsNotADate) {
  EXPECT_FALSE(dateRange("10:30:00"));
  EXPECT_FALSE(dateRange("2026-02-30"));
  EXPECT_FALSE(dateRange("2026-13"));
  EXPECT_FALSE(dateRange("yesterday"));
  EXPECT_FALSE(dateRange(""));
}

}  // namespace
}  // namespace sp::search
