#include "fhirpath/temporal.h"

#include <array>
#include <cstdint>
#include <cstdio>

namespace sp::fhirpath {
namespace {

using Precision = TemporalPrecision;

constexpr std::int64_t kMsPerMinute = 60'000;
constexpr std::int64_t kMsPerHour = 3'600'000;
constexpr std::int64_t kMsPerDay = 86'400'000;

bool isLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int daysInMonth(int y, int m) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && isLeap(y) ? 29 : kDays[static_cast<std::size_t>(m - 1)];
}

// Days since 1970-01-01 of a proleptic Gregorian date (400-year eras of 146097 days).
std::int64_t daysFromCivil(std::int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yearOfEra = y - era * 400;
  const std::int64_t shiftedMonth = m > 2 ? m - 3 : m + 9;  // March = 0
  const std::int64_t dayOfYear = (153 * shiftedMonth + 2) / 5 + d - 1;
  const std::int64_t dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

void civilFromDays(std::int64_t days, int& y, int& m, int& d) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const std::int64_t dayOfEra = days - era * 146097;
  const std::int64_t yearOfEra =
      (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
  const std::int64_t dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
  const std::int64_t shiftedMonth = (5 * dayOfYear + 2) / 153;
  d = static_cast<int>(dayOfYear - (153 * shiftedMonth + 2) / 5 + 1);
  m = static_cast<int>(shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9);
  y = static_cast<int>(yearOfEra + era * 400 + (m <= 2 ? 1 : 0));
}

std::int64_t epochMs(const Temporal& t) {
  return daysFromCivil(t.year, t.month, t.day) * kMsPerDay + t.hour * kMsPerHour +
         t.minute * kMsPerMinute + t.second * 1000 + t.millisecond;
}

void setFromEpochMs(Temporal& t, std::int64_t ms) {
  std::int64_t days = ms / kMsPerDay;
  std::int64_t rest = ms % kMsPerDay;
  if (rest < 0) {
    rest += kMsPerDay;
    --days;
  }
  civilFromDays(days, t.year, t.month, t.day);
  t.hour = static_cast<int>(rest / kMsPerHour);
  t.minute = static_cast<int>(rest % kMsPerHour / kMsPerMinute);
  t.second = static_cast<int>(rest % kMsPerMinute / 1000);
  t.millisecond = static_cast<int>(rest % 1000);
}

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}
  bool done() const { return pos_ == text_.size(); }
  bool peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool accept(char c) {
    if (!peek(c)) return false;
    ++pos_;
    return true;
  }
  bool digits(int count, int& out) {
    if (pos_ + static_cast<std::size_t>(count) > text_.size()) return false;
    int v = 0;
    for (int i = 0; i < count; ++i) {
      const char c = text_[pos_ + static_cast<std::size_t>(i)];
      if (c < '0' || c > '9') return false;
      v = v * 10 + (c - '0');
    }
    pos_ += static_cast<std::size_t>(count);
    out = v;
    return true;
  }
  bool peekDigit() const { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
};

// hh[:mm[:ss[.f+]]] into t; false when malformed or out of range.
bool scanTime(Scanner& s, Temporal& t) {
  if (!s.digits(2, t.hour) || t.hour > 23) return false;
  t.precision = Precision::kHour;
  if (!s.accept(':')) return true;
  if (!s.digits(2, t.minute) || t.minute > 59) return false;
  t.precision = Precision::kMinute;
  if (!s.accept(':')) return true;
  if (!s.digits(2, t.second) || t.second > 59) return false;
  t.precision = Precision::kSecond;
  if (!s.accept('.')) return true;
  if (!s.peekDigit()) return false;
  int digit = 0;
  while (s.peekDigit()) {
    s.digits(1, digit);
    if (t.fractionDigits < 3) t.millisecond = t.millisecond * 10 + digit;
    ++t.fractionDigits;
  }
  for (int i = t.fractionDigits; i < 3; ++i) t.millisecond *= 10;
  return true;
}

bool scanZone(Scanner& s, Temporal& t) {
  if (s.accept('Z')) {
    t.hasTimezone = true;
    return true;
  }
  const bool plus = s.peek('+');
  if (!plus && !s.peek('-')) return true;
  s.accept(plus ? '+' : '-');
  int h = 0, m = 0;
  if (!s.digits(2, h) || !s.accept(':') || !s.digits(2, m) || h > 14 || m > 59) return false;
  t.hasTimezone = true;
  t.offsetMinutes = (plus ? 1 : -1) * (h * 60 + m);
  return true;
}

// The value at UTC when it has a zone and a time; otherwise unchanged.
Temporal normalised(const Temporal& t) {
  if (t.kind != TemporalKind::kDateTime || !t.hasTimezone || t.precision < Precision::kHour ||
      t.offsetMinutes == 0) {
    return t;
  }
  Temporal u = t;
  setFromEpochMs(u, epochMs(t) - t.offsetMinutes * kMsPerMinute);
  u.offsetMinutes = 0;
  return u;
}

// Comparable fields from year (index 0) to seconds-with-milliseconds (index 5).
std::array<std::int64_t, 6> fields(const Temporal& t) {
  return {t.year, t.month, t.day, t.hour, t.minute, t.second * 1000 + t.millisecond};
}

std::string twoDigits(int v) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d", v);
  return buffer;
}

