// An exact decimal number for FHIRPath arithmetic: a 128-bit integer mantissa and a base-10 scale
// (value = mantissa * 10^-scale), so `0.1 + 0.2 = 0.3` holds and `1.50` keeps its precision.
//
// Contract: at most 38 significant digits. Parsing something larger (or with more than 38
// fraction digits) yields nullopt; arithmetic that would overflow throws
// FhirPathEvaluationError. Values are immutable and cheap to copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sp::fhirpath {

class Decimal {
 public:
  Decimal() = default;
  static Decimal fromInteger(std::int64_t value);
  // "12", "-1.50", "+3", "1e3", "1.0E-7". nullopt when malformed or out of range.
  static std::optional<Decimal> parse(std::string_view text);

  // Plain notation with the value's own scale: 1.50, -0.001, 1000.
  std::string toString() const;
  int scale() const { return scale_; }
  bool isZero() const { return mantissa_ == 0; }
  int sign() const { return mantissa_ < 0 ? -1 : (mantissa_ > 0 ? 1 : 0); }
  // The value when it has no fractional part and fits in int64.
  std::optional<std::int64_t> toInteger() const;
  long double toLongDouble() const;

  Decimal negated() const;
  // Rounded half away from zero (or extended with zeros) to `scale` fraction digits.
  Decimal roundedTo(int scale) const;
  // The same value without trailing fraction zeros, keeping at least `minScale` digits.
  Decimal trimmed(int minScale = 0) const;

  static Decimal add(const Decimal& a, const Decimal& b);
  static Decimal subtract(const Decimal& a, const Decimal& b);
  static Decimal multiply(const Decimal& a, const Decimal& b);
  // a / b to at least 8 fraction digits; nullopt when b is zero.
  static std::optional<Decimal> divide(const Decimal& a, const Decimal& b);
  // Truncated quotient (`div`); nullopt when b is zero.
  static std::optional<Decimal> truncatedDivide(const Decimal& a, const Decimal& b);
  // a - b * trunc(a / b) (`mod`); nullopt when b is zero.
  static std::optional<Decimal> modulo(const Decimal& a, const Decimal& b);
  // -1, 0 or 1; compares values, so 1.0 and 1.00 are equal.
  static int compare(const Decimal& a, const Decimal& b);

 private:
  using Int128 = __int128;
  Decimal(Int128 mantissa, int scale) : mantissa_(mantissa), scale_(scale) {}
  // Both operands brought to the larger scale; false on overflow.
  static bool align(const Decimal& a, const Decimal& b, Int128& ma, Int128& mb, int& scale);

  Int128 mantissa_ = 0;
  int scale_ = 0;
};

}  // namespace sp::fhirpath
