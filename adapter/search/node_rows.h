// Index rows from one item that a search parameter's expression found, by parameter kind.
//
// The item's FHIR type decides how it is read (a token from a Coding, CodeableConcept,
// Identifier, ContactPoint or primitive; a string from a primitive, HumanName or Address; ...).
// When the engine could not type an item (a backbone element, a resolve() result), the type is
// guessed from the JSON's shape. Items of a type the kind cannot use (a Timing for a date, a
// Range for a quantity) add nothing. Token texts are lower-cased (ASCII letters only, as the
// query side does for `:text`); string rows' `normalised` is normaliseForSearch(); codes,
// systems and `exact` are as written. Pure and thread-safe.
#pragma once

#include <string>

#include "fhir/definitions.h"
#include "fhirpath/node.h"
#include "store/search_index.h"

namespace sp::search {

enum class ParameterKind { kToken, kString, kReference, kDate, kNumber, kUri, kGeo };

// Appends the rows `node` gives parameter `param` of kind `kind` to `out`. `definitions` says
// which names are resource types (for "Type/id" references).
void appendRows(ParameterKind kind, const std::string& param, const fhirpath::Node& node,
                const fhir::Definitions& definitions, store::SearchIndex& out);

}  // namespace sp::search