void appendTime(std::string& out, const Temporal& t) {
  out += twoDigits(t.hour);
  if (t.precision >= Precision::kMinute) out += ":" + twoDigits(t.minute);
  if (t.precision >= Precision::kSecond) {
    out += ":" + twoDigits(t.second);
    if (t.fractionDigits > 0) {
      char buffer[16];
      std::snprintf(buffer, sizeof buffer, "%03d", t.millisecond);
      out += ".";
      out += std::string(buffer).substr(0, t.fractionDigits < 3 ? t.fractionDigits : 3);
    }
  }
}

struct DurationUnit {
  bool calendarMonths;  // years and months count months; the rest count milliseconds
  std::int64_t factor;  // months or milliseconds per unit
};

std::optional<DurationUnit> durationUnit(const std::string& unit) {
  if (unit == "year" || unit == "years" || unit == "a") return DurationUnit{true, 12};
  if (unit == "month" || unit == "months" || unit == "mo") return DurationUnit{true, 1};
  if (unit == "week" || unit == "weeks" || unit == "wk") return DurationUnit{false, 7 * kMsPerDay};
  if (unit == "day" || unit == "days" || unit == "d") return DurationUnit{false, kMsPerDay};
  if (unit == "hour" || unit == "hours" || unit == "h") return DurationUnit{false, kMsPerHour};
  if (unit == "minute" || unit == "minutes" || unit == "min") {
    return DurationUnit{false, kMsPerMinute};
  }
  if (unit == "second" || unit == "seconds" || unit == "s") return DurationUnit{false, 1000};
  if (unit == "millisecond" || unit == "milliseconds" || unit == "ms") {
    return DurationUnit{false, 1};
  }
  return std::nullopt;
}

std::int64_t truncatedTo(std::int64_t value, std::int64_t unit) { return value / unit * unit; }

}  // namespace

std::optional<Temporal> Temporal::parseDateTime(std::string_view text) {
  Scanner s(text);
  Temporal t;
  t.kind = TemporalKind::kDate;
  if (!s.digits(4, t.year)) return std::nullopt;
  t.precision = Precision::kYear;
  if (s.accept('-')) {
    if (!s.digits(2, t.month) || t.month < 1 || t.month > 12) return std::nullopt;
    t.precision = Precision::kMonth;
    if (s.accept('-')) {
      if (!s.digits(2, t.day) || t.day < 1 || t.day > daysInMonth(t.year, t.month)) {
        return std::nullopt;
      }
      t.precision = Precision::kDay;
    }
  }
  if (s.accept('T')) {
    t.kind = TemporalKind::kDateTime;
    if (!s.done()) {
      if (t.precision != Precision::kDay || !scanTime(s, t) || !scanZone(s, t)) {
        return std::nullopt;
      }
    }
  }
  if (!s.done()) return std::nullopt;
  return t;
}

std::optional<Temporal> Temporal::parseTime(std::string_view text) {
  Scanner s(text);
  s.accept('T');
  Temporal t;
  t.kind = TemporalKind::kTime;
  if (!scanTime(s, t) || !s.done()) return std::nullopt;
  return t;
}

std::optional<Temporal> Temporal::parseAny(std::string_view text) {
  if (auto t = parseDateTime(text)) return t;
  return parseTime(text);
}

std::string Temporal::toString() const {
  std::string out;
  if (kind == TemporalKind::kTime) {
    appendTime(out, *this);
    return out;
  }
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d", year);
  out = buffer;
  if (precision >= Precision::kMonth) out += "-" + twoDigits(month);
  if (precision >= Precision::kDay) out += "-" + twoDigits(day);
  if (kind == TemporalKind::kDateTime && precision >= Precision::kHour) {
    out += "T";
    appendTime(out, *this);
    if (hasTimezone) {
      if (offsetMinutes == 0) {
        out += "Z";
      } else {
        const int abs = offsetMinutes < 0 ? -offsetMinutes : offsetMinutes;
        out += (offsetMinutes < 0 ? "-" : "+") + twoDigits(abs / 60) + ":" + twoDigits(abs % 60);
      }
    }
  }
  return out;
}

