#include "search/date_range.h"

namespace sp::search {
namespace {

using Precision = fhirpath::TemporalPrecision;

constexpr std::int64_t kMillisPerMinute = 60 * 1000;
constexpr std::int64_t kMillisPerHour = 60 * kMillisPerMinute;
constexpr std::int64_t kMillisPerDay = 24 * kMillisPerHour;

// Days from 1970-01-01 to a proleptic Gregorian date (month 1-12; month 13 is January of the
// next year, so the end of a December needs no special case).
std::int64_t daysFromCivil(std::int64_t year, int month, int day) {
  if (month > 12) {
    month -= 12;
    ++year;
  }
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const std::int64_t yearOfEra = year - era * 400;
  const std::int64_t shiftedMonth = month > 2 ? month - 3 : month + 9;  // March is 0
  const std::int64_t dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1;
  const std::int64_t dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

}  // namespace

std::optional<DateRange> dateRange(const fhirpath::Temporal& t) {
  if (t.kind == fhirpath::TemporalKind::kTime) return std::nullopt;
  const bool hasTime = t.kind == fhirpath::TemporalKind::kDateTime && t.precision > Precision::kDay;
  const std::int64_t offset = hasTime && t.hasTimezone ? t.offsetMinutes * kMillisPerMinute : 0;
  switch (t.precision) {
    case Precision::kYear:
      return DateRange{daysFromCivil(t.year, 1, 1) * kMillisPerDay,
                       daysFromCivil(t.year + 1, 1, 1) * kMillisPerDay};
    case Precision::kMonth:
      return DateRange{daysFromCivil(t.year, t.month, 1) * kMillisPerDay,
                       daysFromCivil(t.year, t.month + 1, 1) * kMillisPerDay};
    case Precision::kDay: {
      const std::int64_t low = daysFromCivil(t.year, t.month, t.day) * kMillisPerDay;
      return DateRange{low, low + kMillisPerDay};
    }
    default:
      break;
  }
  std::int64_t low =
      daysFromCivil(t.year, t.month, t.day) * kMillisPerDay + t.hour * kMillisPerHour - offset;
  std::int64_t width = kMillisPerHour;
  if (t.precision >= Precision::kMinute) {
    low += t.minute * kMillisPerMinute;
    width = kMillisPerMinute;
  }
  if (t.precision >= Precision::kSecond) {
    low += t.second * 1000 + t.millisecond;
    width = t.fractionDigits > 0 ? 1 : 1000;
  }
  return DateRange{low, low + width};
}

std::optional<DateRange> dateRange(std::string_view text) {
  const auto value = fhirpath::Temporal::parseDateTime(text);
  if (!value) return std::nullopt;
  return dateRange(*value);
}

}  // namespace sp::search
