#include "fhirpath/decimal.h"

#include <cmath>
#include <cstdio>

#include "fhirpath/errors.h"

namespace sp::fhirpath {
namespace {

using Int128 = __int128;
constexpr int kMaxDigits = 38;
constexpr int kDivisionScale = 8;

bool pow10(int exponent, Int128& out) {
  if (exponent < 0 || exponent > kMaxDigits) return false;
  Int128 result = 1;
  for (int i = 0; i < exponent; ++i) result *= 10;
  out = result;
  return true;
}

bool scaleUp(Int128 value, int digits, Int128& out) {
  Int128 factor = 0;
  if (!pow10(digits, factor)) return false;
  return !__builtin_mul_overflow(value, factor, &out);
}

Int128 roundedQuotient(Int128 num, Int128 den) {
  Int128 q = num / den;
  Int128 r = num % den;
  if (r < 0) r = -r;
  const Int128 d = den < 0 ? -den : den;
  if (r * 2 >= d) q += ((num < 0) != (den < 0)) ? -1 : 1;
  return q;
}

[[noreturn]] void overflow() { throw FhirPathEvaluationError("decimal arithmetic overflow"); }

}  // namespace

Decimal Decimal::fromInteger(std::int64_t value) { return Decimal(value, 0); }

std::optional<Decimal> Decimal::parse(std::string_view text) {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';
  Int128 mantissa = 0;
  int digits = 0;
  int fraction = 0;
  bool sawDigit = false;
  bool inFraction = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '.' && !inFraction) {
      inFraction = true;
      continue;
    }
    if (c < '0' || c > '9') break;
    sawDigit = true;
    if (mantissa != 0 || c != '0') ++digits;
    if (digits > kMaxDigits) return std::nullopt;
    mantissa = mantissa * 10 + (c - '0');
    if (inFraction) ++fraction;
  }
  if (!sawDigit) return std::nullopt;
  long exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool negativeExponent = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) negativeExponent = text[i++] == '-';
    if (i >= text.size()) return std::nullopt;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 1000) return std::nullopt;
    }
    if (negativeExponent) exponent = -exponent;
  }
  if (i != text.size()) return std::nullopt;
  long scale = fraction - exponent;
  if (scale < 0) {
    if (!scaleUp(mantissa, static_cast<int>(-scale), mantissa)) return std::nullopt;
    scale = 0;
  }
  if (scale > kMaxDigits) return std::nullopt;
  return Decimal(negative ? -mantissa : mantissa, static_cast<int>(scale));
}

std::string Decimal::toString() const {
  Int128 v = mantissa_ < 0 ? -mantissa_ : mantissa_;
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  if (static_cast<int>(digits.size()) <= scale_) {
    digits.insert(0, static_cast<std::size_t>(scale_) - digits.size() + 1, '0');
  }
  if (scale_ > 0) digits.insert(digits.size() - static_cast<std::size_t>(scale_), ".");
  if (mantissa_ < 0) digits.insert(digits.begin(), '-');
  return digits;
}

std::optional<std::int64_t> Decimal::toInteger() const {
  Int128 factor = 0;
  pow10(scale_, factor);
  if (mantissa_ % factor != 0) return std::nullopt;
  const Int128 whole = mantissa_ / factor;
  if (whole > INT64_MAX || whole < INT64_MIN) return std::nullopt;
  return static_cast<std::int64_t>(whole);
}

long double Decimal::toLongDouble() const {
  return static_cast<long double>(mantissa_) / std::pow(10.0L, static_cast<long double>(scale_));
}

Decimal Decimal::negated() const { return Decimal(-mantissa_, scale_); }

Decimal Decimal::roundedTo(int scale) const {
  if (scale < 0) scale = 0;
  if (scale >= scale_) {
    Int128 m = 0;
    if (!scaleUp(mantissa_, scale - scale_, m)) overflow();
    return Decimal(m, scale);
  }
  Int128 factor = 0;
  pow10(scale_ - scale, factor);
  return Decimal(roundedQuotient(mantissa_, factor), scale);
}

Decimal Decimal::trimmed(int minScale) const {
  Decimal d = *this;
  while (d.scale_ > minScale && d.mantissa_ % 10 == 0) {
    d.mantissa_ /= 10;
    --d.scale_;
  }
  return d;
}

bool Decimal::align(const Decimal& a, const Decimal& b, Int128& ma, Int128& mb, int& scale) {
  scale = a.scale_ > b.scale_ ? a.scale_ : b.scale_;
  return scaleUp(a.mantissa_, scale - a.scale_, ma) && scaleUp(b.mantissa_, scale - b.scale_, mb);
}

Decimal Decimal::add(const Decimal& a, const Decimal& b) {
  Int128 ma = 0, mb = 0, sum = 0;
  int scale = 0;
  if (!align(a, b, ma, mb, scale) || __builtin_add_overflow(ma, mb, &sum)) overflow();
  return Decimal(sum, scale);
}

Decimal Decimal::subtract(const Decimal& a, const Decimal& b) { return add(a, b.negated()); }

Decimal Decimal::multiply(const Decimal& a, const Decimal& b) {
  Int128 product = 0;
  if (__builtin_mul_overflow(a.mantissa_, b.mantissa_, &product)) overflow();
  Decimal result(product, a.scale_ + b.scale_);
  return result.scale_ > kMaxDigits ? result.roundedTo(kMaxDigits) : result;
}

std::optional<Decimal> Decimal::divide(const Decimal& a, const Decimal& b) {
  if (b.isZero()) return std::nullopt;
  int target = kDivisionScale;
  if (a.scale_ > target) target = a.scale_;
  if (b.scale_ > target) target = b.scale_;
  // a/b = (ma * 10^(sb + target - sa)) / mb, as a mantissa of scale `target`.
  const int exponent = b.scale_ + target - a.scale_;
  Int128 num = a.mantissa_;
  Int128 den = b.mantissa_;
  const bool ok = exponent >= 0 ? scaleUp(num, exponent, num) : scaleUp(den, -exponent, den);
  if (!ok) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*Lf", kDivisionScale,
                  a.toLongDouble() / b.toLongDouble());
    auto fallback = parse(buffer);
    if (!fallback) overflow();
    return fallback->trimmed(1);
  }
  return Decimal(roundedQuotient(num, den), target).trimmed(1);
}

std::optional<Decimal> Decimal::truncatedDivide(const Decimal& a, const Decimal& b) {
  if (b.isZero()) return std::nullopt;
  Int128 ma = 0, mb = 0;
  int scale = 0;
  if (!align(a, b, ma, mb, scale)) overflow();
  return Decimal(ma / mb, 0);
}

std::optional<Decimal> Decimal::modulo(const Decimal& a, const Decimal& b) {
  if (b.isZero()) return std::nullopt;
  Int128 ma = 0, mb = 0;
  int scale = 0;
  if (!align(a, b, ma, mb, scale)) overflow();
  return Decimal(ma % mb, scale);
}

int Decimal::compare(const Decimal& a, const Decimal& b) {
  Int128 ma = 0, mb = 0;
  int scale = 0;
  if (!align(a, b, ma, mb, scale)) {
    const long double x = a.toLongDouble();
    const long double y = b.toLongDouble();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  return ma < mb ? -1 : (ma > mb ? 1 : 0);
}

}  // namespace sp::fhirpath
