// FHIRPath type information from the loaded StructureDefinitions.
//
// Backbone elements have no type name of their own, so they are named by their element path
// ("Task.input"); navigating from such a name continues in the resource's definition.
#pragma once

#include "fhir/definitions.h"
#include "fhirpath/type_provider.h"

namespace sp::validation {

class DefinitionsTypeProvider : public fhirpath::TypeProvider {
 public:
  explicit DefinitionsTypeProvider(const fhir::Definitions& definitions) : defs_(definitions) {}

  std::string elementType(const std::string& parentType, const std::string& name) const override;
  bool isChoice(const std::string& parentType, const std::string& name) const override;

 private:
  // The definition and element id that `parentType` names (a type, or a backbone path).
  const fhir::StructureDefinition* definitionOf(const std::string& parentType) const;

  const fhir::Definitions& defs_;
};

}  // namespace sp::validation
