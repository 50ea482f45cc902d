// Moving from a node to its children in the JSON, the way FHIRPath sees a resource.
//
// Contract: arrays flatten (JSON nulls inside arrays are skipped unless their `_name` entry
// carries an extension); a primitive's `_name` object is attached to its node as
// primitiveExtension, and `id`/`extension` of a primitive are read from it. A choice element
// (`value` of Observation) finds its `value[Type]` key: with a TypeProvider that knows the
// parent type, by isChoice/elementType; otherwise by a key that is the name followed by an R4
// data type name. An object with `resourceType` is typed by it; other types come from the
// TypeProvider (its FHIRPath System type URLs read as the FHIR primitive: System.String ->
// string), or from the JSON kind (boolean, integer, decimal) when there is none.
#pragma once

#include <string>

#include "fhirpath/node.h"
#include "fhirpath/type_provider.h"

namespace sp::fhirpath {

// Appends the children of `parent` called `name`.
void appendMember(const Node& parent, const std::string& name, const TypeProvider* types,
                  Collection& out);
// Appends every child of `parent` (children()).
void appendChildren(const Node& parent, const TypeProvider* types, Collection& out);
// Whether `name`, starting a path, names the type of `node` (or a base type: Resource,
// DomainResource).
bool namesTypeOf(const Node& node, const std::string& name);

}  // namespace sp::fhirpath
