#include "fhirpath/system_value.h"

#include "fhir/json.h"
#include "fhirpath/errors.h"
#include "fhirpath/type_system.h"

namespace sp::fhirpath {
namespace {

Decimal jsonDecimal(const rapidjson::Value& v) {
  const auto d = Decimal::parse(fhir::numberText(v));
  if (!d) throw FhirPathEvaluationError("decimal out of range: " + fhir::numberText(v));
  return *d;
}

std::optional<Quantity> jsonQuantity(const rapidjson::Value& object) {
  const auto value = object.FindMember("value");
  if (value == object.MemberEnd()) return std::nullopt;
  Quantity q;
  if (value->value.IsInt64()) {
    q.value = Decimal::fromInteger(value->value.GetInt64());
  } else if (fhir::isDecimal(value->value)) {
    q.value = jsonDecimal(value->value);
  } else {
    return std::nullopt;
  }
  q.unit = fhir::getString(object, "code");
  if (q.unit.empty()) q.unit = fhir::getString(object, "unit");
  return q;
}

// An object of unknown type whose members are all Quantity members, with a numeric value.
bool looksLikeQuantity(const rapidjson::Value& object) {
  static constexpr std::string_view kMembers[] = {"value", "unit",      "system",    "code",
                                                  "id",    "extension", "comparator"};
  for (const auto& m : object.GetObject()) {
    const std::string_view name(m.name.GetString(), m.name.GetStringLength());
    bool known = false;
    for (const auto& k : kMembers) known = known || k == name;
    if (!known) return false;
  }
  return true;
}

}  // namespace

SystemValue systemValue(const Node& node) {
  if (node.isComputed()) return node.computed;
  if (!node.value) return std::monostate{};
  const rapidjson::Value& v = *node.value;
  if (v.IsBool()) return v.GetBool();
  if (v.IsInt64()) return v.GetInt64();
  if (fhir::isDecimal(v)) return jsonDecimal(v);
  if (v.IsString()) {
    const std::string_view text(v.GetString(), v.GetStringLength());
    if (node.type == "date" || node.type == "dateTime" || node.type == "instant") {
      if (auto t = Temporal::parseDateTime(text)) {
        if (node.type != "date") t->kind = TemporalKind::kDateTime;
        return *t;
      }
    } else if (node.type == "time") {
      if (auto t = Temporal::parseTime(text)) return *t;
    }
    return std::string(text);
  }
  if (v.IsObject() &&
      (node.type.empty() ? looksLikeQuantity(v) : derivesFrom(node.type, "Quantity"))) {
    if (auto q = jsonQuantity(v)) return *q;
  }
  return std::monostate{};
}

std::optional<std::string_view> stringView(const Node& node) {
  if (node.isComputed()) {
    if (const auto* s = std::get_if<std::string>(&node.computed)) return std::string_view(*s);
    return std::nullopt;
  }
  if (!node.value || !node.value->IsString() || fhir::isDecimal(*node.value)) return std::nullopt;
  return std::string_view(node.value->GetString(), node.value->GetStringLength());
}

bool isUntypedString(const Node& node) {
  return !node.isComputed() && node.type.empty() && node.value && node.value->IsString() &&
         !fhir::isDecimal(*node.value);
}

std::optional<std::string> toSystemString(const Node& node) {
  if (!node.isComputed() && node.value && node.value->IsString()) {
    if (fhir::isDecimal(*node.value)) return fhir::numberText(*node.value);
    return std::string(node.value->GetString(), node.value->GetStringLength());
  }
  struct Visitor {
    std::optional<std::string> operator()(std::monostate) const { return std::nullopt; }
    std::optional<std::string> operator()(bool b) const { return b ? "true" : "false"; }
    std::optional<std::string> operator()(std::int64_t i) const { return std::to_string(i); }
    std::optional<std::string> operator()(const Decimal& d) const { return d.toString(); }
    std::optional<std::string> operator()(const std::string& s) const { return s; }
    std::optional<std::string> operator()(const Temporal& t) const { return t.toString(); }
    std::optional<std::string> operator()(const Quantity& q) const { return quantityToString(q); }
  };
  return std::visit(Visitor{}, systemValue(node));
}

}  // namespace sp::fhirpath
