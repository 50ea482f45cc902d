// Reading the System value a node stands for.
//
// Contract: a computed node yields its value. A JSON primitive yields Boolean, Integer,
// Decimal or String by its JSON kind; a string of FHIR type date, dateTime, instant or time
// yields a Temporal (a malformed one stays a String). A Quantity-typed object (Quantity, Age,
// Duration, ...) with a value yields a Quantity (unit from `code`, else `unit`); so does an
// object of unknown type with a numeric `value` and only Quantity members (value, unit,
// system, code, comparator, id, extension). Complex nodes and primitives without a value
// yield monostate. A JSON decimal too large for Decimal
// throws FhirPathEvaluationError.
#pragma once

#include <optional>
#include <string_view>

#include "fhirpath/node.h"

namespace sp::fhirpath {

SystemValue systemValue(const Node& node);

// The text of a string-valued node (a computed String or any JSON string that is not a
// decimal, whatever its FHIR type), without copying; nullopt otherwise.
std::optional<std::string_view> stringView(const Node& node);

// True for a JSON string whose element type is unknown (it may stand for a date).
bool isUntypedString(const Node& node);

// The FHIRPath string form used by toString() and `&`: nullopt for complex nodes.
std::optional<std::string> toSystemString(const Node& node);

}  // namespace sp::fhirpath
