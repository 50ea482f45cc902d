// Type functions (spec 5.2 ofType, 6.3 is/as as functions). as() filters like ofType(): R4
// search expressions apply it to repeating elements.
#include "fhirpath/errors.h"
#include "fhirpath/function_registry.h"
#include "fhirpath/type_system.h"

namespace sp::fhirpath {
namespace {

Collection ofType(const CallContext& c) {
  Collection out;
  for (const Node& n : c.input) {
    if (isOfType(n, c.call.typeSpec)) out.push_back(n);
  }
  return out;
}

Collection is(const CallContext& c) {
  const Node* item = c.singleInput();
  if (!item) return {};
  return {booleanNode(isOfType(*item, c.call.typeSpec))};
}

}  // namespace

const std::vector<FunctionDef>& typeFunctions() {
  static const std::vector<FunctionDef> kFunctions = {
      {"ofType", 1, 1, ofType, ArgumentKind::kType},
      {"as", 1, 1, ofType, ArgumentKind::kType},
      {"is", 1, 1, is, ArgumentKind::kType},
  };
  return kFunctions;
}

}  // namespace sp::fhirpath
