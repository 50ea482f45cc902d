// FHIRPath Date, DateTime and Time values with partial precision.
//
// Contract: values are parsed from FHIR text ("2020", "2020-01-02", "2020-01-02T10:00:00.5+01:00")
// or FHIRPath literal text without the '@' ("2015T", "T14:30"). Seconds and milliseconds form
// one precision, as the specification says. Comparison normalises values with a time zone to
// UTC; a DateTime without a zone is taken as UTC (the engine's "local" zone). When two values
// agree up to the coarser of their precisions but the precisions differ, the order is uncertain
// (the operators then return empty).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fhirpath/decimal.h"

namespace sp::fhirpath {

enum class TemporalKind { kDate, kDateTime, kTime };
enum class TemporalPrecision { kYear, kMonth, kDay, kHour, kMinute, kSecond };

struct Temporal {
  TemporalKind kind = TemporalKind::kDate;
  TemporalPrecision precision = TemporalPrecision::kYear;
  int year = 0;
  int month = 1;
  int day = 1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int millisecond = 0;
  int fractionDigits = 0;  // digits written after the seconds' '.', for toString
  bool hasTimezone = false;
  int offsetMinutes = 0;

  // A date or dateTime ("2020-01", "2020-01-02T10:00Z", "2015T"); the kind follows the form.
  static std::optional<Temporal> parseDateTime(std::string_view text);
  // A time of day ("10", "10:30", "10:30:00.250"), with or without a leading 'T'.
  static std::optional<Temporal> parseTime(std::string_view text);
  // Either of the above.
  static std::optional<Temporal> parseAny(std::string_view text);

  // FHIR text: "2020-01-02", "2020-01-02T10:00:00.500+01:00", "10:30".
  std::string toString() const;
  // A string equal for values that are `=` (zone-normalised, precision included).
  std::string equalityKey() const;
  // The same instant reduced to `precision` (toDate, for instance).
  Temporal truncatedTo(TemporalPrecision precision) const;
};

enum class TemporalOrder { kLess, kEqual, kGreater, kUncertain, kIncompatible };

// kIncompatible when a Time meets a Date or DateTime.
TemporalOrder compareTemporal(const Temporal& a, const Temporal& b);

// value + amount unit, for calendar units (year(s), month(s), week(s), day(s), hour(s),
// minute(s), second(s), millisecond(s)) and the UCUM codes a, mo, wk, d, h, min, s, ms.
// The amount is converted to the value's precision and truncated, as the specification says.
// nullopt when the unit is not a time unit or does not apply (years to a Time).
std::optional<Temporal> addDuration(const Temporal& value, const Decimal& amount,
                                    const std::string& unit);

}  // namespace sp::fhirpath
