// The time range a FHIR date, dateTime or instant stands for, as date search compares it.
//
// A value covers the whole of its precision: "2026" is the year 2026, "2026-03" March 2026,
// "2026-03-02" that day, "2026-03-02T09:14:05Z" that second and "2026-03-02T09:14:05.250Z" that
// millisecond. Values without a time zone (dates, and dateTimes written without one) are taken
// as UTC. Ranges are [low, high) in epoch milliseconds. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include "fhirpath/temporal.h"

namespace sp::search {

inline constexpr std::int64_t kOpenLow = std::numeric_limits<std::int64_t>::min();
inline constexpr std::int64_t kOpenHigh = std::numeric_limits<std::int64_t>::max();

struct DateRange {
  std::int64_t low = kOpenLow;    // inclusive
  std::int64_t high = kOpenHigh;  // exclusive
};

// The range of a date or dateTime value; nullopt for a time of day.
std::optional<DateRange> dateRange(const fhirpath::Temporal& value);
// The range of FHIR date/dateTime/instant text; nullopt when it is not one.
std::optional<DateRange> dateRange(std::string_view text);

}  // namespace sp::search
