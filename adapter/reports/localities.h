// Where a referral's person lives, as the report groups it: localities of the county and their
// rural or urban area, keyed by postcode sector ("NE99 4") or postcode district ("NE98"). Loaded
// from mappings/localities.csv (see the comment at its top). A postcode is matched on its sector
// first, then on its district; the store applies the same rule in SQL. Pure; immutable after
// parse(), so thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sp::reports {

inline constexpr const char* kUnknownPlace = "unknown";

struct Locality {
  std::string prefix;    // "NE99 4" or "NE98"
  std::string locality;  // "Alderton and Villages"
  std::string area;      // "rural" or "urban"
};

class LocalityTable {
 public:
  // CSV text: lines starting with '#' and empty lines are skipped, then a header
  // `postcode,locality,area`, then one row per sector or district. Throws
  // std::invalid_argument naming the line for a malformed row, an area other than rural or
  // urban, a postcode prefix that is neither a district nor a sector, or a prefix listed twice.
  static LocalityTable parse(std::string_view csv);

  const std::vector<Locality>& entries() const { return entries_; }
  // Locality names and areas in first-seen order, without repeats.
  std::vector<std::string> localities() const;
  std::vector<std::string> areas() const;
  bool hasLocality(const std::string& name) const;

  // The entry for a postcode (any case and spacing: "ne994qa", "NE99 4QA"), or nullopt.
  std::optional<Locality> find(std::string_view postcode) const;
  // Its index in entries(), or -1.
  int indexOf(std::string_view postcode) const;

 private:
  std::vector<Locality> entries_;
};

// Upper case without spaces ("NE994QA"); empty when it cannot be a UK postcode (5 to 7
// letters and digits).
std::string compactPostcode(std::string_view postcode);
// "NE99 4QA" -> district "NE99" and sector "NE99 4".
std::string postcodeDistrict(std::string_view postcode);
std::string postcodeSector(std::string_view postcode);

}  // namespace sp::reports
