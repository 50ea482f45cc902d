// Canonical URLs of conformance resources (StructureDefinition, ValueSet, ...).
#pragma once

#include <string>

namespace sp::fhir {

// The canonical without its version: "http://x/ValueSet/y|4.0.1" -> "http://x/ValueSet/y".
inline std::string stripVersion(std::string canonical) {
  const auto bar = canonical.find('|');
  if (bar != std::string::npos) canonical.resize(bar);
  return canonical;
}

}  // namespace sp::fhir
