#include "fhirpath/quantity.h"

#include <array>
#include <utility>

namespace sp::fhirpath {
namespace {

struct UnitInfo {
  const char* unit;
  const char* dimension;
  const char* factor;  // in the dimension's base unit
};

constexpr std::array<UnitInfo, 22> kUnits = {{
    {"ms", "time", "0.001"},   {"s", "time", "1"},         {"min", "time", "60"},
    {"h", "time", "3600"},     {"d", "time", "86400"},     {"wk", "time", "604800"},
    {"year", "year", "1"},     {"month", "month", "1"},    {"a", "a", "1"},
    {"mo", "mo", "1"},         {"ug", "mass", "0.000001"}, {"mg", "mass", "0.001"},
    {"g", "mass", "1"},        {"kg", "mass", "1000"},     {"uL", "volume", "0.000001"},
    {"mL", "volume", "0.001"}, {"dL", "volume", "0.1"},    {"L", "volume", "1"},
    {"mm", "length", "0.001"}, {"cm", "length", "0.01"},   {"m", "length", "1"},
    {"km", "length", "1000"},
}};

constexpr std::array<std::pair<const char*, const char*>, 16> kCalendarWords = {{
    {"year", "year"},
    {"years", "year"},
    {"month", "month"},
    {"months", "month"},
    {"week", "wk"},
    {"weeks", "wk"},
    {"day", "d"},
    {"days", "d"},
    {"hour", "h"},
    {"hours", "h"},
    {"minute", "min"},
    {"minutes", "min"},
    {"second", "s"},
    {"seconds", "s"},
    {"millisecond", "ms"},
    {"milliseconds", "ms"},
}};

std::string canonicalUnit(const std::string& unit) {
  for (const auto& [word, code] : kCalendarWords) {
    if (unit == word) return code;
  }
  return unit;
}

struct Normalised {
  std::string dimension;
  Decimal value;  // in the base unit
};

Normalised normalise(const Quantity& q, bool forEquivalence) {
  const std::string unit = canonicalUnit(q.unit);
  for (const auto& info : kUnits) {
    if (unit != info.unit) continue;
    std::string dimension = info.dimension;
    if (forEquivalence && dimension == "a") dimension = "year";
    if (forEquivalence && dimension == "mo") dimension = "month";
    return {dimension, Decimal::multiply(q.value, *Decimal::parse(info.factor))};
  }
  return {"unit:" + unit, q.value};
}

}  // namespace

bool isCalendarUnit(std::string_view word) {
  for (const auto& entry : kCalendarWords) {
    if (word == entry.first) return true;
  }
  return false;
}

std::optional<int> compareQuantities(const Quantity& a, const Quantity& b, bool forEquivalence) {
  const Normalised x = normalise(a, forEquivalence);
  const Normalised y = normalise(b, forEquivalence);
  if (x.dimension != y.dimension) return std::nullopt;
  return Decimal::compare(x.value, y.value);
}

bool quantitiesEquivalent(const Quantity& a, const Quantity& b) {
  const Normalised x = normalise(a, true);
  const Normalised y = normalise(b, true);
  if (x.dimension != y.dimension) return false;
  const int scale = x.value.scale() < y.value.scale() ? x.value.scale() : y.value.scale();
  return Decimal::compare(x.value.roundedTo(scale), y.value.roundedTo(scale)) == 0;
}

std::optional<Quantity> addQuantities(const Quantity& a, const Quantity& b, int sign) {
  const Decimal bValue = sign < 0 ? b.value.negated() : b.value;
  if (canonicalUnit(a.unit) == canonicalUnit(b.unit)) {
    return Quantity{Decimal::add(a.value, bValue), a.unit};
  }
  const Normalised x = normalise(a, false);
  const Normalised y = normalise(Quantity{bValue, b.unit}, false);
  if (x.dimension != y.dimension) return std::nullopt;
  // Express the sum in a's unit: a + y / factor(a).
  const Normalised one = normalise(Quantity{Decimal::fromInteger(1), a.unit}, false);
  const auto converted = Decimal::divide(y.value, one.value);
  if (!converted) return std::nullopt;
  return Quantity{Decimal::add(a.value, *converted), a.unit};
}

std::string quantityToString(const Quantity& q) { return q.value.toString() + " '" + q.unit + "'"; }

std::string quantityKey(const Quantity& q) {
  const Normalised n = normalise(q, false);
  return n.dimension + ":" + n.value.trimmed().toString();
}

}  // namespace sp::fhirpath
