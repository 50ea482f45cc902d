// Filtering and projection (spec 5.2): where select repeat; and aggregate (spec 7).
#include <unordered_set>

#include "fhirpath/collection_ops.h"
#include "fhirpath/equality.h"
#include "fhirpath/function_registry.h"

namespace sp::fhirpath {
namespace {

Collection where(const CallContext& c) {
  Collection out;
  for (std::size_t i = 0; i < c.input.size(); ++i) {
    const auto keep =
        singletonBoolean(c.argFor(0, c.input[i], static_cast<std::int64_t>(i)), "where() criteria");
    if (keep == true) out.push_back(c.input[i]);
  }
  return out;
}

Collection select(const CallContext& c) {
  Collection out;
  for (std::size_t i = 0; i < c.input.size(); ++i) {
    Collection projected = c.argFor(0, c.input[i], static_cast<std::int64_t>(i));
    out.insert(out.end(), projected.begin(), projected.end());
  }
  return out;
}

// JSON items are the same item when they are the same JSON value; computed ones when `=`.
std::string identityKey(const Node& n) {
  if (n.value || n.primitiveExtension) {
    return "@" + std::to_string(reinterpret_cast<std::uintptr_t>(n.value)) + "/" +
           std::to_string(reinterpret_cast<std::uintptr_t>(n.primitiveExtension));
  }
  return equalityKey(n);
}

Collection repeat(const CallContext& c) {
  Collection out;
  std::unordered_set<std::string> seen;
  Collection pending = c.input;
  while (!pending.empty()) {
    Collection next;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      for (Node& n : c.argFor(0, pending[i], static_cast<std::int64_t>(i))) {
        if (!seen.insert(identityKey(n)).second) continue;
        out.push_back(n);
        next.push_back(std::move(n));
      }
    }
    pending = std::move(next);
  }
  return out;
}

Collection aggregate(const CallContext& c) {
  Collection total = c.argCount() > 1 ? c.arg(1) : Collection{};
  for (std::size_t i = 0; i < c.input.size(); ++i) {
    Scope scope = c.scope;
    scope.total = &total;
    total = c.evaluator.evaluateFor(*c.call.children[0], c.input[i], static_cast<std::int64_t>(i),
                                    scope);
  }
  return total;
}

}  // namespace

const std::vector<FunctionDef>& filteringFunctions() {
  static const std::vector<FunctionDef> kFunctions = {
      {"where", 1, 1, where},
      {"select", 1, 1, select},
      {"repeat", 1, 1, repeat},
      {"aggregate", 1, 2, aggregate},
  };
  return kFunctions;
}

}  // namespace sp::fhirpath
