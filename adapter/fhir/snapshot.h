// Snapshot generation: the full element list of a constraining StructureDefinition (a profile
// or an extension definition) from its base's snapshot plus its own differential. Pure.
#pragma once

#include <functional>
#include <string>

#include "fhir/structure_definition.h"

namespace sp::fhir {

// The base StructureDefinition of a data type ("CodeableConcept"), used to expand the children
// of an element the differential reaches into; null when unknown.
using TypeDefinitionLookup = std::function<const StructureDefinition*(const std::string& type)>;

// Throws std::runtime_error naming the element when the differential names an element the
// base cannot have.
std::vector<ElementDefinition> generateSnapshot(const StructureDefinition& base,
                                                const std::vector<ElementDefinition>& differential,
                                                const TypeDefinitionLookup& typeDefinition);

}  // namespace sp::fhir
