// Tree navigation (spec 5.8): children() and descendants(), over the JSON as navigation.h sees
// it (a primitive's children are the `id` and `extension` of its `_name` object).
#include "fhirpath/function_registry.h"
#include "fhirpath/navigation.h"

namespace sp::fhirpath {
namespace {

Collection children(const CallContext& c) {
  Collection out;
  for (const Node& n : c.input) appendChildren(n, c.evaluator.env().types, out);
  return out;
}

// Breadth first; a JSON tree has no cycles, so no duplicate check is needed.
Collection descendants(const CallContext& c) {
  Collection out;
  for (const Node& n : c.input) appendChildren(n, c.evaluator.env().types, out);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const Node parent = out[i];
    appendChildren(parent, c.evaluator.env().types, out);
  }
  return out;
}

}  // namespace

const std::vector<FunctionDef>& treeFunctions() {
  static const std::vector<FunctionDef> kFunctions = {
      {"children", 0, 0, children},
      {"descendants", 0, 0, descendants},
  };
  return kFunctions;
}

}  // namespace sp::fhirpath
