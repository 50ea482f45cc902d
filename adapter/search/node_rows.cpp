#include "search/node_rows.h"

#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>

#include "fhir/ids.h"
#include "fhir/json.h"
#include "fhirpath/type_system.h"
#include "search/date_range.h"
#include "search/string_normaliser.h"

namespace sp::search {
namespace {

using fhirpath::Node;
using rapidjson::Value;

constexpr const char* kCurrencySystem = "urn:iso:std:iso:4217";

bool has(const Value& object, const char* name) { return fhir::findMember(object, name); }

// A JSON string that is not a FHIR decimal (those are marked strings, see fhir/json.h).
bool isText(const Value& v) { return v.IsString() && !fhir::isDecimal(v); }

bool isNumber(const Value& v) { return v.IsNumber() || fhir::isDecimal(v); }

std::optional<double> numberOf(const Value* v) {
  if (!v || !isNumber(*v)) return std::nullopt;
  if (v->IsNumber()) return v->GetDouble();
  return std::strtod(fhir::numberText(*v).c_str(), nullptr);
}

// Calls `f` with the member `name` of `object` when it is a string, or with each string in it
// when it is an array (HumanName.given, Address.line).
template <typename F>
void forEachText(const Value& object, const char* name, F&& f) {
  const Value* v = fhir::findMember(object, name);
  if (!v) return;
  if (isText(*v)) {
    f(std::string(v->GetString(), v->GetStringLength()));
  } else if (v->IsArray()) {
    for (const auto& item : v->GetArray()) {
      if (isText(item)) f(std::string(item.GetString(), item.GetStringLength()));
    }
  }
}

bool isContactPointSystem(const std::string& system) {
  for (const char* s : {"phone", "fax", "email", "pager", "url", "sms", "other"}) {
    if (system == s) return true;
  }
  return false;
}

// The data type an untyped complex value most likely has, judged by its members.
std::string guessedComplexType(const Value& v) {
  if (const Value* type = fhir::findMember(v, "resourceType"); type && type->IsString()) {
    return type->GetString();
  }
  if (has(v, "coding")) return "CodeableConcept";
  if (has(v, "reference")) return "Reference";
  if (has(v, "family") || has(v, "given")) return "HumanName";
  if (has(v, "line") || has(v, "city") || has(v, "postalCode") || has(v, "country")) {
    return "Address";
  }
  if (has(v, "start") || has(v, "end")) return "Period";
  if (has(v, "currency")) return "Money";
  if (const Value* value = fhir::findMember(v, "value")) {
    if (isNumber(*value)) return "Quantity";
    return isContactPointSystem(fhir::getString(v, "system")) ? "ContactPoint" : "Identifier";
  }
  if (has(v, "identifier")) return "Reference";
  if (has(v, "system") || has(v, "code") || has(v, "display")) return "Coding";
  if (has(v, "text")) return "CodeableConcept";
  return "";
}

// The type to read a JSON node as: the engine's when it named a data or resource type, a
// guess otherwise (backbone elements are named by their path, which says nothing of shape).
std::string typeOf(const Node& node) {
  if (!node.type.empty() && node.type.find('.') == std::string::npos) return node.type;
  if (node.value->IsBool()) return "boolean";
  if (isNumber(*node.value)) return "decimal";
  if (node.value->IsString()) return "string";
  return node.value->IsObject() ? guessedComplexType(*node.value) : "";
}

// The text of a computed primitive (a Boolean, number or String an expression made).
std::optional<std::string> computedText(const fhirpath::SystemValue& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<fhirpath::Decimal>(&v)) return d->toString();
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  return std::nullopt;
}

// The text of a JSON primitive: strings as written, booleans and numbers as JSON writes them.
std::optional<std::string> primitiveText(const Value& v) {
  if (isText(v)) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsBool()) return v.GetBool() ? "true" : "false";
  if (isNumber(v)) return fhir::numberText(v);
  return std::nullopt;
}

std::optional<std::string> textOf(const Node& node) {
  if (node.isComputed()) return computedText(node.computed);
  return primitiveText(*node.value);
}

// --- token ---

