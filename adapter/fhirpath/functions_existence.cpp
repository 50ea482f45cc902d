// Existence functions (spec 5.1): empty exists all allTrue anyTrue allFalse anyFalse subsetOf
// supersetOf count distinct isDistinct.
#include "fhirpath/collection_ops.h"
#include "fhirpath/function_registry.h"
#include "fhirpath/system_value.h"

namespace sp::fhirpath {
namespace {

Collection empty(const CallContext& c) { return {booleanNode(c.input.empty())}; }

Collection exists(const CallContext& c) {
  if (c.argCount() == 0) return {booleanNode(!c.input.empty())};
  for (std::size_t i = 0; i < c.input.size(); ++i) {
    const auto hit = singletonBoolean(c.argFor(0, c.input[i], static_cast<std::int64_t>(i)),
                                      "exists() criteria");
    if (hit == true) return {booleanNode(true)};
  }
  return {booleanNode(false)};
}

Collection all(const CallContext& c) {
  for (std::size_t i = 0; i < c.input.size(); ++i) {
    const auto ok =
        singletonBoolean(c.argFor(0, c.input[i], static_cast<std::int64_t>(i)), "all() criteria");
    if (ok != true) return {booleanNode(false)};
  }
  return {booleanNode(true)};
}

// Whether each (or some) input item is the Boolean `wanted`.
Collection booleans(const CallContext& c, bool wanted, bool every) {
  for (const Node& n : c.input) {
    const SystemValue v = systemValue(n);
    const auto* b = std::get_if<bool>(&v);
    const bool match = b && *b == wanted;
    if (every && !match) return {booleanNode(false)};
    if (!every && match) return {booleanNode(true)};
  }
  return {booleanNode(every)};
}

Collection allTrue(const CallContext& c) { return booleans(c, true, true); }
Collection anyTrue(const CallContext& c) { return booleans(c, true, false); }
Collection allFalse(const CallContext& c) { return booleans(c, false, true); }
Collection anyFalse(const CallContext& c) { return booleans(c, false, false); }

bool includesAll(const Collection& container, const Collection& items) {
  for (const Node& n : items) {
    if (!containsItem(container, n)) return false;
  }
  return true;
}

Collection subsetOf(const CallContext& c) { return {booleanNode(includesAll(c.arg(0), c.input))}; }
Collection supersetOf(const CallContext& c) {
  return {booleanNode(includesAll(c.input, c.arg(0)))};
}

Collection count(const CallContext& c) {
  return {integerNode(static_cast<std::int64_t>(c.input.size()))};
}

Collection distinct(const CallContext& c) { return distinctItems(c.input); }

Collection isDistinct(const CallContext& c) {
  return {booleanNode(distinctItems(c.input).size() == c.input.size())};
}

}  // namespace

const std::vector<FunctionDef>& existenceFunctions() {
  static const std::vector<FunctionDef> kFunctions = {
      {"empty", 0, 0, empty},       {"exists", 0, 1, exists},     {"all", 1, 1, all},
      {"allTrue", 0, 0, allTrue},   {"anyTrue", 0, 0, anyTrue},   {"allFalse", 0, 0, allFalse},
      {"anyFalse", 0, 0, anyFalse}, {"subsetOf", 1, 1, subsetOf}, {"supersetOf", 1, 1, supersetOf},
      {"count", 0, 0, count},       {"distinct", 0, 0, distinct}, {"isDistinct", 0, 0, isDistinct},
  };
  return kFunctions;
}

}  // namespace sp::fhirpath
