// The FHIR R4 type hierarchy and the System types, as far as FHIRPath type tests need them.
//
// Contract: the R4 data type names and their base types are data in type_system.cpp, matching
// fhir-profiles/r4/profiles-types.json (code, id and markdown derive from string; canonical, oid,
// url and uuid from uri; positiveInt and unsignedInt from integer; Age, Count, Distance,
// Duration, MoneyQuantity and SimpleQuantity from Quantity). A name with a dot ("Patient.contact")
// is a backbone element named by its path and derives from BackboneElement. Any other name that
// starts with an upper-case letter is taken as a resource type: Bundle, Binary and Parameters
// derive from Resource, every other resource from DomainResource.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fhirpath/node.h"

namespace sp::fhirpath {

// A type named in `is`, `as`, ofType(): namespace "", "FHIR" or "System", and the name.
struct TypeSpecifier {
  std::string ns;
  std::string name;
};

// The R4 data type names (primitive and complex, including Element and BackboneElement).
const std::vector<std::string_view>& r4DataTypeNames();
bool isDataType(std::string_view name);
bool isPrimitiveType(std::string_view name);
// Boolean, String, Integer, Decimal, Date, DateTime, Time, Quantity.
bool isSystemTypeName(std::string_view name);
// The base type of `type` ("code" -> "string", "Patient" -> "DomainResource"); "" at the top.
std::string baseType(std::string_view type);
// True when `type` is `ancestor` or derives from it.
bool derivesFrom(std::string_view type, std::string_view ancestor);

// The FHIR type for a type code as StructureDefinitions write it: the FHIRPath System type URLs
// used for Element.id, Extension.url and primitive values
// ("http://hl7.org/fhirpath/System.String" -> "string"); any other code unchanged.
std::string fhirTypeForCode(const std::string& code);
// The type a choice element's key suffix names ("Quantity" -> "Quantity", "DateTime" ->
// "dateTime"); "" when the suffix is not an R4 data type.
std::string typeForChoiceSuffix(std::string_view suffix);
// The FHIR type of a JSON value whose element type is unknown: "boolean", "integer",
// "decimal", the `resourceType` of an object, or "".
std::string inferredType(const rapidjson::Value& value);

// The System type a node's value has ("String" for a code, "Quantity" for an Age); "" for
// complex nodes and primitives without a value.
std::string systemTypeName(const Node& node);
// is/as/ofType: the node's FHIR type derives from the named FHIR type, or (for System names
// and System.X) its System type matches. Unqualified names try FHIR first, then System.
bool isOfType(const Node& node, const TypeSpecifier& type);

}  // namespace sp::fhirpath