// Token texts are lower-cased (ASCII letters), as the query side lower-cases `:text` values.
std::string lowerCase(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

void addToken(const std::string& param, std::string system, std::string code,
              const std::string& text, store::SearchIndex& out) {
  if (system.empty() && code.empty() && text.empty()) return;
  out.tokens.push_back({param, std::move(system), std::move(code), lowerCase(text)});
}

void addCodingToken(const std::string& param, const Value& coding, store::SearchIndex& out) {
  addToken(param, fhir::getString(coding, "system"), fhir::getString(coding, "code"),
           fhir::getString(coding, "display"), out);
}

void appendTokenRows(const std::string& param, const Node& node, store::SearchIndex& out) {
  if (const auto text = textOf(node)) {
    addToken(param, "", *text, "", out);
    return;
  }
  if (node.isComputed() || !node.value->IsObject()) return;
  const Value& v = *node.value;
  const std::string type = typeOf(node);
  if (type == "Coding") {
    addCodingToken(param, v, out);
  } else if (type == "CodeableConcept") {
    if (const Value* codings = fhir::findMember(v, "coding"); codings && codings->IsArray()) {
      for (const auto& coding : codings->GetArray()) {
        if (coding.IsObject()) addCodingToken(param, coding, out);
      }
    }
    addToken(param, "", "", fhir::getString(v, "text"), out);
  } else if (type == "Identifier") {
    const Value* idType = fhir::findMember(v, "type");
    addToken(param, fhir::getString(v, "system"), fhir::getString(v, "value"),
             idType ? fhir::getString(*idType, "text") : "", out);
    // For :of-type, one row per identifier type coding: "<param>:of-type", the type's system,
    // and "<type code>|<value>" as the code.
    const Value* typeCodings = idType ? fhir::findMember(*idType, "coding") : nullptr;
    if (typeCodings && typeCodings->IsArray() && !fhir::getString(v, "value").empty()) {
      for (const auto& c : typeCodings->GetArray()) {
        addToken(param + ":of-type", fhir::getString(c, "system"),
                 fhir::getString(c, "code") + "|" + fhir::getString(v, "value"), "", out);
      }
    }
  } else if (type == "ContactPoint") {
    addToken(param, "", fhir::getString(v, "value"), "", out);
  }
}

// --- string ---

void addString(const std::string& param, std::string text, store::SearchIndex& out) {
  if (text.empty()) return;
  std::string normalised = normaliseForSearch(text);
  out.strings.push_back({param, std::move(normalised), std::move(text)});
}

void appendStringRows(const std::string& param, const Node& node, store::SearchIndex& out) {
  if (node.isComputed()) {
    if (const auto* s = std::get_if<std::string>(&node.computed)) addString(param, *s, out);
    return;
  }
  const Value& v = *node.value;
  if (isText(v)) {
    addString(param, std::string(v.GetString(), v.GetStringLength()), out);
    return;
  }
  if (!v.IsObject()) return;
  const std::string type = typeOf(node);
  const auto add = [&](std::string text) { addString(param, std::move(text), out); };
  if (type == "HumanName") {
    for (const char* part : {"family", "given", "prefix", "suffix", "text"}) {
      forEachText(v, part, add);
    }
  } else if (type == "Address") {
    for (const char* part :
         {"line", "city", "district", "state", "postalCode", "country", "text"}) {
      forEachText(v, part, add);
    }
  }
}

// --- reference ---

// The type and id of a literal reference: "Type/id", "Type/id/_history/n", or an absolute URL
// ending in one of those. False for anything else (urn:uuid:, canonicals, unknown types).
bool parseLiteral(std::string_view reference, const fhir::Definitions& definitions,
                  std::string& type, std::string& id) {
  if (reference.rfind("urn:", 0) == 0) return false;
  if (const auto history = reference.find("/_history/"); history != std::string_view::npos) {
    reference = reference.substr(0, history);
  }
  const bool absolute = reference.find("://") != std::string_view::npos;
  const auto idStart = reference.rfind('/');
  if (idStart == std::string_view::npos) return false;
  const std::string_view head = reference.substr(0, idStart);
  const auto typeStart = head.rfind('/');
  if (absolute == (typeStart == std::string_view::npos)) return false;  // relative: exactly 2
  const std::string_view typePart = absolute ? head.substr(typeStart + 1) : head;
  const std::string_view idPart = reference.substr(idStart + 1);
  if (!fhir::isValidId(idPart) || !definitions.isResourceType(std::string(typePart))) {
    return false;
  }
  type = typePart;
  id = idPart;
  return true;
}

void appendReferenceRows(const std::string& param, const Node& node,
                         const fhir::Definitions& definitions, store::SearchIndex& out) {
  store::ReferenceRow row;
  row.param = param;
  if (node.isComputed() || isText(*node.value)) {  // canonical, uri: the URL only
    const auto text = textOf(node);
    if (!text || text->empty()) return;
    row.url = *text;
    out.references.push_back(std::move(row));
    return;
  }
  const Value& v = *node.value;
  if (!v.IsObject() || typeOf(node) != "Reference") return;
  const std::string reference = fhir::getString(v, "reference");
  if (!reference.empty() && reference.front() != '#') {  // contained resources are not indexed
    row.url = reference;
    parseLiteral(reference, definitions, row.targetType, row.targetId);
  }
  if (const Value* identifier = fhir::findMember(v, "identifier")) {
    row.identifierSystem = fhir::getString(*identifier, "system");
    row.identifierValue = fhir::getString(*identifier, "value");
  }
  if (row.url.empty() && row.identifierSystem.empty() && row.identifierValue.empty()) return;
  out.references.push_back(std::move(row));
}

// --- date ---

void appendDateRows(const std::string& param, const Node& node, store::SearchIndex& out) {
  std::optional<DateRange> range;
  if (node.isComputed()) {
    if (const auto* t = std::get_if<fhirpath::Temporal>(&node.computed)) range = dateRange(*t);
  } else if (isText(*node.value)) {
    range = dateRange(std::string_view(node.value->GetString(), node.value->GetStringLength()));
  } else if (node.value->IsObject() && typeOf(node) == "Period") {
    const auto start = dateRange(fhir::getString(*node.value, "start"));
    const auto end = dateRange(fhir::getString(*node.value, "end"));
    if (start || end) {
      range = DateRange{start ? start->low : kOpenLow, end ? end->high : kOpenHigh};
    }
  }
  if (range) out.dates.push_back({param, range->low, range->high});
}

// --- number and quantity ---

void appendNumberRows(const std::string& param, const Node& node, store::SearchIndex& out) {
  if (node.isComputed()) {
    if (const auto* i = std::get_if<std::int64_t>(&node.computed)) {
      out.numbers.push_back({param, static_cast<double>(*i), "", ""});
    } else if (const auto* d = std::get_if<fhirpath::Decimal>(&node.computed)) {
      out.numbers.push_back({param, static_cast<double>(d->toLongDouble()), "", ""});
    } else if (const auto* q = std::get_if<fhirpath::Quantity>(&node.computed)) {
      out.numbers.push_back({param, static_cast<double>(q->value.toLongDouble()), "", q->unit});
    }
    return;
  }
  const Value& v = *node.value;
  if (const auto number = numberOf(&v)) {
    out.numbers.push_back({param, *number, "", ""});
    return;
  }
  if (!v.IsObject()) return;
  const auto value = numberOf(fhir::findMember(v, "value"));
  if (!value) return;
  const std::string type = typeOf(node);
  if (type == "Money") {
    out.numbers.push_back({param, *value, kCurrencySystem, fhir::getString(v, "currency")});
  } else if (fhirpath::derivesFrom(type, "Quantity")) {
    std::string code = fhir::getString(v, "code");
    if (code.empty()) code = fhir::getString(v, "unit");
    out.numbers.push_back({param, *value, fhir::getString(v, "system"), std::move(code)});
  }
}

// --- uri and geo ---

void appendUriRows(const std::string& param, const Node& node, store::SearchIndex& out) {
  if (!node.isComputed() && !isText(*node.value)) return;
  if (const auto text = textOf(node); text && !text->empty()) out.uris.push_back({param, *text});
}

void appendGeoRows(const std::string& param, const Node& node, store::SearchIndex& out) {
  if (node.isComputed() || !node.value->IsObject()) return;
  const auto latitude = numberOf(fhir::findMember(*node.value, "latitude"));
  const auto longitude = numberOf(fhir::findMember(*node.value, "longitude"));
  if (latitude && longitude) out.geo.push_back({param, *latitude, *longitude});
}

}  // namespace

void appendRows(ParameterKind kind, const std::string& param, const Node& node,
                const fhir::Definitions& definitions, store::SearchIndex& out) {
  if (!node.isComputed() && !node.value) return;  // only an extension, or a typed placeholder
  switch (kind) {
    case ParameterKind::kToken:
      appendTokenRows(param, node, out);
      break;
    case ParameterKind::kString:
      appendStringRows(param, node, out);
      break;
    case ParameterKind::kReference:
      appendReferenceRows(param, node, definitions, out);
      break;
    case ParameterKind::kDate:
      appendDateRows(param, node, out);
      break;
    case ParameterKind::kNumber:
      appendNumberRows(param, node, out);
      break;
    case ParameterKind::kUri:
      appendUriRows(param, node, out);
      break;
    case ParameterKind::kGeo:
      appendGeoRows(param, node, out);
      break;
  }
}

}  // namespace sp::search
