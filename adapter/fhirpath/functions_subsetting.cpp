// Subsetting (spec 5.3) and combining (5.4): single first last tail skip take intersect exclude
// union combine.
#include <unordered_set>

#include "fhirpath/collection_ops.h"
#include "fhirpath/equality.h"
#include "fhirpath/function_registry.h"

namespace sp::fhirpath {
namespace {

Collection single(const CallContext& c) {
  const Node* item = c.singleInput();
  if (!item) return {};
  return {*item};
}

Collection first(const CallContext& c) {
  if (c.input.empty()) return {};
  return {c.input.front()};
}

Collection last(const CallContext& c) {
  if (c.input.empty()) return {};
  return {c.input.back()};
}

Collection range(const Collection& input, std::int64_t from, std::int64_t count) {
  Collection out;
  for (std::int64_t i = from < 0 ? 0 : from;
       i < static_cast<std::int64_t>(input.size()) && i - from < count; ++i) {
    out.push_back(input[static_cast<std::size_t>(i)]);
  }
  return out;
}

Collection tail(const CallContext& c) { return range(c.input, 1, INT64_MAX); }

Collection skip(const CallContext& c) {
  const auto n = c.integerArg(0);
  if (!n) return {};
  return range(c.input, *n, INT64_MAX);
}

Collection take(const CallContext& c) {
  const auto n = c.integerArg(0);
  if (!n || *n <= 0) return {};
  return range(c.input, 0, *n);
}

std::unordered_set<std::string> keysOf(const Collection& c) {
  std::unordered_set<std::string> keys;
  for (const Node& n : c) keys.insert(equalityKey(n));
  return keys;
}

Collection intersect(const CallContext& c) {
  const auto other = keysOf(c.arg(0));
  Collection out;
  for (const Node& n : distinctItems(c.input)) {
    if (other.count(equalityKey(n)) > 0) out.push_back(n);
  }
  return out;
}

Collection exclude(const CallContext& c) {
  const auto other = keysOf(c.arg(0));
  Collection out;
  for (const Node& n : c.input) {
    if (other.count(equalityKey(n)) == 0) out.push_back(n);
  }
  return out;
}

Collection unionFunction(const CallContext& c) { return unionOf(c.input, c.arg(0)); }

Collection combine(const CallContext& c) {
  Collection out = c.input;
  Collection other = c.arg(0);
  out.insert(out.end(), other.begin(), other.end());
  return out;
}

}  // namespace

const std::vector<FunctionDef>& subsettingFunctions() {
  static const std::vector<FunctionDef> kFunctions = {
      {"single", 0, 0, single},       {"first", 0, 0, first},     {"last", 0, 0, last},
      {"tail", 0, 0, tail},           {"skip", 1, 1, skip},       {"take", 1, 1, take},
      {"intersect", 1, 1, intersect}, {"exclude", 1, 1, exclude}, {"union", 1, 1, unionFunction},
      {"combine", 1, 1, combine},
  };
  return kFunctions;
}

}  // namespace sp::fhirpath
