#include "fhirpath/type_system.h"

#include <cctype>
#include <utility>

#include "fhir/json.h"

namespace sp::fhirpath {
namespace {

// (type, base type) for every R4 data type, as in profiles-types.json.
constexpr std::pair<std::string_view, std::string_view> kDataTypes[] = {
    {"Element", ""},
    {"BackboneElement", "Element"},
    {"base64Binary", "Element"},
    {"boolean", "Element"},
    {"canonical", "uri"},
    {"code", "string"},
    {"date", "Element"},
    {"dateTime", "Element"},
    {"decimal", "Element"},
    {"id", "string"},
    {"instant", "Element"},
    {"integer", "Element"},
    {"markdown", "string"},
    {"oid", "uri"},
    {"positiveInt", "integer"},
    {"string", "Element"},
    {"time", "Element"},
    {"unsignedInt", "integer"},
    {"uri", "Element"},
    {"url", "uri"},
    {"uuid", "uri"},
    {"xhtml", "Element"},
    {"Address", "Element"},
    {"Age", "Quantity"},
    {"Annotation", "Element"},
    {"Attachment", "Element"},
    {"CodeableConcept", "Element"},
    {"Coding", "Element"},
    {"ContactDetail", "Element"},
    {"ContactPoint", "Element"},
    {"Contributor", "Element"},
    {"Count", "Quantity"},
    {"DataRequirement", "Element"},
    {"Distance", "Quantity"},
    {"Dosage", "BackboneElement"},
    {"Duration", "Quantity"},
    {"ElementDefinition", "BackboneElement"},
    {"Expression", "Element"},
    {"Extension", "Element"},
    {"HumanName", "Element"},
    {"Identifier", "Element"},
    {"MarketingStatus", "BackboneElement"},
    {"Meta", "Element"},
    {"Money", "Element"},
    {"MoneyQuantity", "Quantity"},
    {"Narrative", "Element"},
    {"ParameterDefinition", "Element"},
    {"Period", "Element"},
    {"Population", "BackboneElement"},
    {"ProdCharacteristic", "BackboneElement"},
    {"ProductShelfLife", "BackboneElement"},
    {"Quantity", "Element"},
    {"Range", "Element"},
    {"Ratio", "Element"},
    {"Reference", "Element"},
    {"RelatedArtifact", "Element"},
    {"SampledData", "Element"},
    {"Signature", "Element"},
    {"SimpleQuantity", "Quantity"},
    {"SubstanceAmount", "BackboneElement"},
    {"Timing", "BackboneElement"},
    {"TriggerDefinition", "Element"},
    {"UsageContext", "Element"},
};

constexpr std::string_view kSystemTypes[] = {"Boolean", "String",   "Integer", "Decimal",
                                             "Date",    "DateTime", "Time",    "Quantity"};

// Resources that are not DomainResources.
constexpr std::string_view kPlainResources[] = {"Binary", "Bundle", "Parameters"};

const std::pair<std::string_view, std::string_view>* findDataType(std::string_view name) {
  for (const auto& entry : kDataTypes) {
    if (entry.first == name) return &entry;
  }
  return nullptr;
}

// The System type of a FHIR primitive type; "" for others.
std::string_view systemTypeOfPrimitive(std::string_view type) {
  if (type == "boolean") return "Boolean";
  if (derivesFrom(type, "integer")) return "Integer";
  if (type == "decimal") return "Decimal";
  if (type == "date") return "Date";
  if (type == "dateTime" || type == "instant") return "DateTime";
  if (type == "time") return "Time";
  if (derivesFrom(type, "string") || derivesFrom(type, "uri") || type == "base64Binary" ||
      type == "xhtml") {
    return "String";
  }
  return "";
}

bool isUpper(char c) { return std::isupper(static_cast<unsigned char>(c)) != 0; }

}  // namespace

const std::vector<std::string_view>& r4DataTypeNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& entry : kDataTypes) out.push_back(entry.first);
    return out;
  }();
  return names;
}

