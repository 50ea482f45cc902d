#include "fhir/ids.h"

#include <cctype>
#include <cstdio>
#include <ctime>
#include <random>

namespace sp::fhir {

bool isValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.')) return false;
  }
  return true;
}

std::string weakEtag(std::int64_t versionId) { return "W/\"" + std::to_string(versionId) + "\""; }

std::optional<std::int64_t> parseEtagVersion(std::string_view header) {
  std::string_view v = header;
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  if (v.substr(0, 2) == "W/") v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (v.empty() || v.size() > 18) return std::nullopt;
  std::int64_t n = 0;
  for (char c : v) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

namespace {

std::tm utcParts(TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  gmtime_r(&secs, &parts);
  return parts;
}

int readDigits(std::string_view s, std::size_t pos, std::size_t count) {
  if (pos + count > s.size()) return -1;
  int n = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return -1;
    n = n * 10 + (s[i] - '0');
  }
  return n;
}

}  // namespace

std::string formatInstant(TimePoint t) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() % 1000;
  std::tm p = utcParts(t);
  char buf[80];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", p.tm_year + 1900,
                p.tm_mon + 1, p.tm_mday, p.tm_hour, p.tm_min, p.tm_sec,
                static_cast<int>(ms < 0 ? ms + 1000 : ms));
  return buf;
}

std::string formatHttpDate(TimePoint t) {
  std::tm p = utcParts(t);
  char buf[40];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &p);
  return buf;
}

namespace {

// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil).
std::int64_t daysFromCivil(std::int64_t year, int month, int day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const std::int64_t yearOfEra = year - era * 400;
  const std::int64_t dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const std::int64_t dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

}  // namespace

std::optional<std::int64_t> parseInstantMillis(std::string_view s) {
  const int year = readDigits(s, 0, 4);
  if (year < 1 || s.size() < 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  const int month = readDigits(s, 5, 2);
  const int day = readDigits(s, 8, 2);
  if (month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
  int hour = 0, minute = 0, second = 0, offsetMinutes = 0;
  long millis = 0;
  if (s.size() > 10) {
    if (s[10] != 'T' || s.size() < 20 || s[13] != ':' || s[16] != ':') return std::nullopt;
    hour = readDigits(s, 11, 2);
    minute = readDigits(s, 14, 2);
    second = readDigits(s, 17, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
      return std::nullopt;
    }
    std::size_t pos = 19;
    if (pos < s.size() && s[pos] == '.') {
      std::size_t start = ++pos;
      long scale = 100;
      while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
        millis += (s[pos] - '0') * scale;
        scale /= 10;
        ++pos;
      }
      if (pos == start) return std::nullopt;
    }
    if (pos >= s.size()) return std::nullopt;  // a time needs a zone
    if (s[pos] == 'Z') {
      if (pos + 1 != s.size()) return std::nullopt;
    } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() && s[pos + 3] == ':') {
      const int oh = readDigits(s, pos + 1, 2);
      const int om = readDigits(s, pos + 4, 2);
      if (oh < 0 || oh > 14 || om < 0 || om > 59) return std::nullopt;
      offsetMinutes = (s[pos] == '+' ? 1 : -1) * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
  }
  static const int kDaysInMonth[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (day > kDaysInMonth[month - 1] || (month == 2 && day == 29 && !leap)) return std::nullopt;
  const std::int64_t seconds = daysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 +
                               second - offsetMinutes * 60;
  return seconds * 1000 + millis;
}

std::optional<TimePoint> parseInstant(std::string_view s) {
  const int year = readDigits(s, 0, 4);
  // system_clock counts nanoseconds in 64 bits: years 1678-2261 only.
  if (year < 1678 || year > 2261) return std::nullopt;
  const auto millis = parseInstantMillis(s);
  if (!millis) return std::nullopt;
  return TimePoint(std::chrono::milliseconds(*millis));
}

TimePoint SystemClock::now() const { return std::chrono::system_clock::now(); }

std::string UuidGenerator::newId() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  const std::uint64_t hi = engine();
  const std::uint64_t lo = engine();
  unsigned char b[16];
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<unsigned char>(hi >> (56 - 8 * i));
    b[8 + i] = static_cast<unsigned char>(lo >> (56 - 8 * i));
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  char out[37];
  std::snprintf(out, sizeof out,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return out;
}

bool isUuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    const bool dash = (i == 8 || i == 13 || i == 18 || i == 23);
    if (dash ? t[i] != '-' : !std::isxdigit(static_cast<unsigned char>(t[i]))) return false;
  }
  return true;
}

}  // namespace sp::fhir
