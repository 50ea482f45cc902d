// The items FHIRPath works on.
//
// A Node is either a view of a JSON value inside a resource (`value` points into the caller's
// DOM, which must outlive every Node and Collection made from it; nothing is copied) or a
// computed System value (a literal or a function result, held in `computed`). A FHIR primitive
// that has only an extension (`"_birthDate": {...}` without `birthDate`) is a Node with a null
// `value` and a `primitiveExtension`.
//
// `type` is the FHIR type name ("Patient", "CodeableConcept", "code", "dateTime") for JSON
// nodes, "" when unknown, and "System.Boolean", "System.Integer", "System.Decimal",
// "System.String", "System.Date", "System.DateTime", "System.Time" or "System.Quantity" for
// computed values.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "fhirpath/decimal.h"
#include "fhirpath/quantity.h"
#include "fhirpath/temporal.h"

namespace sp::fhirpath {

// A System value: nothing (monostate), Boolean, Integer, Decimal, String, Date/DateTime/Time or
// Quantity.
using SystemValue =
    std::variant<std::monostate, bool, std::int64_t, Decimal, std::string, Temporal, Quantity>;

struct Node {
  const rapidjson::Value* value = nullptr;  // null for computed and synthetic nodes
  std::string type;
  const rapidjson::Value* primitiveExtension = nullptr;  // the `_name` object of a primitive
  SystemValue computed;                                  // set for computed values

  bool isComputed() const { return !std::holds_alternative<std::monostate>(computed); }
};

using Collection = std::vector<Node>;

// A node for a whole resource; its type comes from `resourceType` ("" when absent).
Node resourceNode(const rapidjson::Value& resource);
// A synthetic node of a type without a value (resolve() of "Patient/1" without a resolver).
Node typedNode(std::string type);

Node booleanNode(bool v);
Node integerNode(std::int64_t v);
Node decimalNode(Decimal v);
Node stringNode(std::string v);
Node temporalNode(Temporal v);
Node quantityNode(Quantity v);
// The computed node for a SystemValue (an empty Collection for monostate).
Collection single(SystemValue v);

}  // namespace sp::fhirpath
