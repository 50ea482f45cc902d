// Optional type information for FHIRPath navigation (the validator implements it from the
// StructureDefinitions). Without one, the engine infers what it can from the JSON itself.
#pragma once

#include <string>

namespace sp::fhirpath {

class TypeProvider {
 public:
  virtual ~TypeProvider() = default;
  // FHIR type of element `name` of `parentType` ("Patient","gender" -> "code"); for a choice
  // element, `name` is the JSON key ("Observation","valueQuantity" -> "Quantity"); "" when
  // unknown.
  virtual std::string elementType(const std::string& parentType, const std::string& name) const = 0;
  // True when `name` is a choice element ("value" of Observation: JSON keys value[TypeName]).
  virtual bool isChoice(const std::string& parentType, const std::string& name) const = 0;
};

}  // namespace sp::fhirpath
