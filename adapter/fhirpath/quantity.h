// FHIRPath Quantity: a decimal value with a unit (a UCUM code such as 'mg', or a calendar
// duration word such as `year`).
//
// Contract: quantities compare when their units share a dimension this engine knows: time
// (ms, s, min, h, d, wk and the calendar words week..millisecond), mass (ug, mg, g, kg), volume
// (uL, mL, dL, L) and length (mm, cm, m, km); any other unit only compares with itself. Calendar
// `year`/`month` equal themselves but, for `=`, not UCUM 'a'/'mo' (the specification treats them
// as different); for `~` they are the same. Full UCUM conversion is not supported.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "fhirpath/decimal.h"

namespace sp::fhirpath {

struct Quantity {
  Decimal value;
  std::string unit;
};

// year, years, month, ..., millisecond, milliseconds.
bool isCalendarUnit(std::string_view word);

// -1, 0 or 1; nullopt when the units are not comparable. `forEquivalence` joins year with 'a'
// and month with 'mo'.
std::optional<int> compareQuantities(const Quantity& a, const Quantity& b,
                                     bool forEquivalence = false);
// ~ : comparable units and values equal when rounded to the less precise of the two.
bool quantitiesEquivalent(const Quantity& a, const Quantity& b);
// a + sign * b in a's unit; nullopt when the units are not comparable.
std::optional<Quantity> addQuantities(const Quantity& a, const Quantity& b, int sign);

// "4 'mg'", "1 'year'" (the FHIRPath string form).
std::string quantityToString(const Quantity& q);
// Equal for quantities that are `=`.
std::string quantityKey(const Quantity& q);

}  // namespace sp::fhirpath
