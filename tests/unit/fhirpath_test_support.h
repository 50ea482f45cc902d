// Shared helpers for the FHIRPath unit tests: a collection as comparable text.
#pragma once

#include <string>

#include "fhir/json.h"
#include "fhirpath/fhirpath.h"
#include "fhirpath/system_value.h"

namespace sp::fhirpath::testing {

// "{}" for empty; items joined by ",": system values as text, JSON nodes as JSON, typed nodes
// without a value as <Type>.
inline std::string render(const Collection& items) {
  if (items.empty()) return "{}";
  std::string out;
  for (const Node& n : items) {
    if (!out.empty()) out += ",";
    const auto text = toSystemString(n);
    out += text ? *text : (n.value ? fhir::writeJson(*n.value) : "<" + n.type + ">");
  }
  return out;
}

// Evaluates `expression` with no input.
inline std::string run(const std::string& expression) {
  return render(Expression::parse(expression).evaluate(Node{}, Environment{}));
}

}  // namespace sp::fhirpath::testing
