#include "reports/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace sp::reports {

std::optional<double> percentile(std::vector<double> values, double p) {
  std::sort(values.begin(), values.end());
  return percentileOfSorted(values, p);
}

std::optional<double> percentileOfSorted(const std::vector<double>& values, double p) {
  if (values.empty()) return std::nullopt;
  p = std::clamp(p, 0.0, 1.0);
  const double position = p * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return values[below] + (values[above] - values[below]) * fraction;
}

std::optional<double> percentileInPlace(std::vector<double>& values, double p) {
  if (values.empty()) return std::nullopt;
  p = std::clamp(p, 0.0, 1.0);
  const double position = p * static_cast<double>(values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const auto nth = values.begin() + static_cast<std::ptrdiff_t>(below);
  std::nth_element(values.begin(), nth, values.end());
  // Everything after the below rank is at least as large: the next rank is its smallest.
  const double above = below + 1 < values.size() ? *std::min_element(nth + 1, values.end()) : *nth;
  const double fraction = position - static_cast<double>(below);
  return *nth + (above - *nth) * fraction;
}

std::optional<double> percentage(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return std::nullopt;
  return 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

std::string DayBucket::label() const {
  const auto n = [](double d) { return formatNumber(d, 0); };
  if (!upper) return n(lower) + "+ days";
  return n(lower) + "-" + n(*upper) + " days";
}

const std::vector<DayBucket>& dayBuckets() {
  static const std::vector<DayBucket> kBuckets = {
      {0, 1}, {1, 2}, {2, 3}, {3, 5}, {5, 7}, {7, 14}, {14, 28}, {28, std::nullopt},
  };
  return kBuckets;
}

std::size_t dayBucketOf(double days) {
  const auto& buckets = dayBuckets();
  for (std::size_t i = 0; i < buckets.size(); ++i) {
    if (buckets[i].upper && days < *buckets[i].upper) return i;
  }
  return buckets.size() - 1;
}

std::string formatNumber(std::optional<double> value, int decimals) {
  if (!value || !std::isfinite(*value)) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", std::max(0, decimals), *value);
  std::string s = buffer;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

}  // namespace sp::reports
