#include "fhirpath/function_registry.h"

#include <unordered_map>

#include "fhirpath/errors.h"
#include "fhirpath/system_value.h"

namespace sp::fhirpath {

Collection CallContext::arg(std::size_t i) const {
  return evaluator.evaluate(*call.children[i], scope);
}

Collection CallContext::argFor(std::size_t i, const Node& item, std::int64_t index) const {
  return evaluator.evaluateFor(*call.children[i], item, index, scope);
}

std::optional<std::string> CallContext::stringArg(std::size_t i) const {
  const Collection value = arg(i);
  if (value.empty()) return std::nullopt;
  const auto text = value.size() == 1 ? stringView(value.front()) : std::nullopt;
  if (!text) {
    throw FhirPathEvaluationError(std::string(call.name) + "(): argument " + std::to_string(i + 1) +
                                  " must be a single string");
  }
  return std::string(*text);
}

std::optional<std::int64_t> CallContext::integerArg(std::size_t i) const {
  const Collection value = arg(i);
  if (value.empty()) return std::nullopt;
  if (value.size() == 1) {
    const SystemValue v = systemValue(value.front());
    if (const auto* n = std::get_if<std::int64_t>(&v)) return *n;
  }
  throw FhirPathEvaluationError(std::string(call.name) + "(): argument " + std::to_string(i + 1) +
                                " must be a single integer");
}

const Node* CallContext::singleInput() const {
  if (input.empty()) return nullptr;
  if (input.size() > 1) {
    throw FhirPathEvaluationError(call.name + "() expects a single item but got " +
                                  std::to_string(input.size()));
  }
  return &input.front();
}

std::optional<std::string> CallContext::inputString() const {
  const Node* item = singleInput();
  if (!item) return std::nullopt;
  const auto text = stringView(*item);
  if (!text) throw FhirPathEvaluationError(call.name + "() expects a string input");
  return std::string(*text);
}

const FunctionDef* findFunction(std::string_view name) {
  static const auto* const table = [] {
    auto* map = new std::unordered_map<std::string_view, const FunctionDef*>();
    for (const auto* family : {&existenceFunctions(), &filteringFunctions(), &typeFunctions(),
                               &subsettingFunctions(), &conversionFunctions(), &stringFunctions(),
                               &treeFunctions(), &utilityFunctions(), &fhirFunctions()}) {
      for (const auto& def : *family) map->emplace(def.name, &def);
    }
    return map;
  }();
  const auto it = table->find(name);
  return it == table->end() ? nullptr : it->second;
}

}  // namespace sp::fhirpath
