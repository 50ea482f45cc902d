// The period a report covers: whole days in UK local time (Europe/London: GMT, or BST from
// 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October), first and
// last day included. A referral authored at 00:30 BST on 1 April belongs to April. Pure;
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fhir/ids.h"

namespace sp::reports {

struct Date {
  int year = 1970;
  int month = 1;
  int day = 1;
  bool operator==(const Date& o) const {
    return year == o.year && month == o.month && day == o.day;
  }
  bool operator<(const Date& o) const {
    return year != o.year ? year < o.year : month != o.month ? month < o.month : day < o.day;
  }
  bool operator<=(const Date& o) const { return !(o < *this); }
};

// YYYY-MM-DD (a real calendar day, years 1900-2999); nullopt otherwise.
std::optional<Date> parseDate(std::string_view text);
std::string formatDate(const Date& date);      // 2026-03-31
std::string formatLongDate(const Date& date);  // 31 March 2026
std::int64_t daysFromEpoch(const Date& date);  // 1970-01-01 is 0
Date dateFromDays(std::int64_t days);
Date addDays(const Date& date, std::int64_t days);
// The same day `months` months later (earlier when negative), or the month's last day when it
// has no such day (31 August minus six months is 28 or 29 February).
Date addMonths(const Date& date, int months);

// Whether UK clocks show BST at this UTC instant.
bool isBritishSummerTime(std::int64_t utcMillis);
// The UTC instant (epoch milliseconds) of midnight at the start of a UK calendar day.
std::int64_t ukMidnightMillis(const Date& date);
// The UK calendar day at a UTC instant.
Date ukDateAt(std::int64_t utcMillis);
Date ukDateAt(fhir::TimePoint t);

struct ReportPeriod {
  Date first;                    // included
  Date last;                     // included
  std::int64_t fromMillis = 0;   // midnight UK time starting `first`
  std::int64_t toMillis = 0;     // midnight UK time after `last` (excluded)
  std::string text() const;      // "2026-01-01/2026-03-31"
  std::string describe() const;  // "1 January 2026 to 31 March 2026"
  std::int64_t days() const;
};

ReportPeriod periodOf(const Date& first, const Date& last);

// "YYYY-MM-DD/YYYY-MM-DD". Throws fhir::FhirError(kInvalid) saying what is wrong: not two dates,
// the last before the first, or longer than ten years.
ReportPeriod parsePeriod(std::string_view text);
// The twelve months up to and including `today`.
ReportPeriod defaultPeriod(const Date& today);

}  // namespace sp::reports
