// ValueSets and CodeSystems as data: which codes a ValueSet holds, for binding checks.
// Built once at start-up from the loaded definitions; read-only afterwards.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sp::fhir {

class Terminology {
 public:
  // Adds a ValueSet or CodeSystem resource (others are ignored).
  void add(const rapidjson::Value& resource);
  // Expands every ValueSet that can be expanded from what was added. Call once, after add().
  void expandAll();

  // true/false when `valueSet` is known and fully expanded; nullopt when it is not (unknown
  // ValueSet, filters, or a CodeSystem that is not loaded), so the caller can skip the check.
  // An empty `system` matches a code in any of the ValueSet's systems (for `code` elements).
  std::optional<bool> contains(const std::string& valueSet, const std::string& system,
                               const std::string& code) const;
  bool knowsValueSet(const std::string& url) const { return valueSets_.count(url) > 0; }
  std::size_t expandedCount() const { return expansions_.size(); }

 private:
  struct Expansion {
    std::unordered_set<std::string> systemAndCode;  // "system|code"
    std::unordered_set<std::string> codes;
  };
  std::optional<Expansion> expand(const std::string& url, int depth) const;

  std::unordered_map<std::string, rapidjson::Document> valueSets_;
  std::unordered_map<std::string, std::vector<std::string>> codeSystems_;  // url -> codes
  std::unordered_map<std::string, Expansion> expansions_;
};

}  // namespace sp::fhir
