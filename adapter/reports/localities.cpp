#include "reports/localities.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>

#include "reports/csv.h"

namespace sp::reports {
namespace {

std::string trim(std::string_view s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

bool isAlnum(const std::string& s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isalnum(c) != 0; });
}

// "NE99" (2 to 4 letters and digits starting with a letter) or "NE99 4".
bool isPrefix(const std::string& p) {
  const std::size_t space = p.find(' ');
  const std::string district = p.substr(0, space);
  if (district.size() < 2 || district.size() > 4 || !isAlnum(district) ||
      !std::isalpha(static_cast<unsigned char>(district[0]))) {
    return false;
  }
  if (space == std::string::npos) return true;
  return p.size() == space + 2 && std::isdigit(static_cast<unsigned char>(p[space + 1]));
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

std::string compactPostcode(std::string_view postcode) {
  std::string out;
  for (char c : postcode) {
    if (std::isspace(static_cast<unsigned char>(c))) continue;
    if (!std::isalnum(static_cast<unsigned char>(c))) return "";
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out.size() >= 5 && out.size() <= 7 ? out : "";
}

std::string postcodeDistrict(std::string_view postcode) {
  const std::string c = compactPostcode(postcode);
  return c.empty() ? "" : c.substr(0, c.size() - 3);
}

std::string postcodeSector(std::string_view postcode) {
  const std::string c = compactPostcode(postcode);
  return c.empty() ? "" : c.substr(0, c.size() - 3) + " " + c.substr(c.size() - 3, 1);
}

LocalityTable LocalityTable::parse(std::string_view csv) {
  LocalityTable table;
  std::set<std::string> seen;
  bool header = false;
  int lineNumber = 0;
  for (const auto& row : parseCsv(csv, '#')) {
    lineNumber = row.line;
    const auto& f = row.fields;
    if (f.size() == 1 && trim(f[0]).empty()) continue;
    const auto fail = [&](const std::string& why) {
      throw std::invalid_argument("line " + std::to_string(lineNumber) + ": " + why);
    };
    if (!header) {
      if (f.size() != 3 || trim(f[0]) != "postcode" || trim(f[1]) != "locality" ||
          trim(f[2]) != "area") {
        fail("expected the header postcode,locality,area");
      }
      header = true;
      continue;
    }
    if (f.size() != 3) fail("expected 3 fields: postcode,locality,area");
    Locality l{upper(trim(f[0])), trim(f[1]), trim(f[2])};
    if (!isPrefix(l.prefix)) {
      fail("'" + l.prefix + "' is neither a postcode district (NE98) nor a sector (NE99 4)");
    }
    if (l.locality.empty()) fail("the locality has no name");
    if (l.locality == kUnknownPlace) fail("'unknown' is kept for postcodes not listed");
    if (l.area != "rural" && l.area != "urban") fail("area must be rural or urban");
    if (!seen.insert(l.prefix).second) fail("'" + l.prefix + "' is listed twice");
    table.entries_.push_back(std::move(l));
  }
  if (!header) throw std::invalid_argument("no header line postcode,locality,area");
  return table;
}

std::vector<std::string> LocalityTable::localities() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) {
    if (std::find(out.begin(), out.end(), e.locality) == out.end()) out.push_back(e.locality);
  }
  return out;
}

std::vector<std::string> LocalityTable::areas() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) {
    if (std::find(out.begin(), out.end(), e.area) == out.end()) out.push_back(e.area);
  }
  return out;
}

bool LocalityTable::hasLocality(const std::string& name) const {
  return std::any_of(entries_.begin(), entries_.end(),
                     [&](const Locality& e) { return e.locality == name; });
}

int LocalityTable::indexOf(std::string_view postcode) const {
  const std::string sector = postcodeSector(postcode);
  if (sector.empty()) return -1;
  const std::string district = postcodeDistrict(postcode);
  for (const std::string& key : {sector, district}) {
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      if (entries_[i].prefix == key) return static_cast<int>(i);
    }
  }
  return -1;
}

std::optional<Locality> LocalityTable::find(std::string_view postcode) const {
  const int i = indexOf(postcode);
  if (i < 0) return std::nullopt;
  return entries_[i];
}

}  // namespace sp::reports
