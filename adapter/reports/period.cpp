#include "reports/period.h"

#include <algorithm>
#include <cstdio>

#include "fhir/errors.h"

namespace sp::reports {
namespace {

constexpr std::int64_t kDayMillis = 86400000;
constexpr std::int64_t kHourMillis = 3600000;
constexpr std::int64_t kMaxPeriodDays = 3653;  // ten years

const char* const kMonthNames[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};

bool isLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int daysInMonth(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeap(year) ? 29 : kDays[month - 1];
}

// The last Sunday of a month (1970-01-01 was a Thursday).
Date lastSunday(int year, int month) {
  const Date last{year, month, daysInMonth(year, month)};
  const std::int64_t days = daysFromEpoch(last);
  const std::int64_t weekday = ((days % 7) + 7 + 4) % 7;  // 0 = Sunday
  return addDays(last, -weekday);
}

[[noreturn]] void invalid(const std::string& diagnostics) {
  throw fhir::FhirError(fhir::ErrorKind::kInvalid, "invalid", diagnostics, "period");
}

}  // namespace

std::optional<Date> parseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (text[i] < '0' || text[i] > '9') return std::nullopt;
  }
  const auto digits = [&](std::size_t from, std::size_t n) {
    int v = 0;
    for (std::size_t i = from; i < from + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  Date d{digits(0, 4), digits(5, 2), digits(8, 2)};
  if (d.year < 1900 || d.year > 2999 || d.month < 1 || d.month > 12 || d.day < 1 ||
      d.day > daysInMonth(d.year, d.month)) {
    return std::nullopt;
  }
  return d;
}

std::string formatDate(const Date& date) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", date.year, date.month, date.day);
  return buffer;
}

std::string formatLongDate(const Date& date) {
  return std::to_string(date.day) + " " + kMonthNames[date.month - 1] + " " +
         std::to_string(date.year);
}

// Howard Hinnant's days_from_civil and civil_from_days.
std::int64_t daysFromEpoch(const Date& date) {
  const std::int64_t y = date.year - (date.month <= 2 ? 1 : 0);
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yoe = y - era * 400;
  const std::int64_t mp = (date.month + 9) % 12;
  const std::int64_t doy = (153 * mp + 2) / 5 + date.day - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date dateFromDays(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t doe = days - era * 146097;
  const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const std::int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return Date{year, month, day};
}

Date addDays(const Date& date, std::int64_t days) {
  return dateFromDays(daysFromEpoch(date) + days);
}

Date addMonths(const Date& date, int months) {
  const int index = date.year * 12 + (date.month - 1) + months;
  const int year = index / 12;
  const int month = index % 12 + 1;
  const int day = std::min(date.day, daysInMonth(year, month));
  return Date{year, month, day};
}

bool isBritishSummerTime(std::int64_t utcMillis) {
  const Date utcDay = dateFromDays(utcMillis >= 0 ? utcMillis / kDayMillis
                                                  : (utcMillis - kDayMillis + 1) / kDayMillis);
  const std::int64_t start = daysFromEpoch(lastSunday(utcDay.year, 3)) * kDayMillis + kHourMillis;
  const std::int64_t end = daysFromEpoch(lastSunday(utcDay.year, 10)) * kDayMillis + kHourMillis;
  return utcMillis >= start && utcMillis < end;
}

std::int64_t ukMidnightMillis(const Date& date) {
  const std::int64_t utcMidnight = daysFromEpoch(date) * kDayMillis;
  // Local midnight is an hour earlier in UTC while BST is in force. At midnight the clocks
  // never change (they change at 01:00 UTC), so the UTC instant an hour earlier decides.
  return isBritishSummerTime(utcMidnight - kHourMillis) ? utcMidnight - kHourMillis : utcMidnight;
}

Date ukDateAt(std::int64_t utcMillis) {
  const std::int64_t local = utcMillis + (isBritishSummerTime(utcMillis) ? kHourMillis : 0);
  return dateFromDays(local >= 0 ? local / kDayMillis : (local - kDayMillis + 1) / kDayMillis);
}

Date ukDateAt(fhir::TimePoint t) {
  return ukDateAt(static_cast<std::int64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()));
}

std::string ReportPeriod::text() const { return formatDate(first) + "/" + formatDate(last); }

std::string ReportPeriod::describe() const {
  return formatLongDate(first) + " to " + formatLongDate(last);
}

std::int64_t ReportPeriod::days() const { return daysFromEpoch(last) - daysFromEpoch(first) + 1; }

ReportPeriod periodOf(const Date& first, const Date& last) {
  ReportPeriod p;
  p.first = first;
  p.last = last;
  p.fromMillis = ukMidnightMillis(first);
  p.toMillis = ukMidnightMillis(addDays(last, 1));
  return p;
}

ReportPeriod parsePeriod(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    invalid("period must be two dates, first and last day: YYYY-MM-DD/YYYY-MM-DD (got '" +
            std::string(text) + "')");
  }
  const auto first = parseDate(text.substr(0, slash));
  const auto last = parseDate(text.substr(slash + 1));
  if (!first || !last) {
    invalid("period must be two real calendar dates, YYYY-MM-DD/YYYY-MM-DD (got '" +
            std::string(text) + "')");
  }
  if (*last < *first) {
    invalid("period ends (" + formatDate(*last) + ") before it starts (" + formatDate(*first) +
            ")");
  }
  if (daysFromEpoch(*last) - daysFromEpoch(*first) + 1 > kMaxPeriodDays) {
    invalid("period is longer than ten years");
  }
  return periodOf(*first, *last);
}

ReportPeriod defaultPeriod(const Date& today) {
  return periodOf(addDays(addMonths(today, -12), 1), today);
}

}  // namespace sp::reports