bool isDataType(std::string_view name) { return findDataType(name) != nullptr; }

bool isPrimitiveType(std::string_view name) {
  return !name.empty() && !isUpper(name.front()) && isDataType(name);
}

bool isSystemTypeName(std::string_view name) {
  for (const auto& t : kSystemTypes) {
    if (t == name) return true;
  }
  return false;
}

std::string baseType(std::string_view type) {
  if (const auto* entry = findDataType(type)) return std::string(entry->second);
  if (type.empty() || !isUpper(type.front()) || type == "Resource") return "";
  // A backbone element named by its path ("Patient.contact"), as a TypeProvider may name it.
  if (type.find('.') != std::string_view::npos) return "BackboneElement";
  if (type == "DomainResource") return "Resource";
  for (const auto& plain : kPlainResources) {
    if (plain == type) return "Resource";
  }
  return "DomainResource";
}

bool derivesFrom(std::string_view type, std::string_view ancestor) {
  std::string current(type);
  while (!current.empty()) {
    if (current == ancestor) return true;
    current = baseType(current);
  }
  return false;
}

std::string fhirTypeForCode(const std::string& code) {
  constexpr std::string_view kPrefix = "http://hl7.org/fhirpath/System.";
  if (code.compare(0, kPrefix.size(), kPrefix) != 0) return code;
  const std::string system = code.substr(kPrefix.size());
  if (system == "DateTime") return "dateTime";
  if (system == "Quantity") return "Quantity";
  std::string lowered = system;
  if (!lowered.empty()) {
    lowered[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lowered[0])));
  }
  return isPrimitiveType(lowered) ? lowered : code;
}

std::string typeForChoiceSuffix(std::string_view suffix) {
  if (suffix.empty() || !isUpper(suffix.front())) return "";
  if (isDataType(suffix)) return std::string(suffix);
  std::string lowered(suffix);
  lowered[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(lowered[0])));
  return isPrimitiveType(lowered) ? lowered : "";
}

std::string inferredType(const rapidjson::Value& value) {
  if (value.IsBool()) return "boolean";
  if (value.IsInt64()) return "integer";
  if (fhir::isDecimal(value)) return "decimal";
  if (value.IsObject()) {
    const auto it = value.FindMember("resourceType");
    if (it != value.MemberEnd() && it->value.IsString()) return it->value.GetString();
  }
  return "";
}

std::string systemTypeName(const Node& node) {
  if (node.isComputed()) {
    constexpr std::string_view kPrefix = "System.";
    return node.type.compare(0, kPrefix.size(), kPrefix) == 0 ? node.type.substr(kPrefix.size())
                                                              : "";
  }
  if (!node.type.empty()) {
    if (derivesFrom(node.type, "Quantity")) return node.value ? "Quantity" : "";
    if (!node.value || node.value->IsNull()) return "";
    return std::string(systemTypeOfPrimitive(node.type));
  }
  if (!node.value) return "";
  if (node.value->IsBool()) return "Boolean";
  if (node.value->IsInt64()) return "Integer";
  if (fhir::isDecimal(*node.value)) return "Decimal";
  if (node.value->IsString()) return "String";
  return "";
}

bool isOfType(const Node& node, const TypeSpecifier& type) {
  const auto fhirMatch = [&] {
    if (node.isComputed()) return false;
    if (!node.type.empty()) return derivesFrom(node.type, type.name);
    // A JSON string of unknown element type is at least a string.
    return type.name == "string" && node.value && node.value->IsString() &&
           !fhir::isDecimal(*node.value);
  };
  const auto systemMatch = [&] { return systemTypeName(node) == type.name; };
  if (type.ns == "System") return systemMatch();
  if (type.ns == "FHIR") return fhirMatch();
  return fhirMatch() || (isSystemTypeName(type.name) && systemMatch());
}

}  // namespace sp::fhirpath
