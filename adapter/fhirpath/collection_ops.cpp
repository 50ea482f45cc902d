#include "fhirpath/collection_ops.h"

#include <string>
#include <unordered_set>

#include "fhirpath/equality.h"
#include "fhirpath/errors.h"
#include "fhirpath/system_value.h"

namespace sp::fhirpath {

std::optional<bool> singletonBoolean(const Collection& c, std::string_view where) {
  if (c.empty()) return std::nullopt;
  if (c.size() > 1) {
    throw FhirPathEvaluationError(std::string(where) + " expects a single boolean but got " +
                                  std::to_string(c.size()) + " items");
  }
  const SystemValue v = systemValue(c.front());
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  return true;
}

Collection distinctItems(const Collection& c) {
  Collection out;
  std::unordered_set<std::string> seen;
  for (const Node& n : c) {
    if (seen.insert(equalityKey(n)).second) out.push_back(n);
  }
  return out;
}

Collection unionOf(const Collection& a, const Collection& b) {
  Collection all = a;
  all.insert(all.end(), b.begin(), b.end());
  return distinctItems(all);
}

bool containsItem(const Collection& c, const Node& item) {
  for (const Node& n : c) {
    if (itemsEqual(n, item).value_or(false)) return true;
  }
  return false;
}

}  // namespace sp::fhirpath
