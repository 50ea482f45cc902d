// The arithmetic of the report's figures. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sp::reports {

// The p-th percentile (0 <= p <= 1) by linear interpolation between the closest ranks: with the
// values sorted, position p * (n - 1), interpolated between its neighbours (the definition of
// PostgreSQL's percentile_cont and of spreadsheets' PERCENTILE.INC). The median is p = 0.5.
// nullopt for no values. `values` need not be sorted.
std::optional<double> percentile(std::vector<double> values, double p);
// The same for values already sorted in ascending order (no copy).
std::optional<double> percentileOfSorted(const std::vector<double>& sorted, double p);
// The same without sorting: reorders `values` (nth_element) to find the two closest ranks, in
// linear time. The answer is exactly percentile()'s.
std::optional<double> percentileInPlace(std::vector<double>& values, double p);

// A share as a percentage, nullopt when the whole is 0.
std::optional<double> percentage(std::int64_t part, std::int64_t whole);

// Buckets of days for a distribution chart: [0,1), [1,2), [2,3), [3,5), [5,7), [7,14),
// [14,28), [28,...). `upper` is absent for the last.
struct DayBucket {
  double lower = 0;
  std::optional<double> upper;
  std::string label() const;  // "0-1 days", "28+ days"
};
const std::vector<DayBucket>& dayBuckets();
// The index of the bucket holding `days` (negative values go to the first).
std::size_t dayBucketOf(double days);

// A number for people to read: at most `decimals` decimals, trailing zeros dropped
// ("2.5", "3", "0.25"); "-" for nullopt.
std::string formatNumber(std::optional<double> value, int decimals = 1);

}  // namespace sp::reports
