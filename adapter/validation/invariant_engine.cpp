#include "validation/invariant_engine.h"

#include <algorithm>

namespace sp::validation {
namespace {

bool evaluatedNatively(const fhir::Constraint& c) { return c.key == "ele-1"; }

}  // namespace

InvariantEngine::InvariantEngine(const fhir::Definitions& definitions) : types_(definitions) {
  for (const fhir::StructureDefinition* sd : definitions.allStructureDefinitions()) {
    for (const auto& element : sd->elements()) {
      for (const auto& c : element.constraints) {
        if (evaluatedNatively(c) || parsed_.count(c.expression)) continue;
        try {
          parsed_.emplace(c.expression, fhirpath::Expression::parse(c.expression));
        } catch (const fhirpath::FhirPathSyntaxError& e) {
          skipped_.push_back(c.key + " (" + sd->name + "): " + e.what());
        }
      }
    }
  }
  std::sort(skipped_.begin(), skipped_.end());
  skipped_.erase(std::unique(skipped_.begin(), skipped_.end()), skipped_.end());
}

void InvariantEngine::check(const rapidjson::Value& node, const std::string& type,
                            const std::vector<fhir::Constraint>& constraints,
                            const std::string& location, const rapidjson::Value& resource,
                            const rapidjson::Value& root, std::vector<fhir::Issue>& out) const {
  if (constraints.empty()) return;
  fhirpath::Environment env;
  env.resource = fhirpath::resourceNode(resource);
  env.rootResource = fhirpath::resourceNode(root);
  env.types = &types_;
  fhirpath::Node context;
  context.value = &node;
  context.type = type;
  for (const auto& c : constraints) {
    if (evaluatedNatively(c)) continue;
    auto it = parsed_.find(c.expression);
    if (it == parsed_.end()) continue;  // listed in skipped()
    std::optional<bool> holds;
    try {
      holds = it->second.evaluateBoolean(context, env);
    } catch (const fhirpath::FhirPathEvaluationError&) {
      continue;  // the data has a shape the invariant does not expect; other rules report it
    }
    if (holds && !*holds) {
      out.push_back(
          fhir::Issue{c.severity == "warning" ? fhir::Severity::kWarning : fhir::Severity::kError,
                      "invariant", c.key + ": " + c.human, location});
    }
  }
}

}  // namespace sp::validation