std::string Temporal::equalityKey() const {
  const Temporal n = normalised(*this);
  const auto f = fields(n);
  std::string key = kind == TemporalKind::kTime ? "T" : "D";
  key += std::to_string(static_cast<int>(precision));
  const int first = kind == TemporalKind::kTime ? 3 : 0;
  for (int i = first; i <= static_cast<int>(precision); ++i) {
    key += ":" + std::to_string(f[static_cast<std::size_t>(i)]);
  }
  return key;
}

Temporal Temporal::truncatedTo(TemporalPrecision p) const {
  Temporal t = *this;
  if (t.precision <= p) return t;
  t.precision = p;
  if (p < Precision::kSecond) {
    t.second = 0;
    t.millisecond = 0;
    t.fractionDigits = 0;
  }
  if (p < Precision::kMinute) t.minute = 0;
  if (p < Precision::kHour) {
    t.hour = 0;
    t.hasTimezone = false;
    t.offsetMinutes = 0;
  }
  if (p < Precision::kDay) t.day = 1;
  if (p < Precision::kMonth) t.month = 1;
  return t;
}

TemporalOrder compareTemporal(const Temporal& a, const Temporal& b) {
  if ((a.kind == TemporalKind::kTime) != (b.kind == TemporalKind::kTime)) {
    return TemporalOrder::kIncompatible;
  }
  const auto fa = fields(normalised(a));
  const auto fb = fields(normalised(b));
  const int first = a.kind == TemporalKind::kTime ? 3 : 0;
  const int last = static_cast<int>(a.precision < b.precision ? a.precision : b.precision);
  for (int i = first; i <= last; ++i) {
    const auto x = fa[static_cast<std::size_t>(i)];
    const auto y = fb[static_cast<std::size_t>(i)];
    if (x != y) return x < y ? TemporalOrder::kLess : TemporalOrder::kGreater;
  }
  return a.precision == b.precision ? TemporalOrder::kEqual : TemporalOrder::kUncertain;
}

std::optional<Temporal> addDuration(const Temporal& value, const Decimal& amount,
                                    const std::string& unit) {
  const auto du = durationUnit(unit);
  if (!du) return std::nullopt;
  // The whole amount in months or milliseconds, truncated.
  const auto scaled = Decimal::multiply(amount, Decimal::fromInteger(du->factor));
  const auto whole = Decimal::truncatedDivide(scaled, Decimal::fromInteger(1));
  const auto total = whole ? whole->toInteger() : std::nullopt;
  if (!total) return std::nullopt;
  Temporal t = value;
  if (value.kind == TemporalKind::kTime) {
    if (du->calendarMonths) return std::nullopt;
    const std::int64_t unitMs = value.precision == Precision::kHour     ? kMsPerHour
                                : value.precision == Precision::kMinute ? kMsPerMinute
                                                                        : 1;
    std::int64_t ms = (epochMs(t) - daysFromCivil(t.year, t.month, t.day) * kMsPerDay +
                       truncatedTo(*total, unitMs)) %
                      kMsPerDay;
    if (ms < 0) ms += kMsPerDay;
    setFromEpochMs(t, daysFromCivil(t.year, t.month, t.day) * kMsPerDay + ms);
    return t;
  }
  std::int64_t months = du->calendarMonths ? *total : 0;
  std::int64_t ms = du->calendarMonths ? 0 : *total;
  if (value.precision == Precision::kYear) {
    months = du->calendarMonths ? truncatedTo(months, 12) : ms / (365 * kMsPerDay) * 12;
    ms = 0;
  } else if (value.precision == Precision::kMonth && !du->calendarMonths) {
    months = ms / (30 * kMsPerDay);
    ms = 0;
  } else if (value.precision == Precision::kDay) {
    ms = truncatedTo(ms, kMsPerDay);
  } else if (value.precision == Precision::kHour) {
    ms = truncatedTo(ms, kMsPerHour);
  } else if (value.precision == Precision::kMinute) {
    ms = truncatedTo(ms, kMsPerMinute);
  }
  if (months != 0) {
    std::int64_t index = static_cast<std::int64_t>(t.year) * 12 + (t.month - 1) + months;
    std::int64_t year = index >= 0 ? index / 12 : (index - 11) / 12;
    t.year = static_cast<int>(year);
    t.month = static_cast<int>(index - year * 12 + 1);
    const int limit = daysInMonth(t.year, t.month);
    if (t.day > limit) t.day = limit;
  }
  if (ms != 0) setFromEpochMs(t, epochMs(t) + ms);
  if (t.year < 1 || t.year > 9999) return std::nullopt;
  return t;
}

}  // namespace sp::fhirpath
