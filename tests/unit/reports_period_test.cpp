// Report periods: UK calendar days, BST boundaries, parsing and defaults.
#include <gtest/gtest.h>

#include "fhir/errors.h"
#include "reports/period.h"

namespace sp::reports {
namespace {

constexpr std::int64_t kHour = 3600000;
constexpr std::int64_t kDay = 24 * kHour;

std::int64_t utcMidnight(int y, int m, int d) { return daysFromEpoch(Date{y, m, d}) * kDay; }

TEST(ReportsPeriodTest, ParsesRealCalendarDatesOnly) {
  EXPECT_EQ(parseDate("2026-03-31"), (Date{2026, 3, 31}));
  EXPECT_EQ(parseDate("2024-02-29"), (Date{2024, 2, 29}));
  EXPECT_FALSE(parseDate("2026-02-29"));
  EXPECT_FALSE(parseDate("2026-13-01"));
  EXPECT_FALSE(parseDate("2026-04-31"));
  EXPECT_FALSE(parseDate("2026-4-01"));
  EXPECT_FALSE(parseDate("26-04-01"));
  EXPECT_FALSE(parseDate("2026-04-01T00:00"));
  EXPECT_FALSE(parseDate(""));
}

TEST(ReportsPeriodTest, DaysRoundTrip) {
  EXPECT_EQ(daysFromEpoch(Date{1970, 1, 1}), 0);
  EXPECT_EQ(daysFromEpoch(Date{2026, 1, 1}), 20454);
  for (std::int64_t d = 19000; d < 21000; d += 37) {
    EXPECT_EQ(daysFromEpoch(dateFromDays(d)), d);
  }
  EXPECT_EQ(addDays(Date{2026, 12, 31}, 1), (Date{2027, 1, 1}));
  EXPECT_EQ(addMonths(Date{2026, 8, 31}, -6), (Date{2026, 2, 28}));
  EXPECT_EQ(addMonths(Date{2024, 8, 31}, -6), (Date{2024, 2, 29}));
  EXPECT_EQ(addMonths(Date{2026, 1, 15}, -12), (Date{2025, 1, 15}));
  EXPECT_EQ(addMonths(Date{2026, 11, 30}, 3), (Date{2027, 2, 28}));
}

TEST(ReportsPeriodTest, BritishSummerTimeStartsAndEndsAtOneUtc) {
  // 2026: BST from 29 March 01:00 UTC to 25 October 01:00 UTC.
  EXPECT_FALSE(isBritishSummerTime(utcMidnight(2026, 3, 29) + kHour - 1));
  EXPECT_TRUE(isBritishSummerTime(utcMidnight(2026, 3, 29) + kHour));
  EXPECT_TRUE(isBritishSummerTime(utcMidnight(2026, 10, 25) + kHour - 1));
  EXPECT_FALSE(isBritishSummerTime(utcMidnight(2026, 10, 25) + kHour));
  EXPECT_FALSE(isBritishSummerTime(utcMidnight(2026, 1, 15)));
  EXPECT_TRUE(isBritishSummerTime(utcMidnight(2026, 7, 15)));
}

TEST(ReportsPeriodTest, UkMidnightIsAnHourEarlierInSummer) {
  EXPECT_EQ(ukMidnightMillis(Date{2026, 1, 1}), utcMidnight(2026, 1, 1));
  EXPECT_EQ(ukMidnightMillis(Date{2026, 4, 1}), utcMidnight(2026, 4, 1) - kHour);
  // The clocks change at 01:00 UTC, so midnight starting the change day is still GMT in March
  // and still BST in October.
  EXPECT_EQ(ukMidnightMillis(Date{2026, 3, 29}), utcMidnight(2026, 3, 29));
  EXPECT_EQ(ukMidnightMillis(Date{2026, 3, 30}), utcMidnight(2026, 3, 30) - kHour);
  EXPECT_EQ(ukMidnightMillis(Date{2026, 10, 25}), utcMidnight(2026, 10, 25) - kHour);
  EXPECT_EQ(ukMidnightMillis(Date{2026, 10, 26}), utcMidnight(2026, 10, 26));
}

TEST(ReportsPeriodTest, UkDateOfAnInstant) {
  // 23:30 UTC on 31 March 2026 is 00:30 BST on 1 April.
  EXPECT_EQ(ukDateAt(utcMidnight(2026, 3, 31) + 23 * kHour + 30 * 60000), (Date{2026, 4, 1}));
  EXPECT_EQ(ukDateAt(utcMidnight(2026, 1, 31) + 23 * kHour + 30 * 60000), (Date{2026, 1, 31}));
}

TEST(ReportsPeriodTest, PeriodIncludesItsLastDay) {
  const ReportPeriod q1 = parsePeriod("2026-01-01/2026-03-31");
  EXPECT_EQ(q1.first, (Date{2026, 1, 1}));
  EXPECT_EQ(q1.last, (Date{2026, 3, 31}));
  EXPECT_EQ(q1.fromMillis, utcMidnight(2026, 1, 1));
  EXPECT_EQ(q1.toMillis, utcMidnight(2026, 4, 1) - kHour);  // midnight BST
  EXPECT_EQ(q1.days(), 90);
  EXPECT_EQ(q1.text(), "2026-01-01/2026-03-31");
  EXPECT_EQ(q1.describe(), "1 January 2026 to 31 March 2026");
  const ReportPeriod day = parsePeriod("2026-06-01/2026-06-01");
  EXPECT_EQ(day.toMillis - day.fromMillis, kDay);
}

TEST(ReportsPeriodTest, RefusesBadPeriods) {
  for (const char* bad : {"2026-01-01", "2026-01-01/", "/2026-01-01", "2026-03-31/2026-01-01",
                          "2026-01-01/2026-02-30", "2010-01-01/2026-01-01", "last quarter"}) {
    try {
      parsePeriod(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const fhir::FhirError& e) {
      EXPECT_EQ(e.kind(), fhir::ErrorKind::kInvalid) << bad;
      EXPECT_EQ(e.issues().at(0).expression, "period");
    }
  }
}

TEST(ReportsPeriodTest, DefaultIsTheTwelveMonthsUpToToday) {
  const ReportPeriod p = defaultPeriod(Date{2026, 11, 25});
  EXPECT_EQ(p.first, (Date{2025, 11, 26}));
  EXPECT_EQ(p.last, (Date{2026, 11, 25}));
  EXPECT_EQ(defaultPeriod(Date{2024, 2, 29}).first, (Date{2023, 3, 1}));
}

}  // namespace
}  // namespace sp::reports
