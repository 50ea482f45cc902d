#include "fhirpath/equality.h"

#include <algorithm>
#include <cctype>
#include <vector>

#include "fhir/json.h"
#include "fhirpath/errors.h"
#include "fhirpath/system_value.h"
#include "fhirpath/type_system.h"

namespace sp::fhirpath {
namespace {

using rapidjson::Value;

bool isObject(const Node& n) { return !n.isComputed() && n.value && n.value->IsObject(); }

bool isNumber(const SystemValue& v) {
  return std::holds_alternative<std::int64_t>(v) || std::holds_alternative<Decimal>(v);
}

Decimal asDecimal(const SystemValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return Decimal::fromInteger(*i);
  return std::get<Decimal>(v);
}

std::string normalisedText(std::string_view s) {
  std::string out;
  bool space = false;
  for (const char c : s) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}

bool decimalsEquivalent(const Decimal& a, const Decimal& b) {
  const int scale = std::min(a.scale(), b.scale());
  return Decimal::compare(a.roundedTo(scale), b.roundedTo(scale)) == 0;
}

std::optional<Decimal> jsonNumber(const Value& v) {
  if (v.IsInt64()) return Decimal::fromInteger(v.GetInt64());
  if (fhir::isDecimal(v)) return Decimal::parse(fhir::numberText(v));
  return std::nullopt;
}

bool jsonEqual(const Value& x, const Value& y, bool equivalence) {
  const auto nx = jsonNumber(x);
  const auto ny = jsonNumber(y);
  if (nx || ny) {
    if (!nx || !ny) return false;
    return equivalence ? decimalsEquivalent(*nx, *ny) : Decimal::compare(*nx, *ny) == 0;
  }
  if (x.GetType() != y.GetType()) return false;
  if (x.IsString()) {
    const std::string_view a(x.GetString(), x.GetStringLength());
    const std::string_view b(y.GetString(), y.GetStringLength());
    return equivalence ? normalisedText(a) == normalisedText(b) : a == b;
  }
  if (x.IsArray()) {
    if (x.Size() != y.Size()) return false;
    for (rapidjson::SizeType i = 0; i < x.Size(); ++i) {
      if (!jsonEqual(x[i], y[i], equivalence)) return false;
    }
    return true;
  }
  if (x.IsObject()) {
    if (x.MemberCount() != y.MemberCount()) return false;
    for (const auto& m : x.GetObject()) {
      const auto it = y.FindMember(m.name);
      if (it == y.MemberEnd() || !jsonEqual(m.value, it->value, equivalence)) return false;
    }
    return true;
  }
  return x == y;  // booleans and null
}

// The temporal a string stands for when compared with a temporal.
std::optional<Temporal> asTemporal(const SystemValue& v) {
  if (const auto* t = std::get_if<Temporal>(&v)) return *t;
  if (const auto* s = std::get_if<std::string>(&v)) return Temporal::parseAny(*s);
  return std::nullopt;
}

bool eitherTemporal(const SystemValue& a, const SystemValue& b) {
  return std::holds_alternative<Temporal>(a) || std::holds_alternative<Temporal>(b);
}

std::optional<bool> valuesEqual(const SystemValue& a, const SystemValue& b) {
  if (isNumber(a) && isNumber(b)) return Decimal::compare(asDecimal(a), asDecimal(b)) == 0;
  if (eitherTemporal(a, b)) {
    const auto x = asTemporal(a);
    const auto y = asTemporal(b);
    if (!x || !y) return false;
    switch (compareTemporal(*x, *y)) {
      case TemporalOrder::kEqual:
        return true;
      case TemporalOrder::kUncertain:
        return std::nullopt;
      default:
        return false;
    }
  }
  if (a.index() != b.index()) return false;
  if (const auto* q = std::get_if<Quantity>(&a)) {
    const auto order = compareQuantities(*q, std::get<Quantity>(b));
    if (!order) return std::nullopt;
    return *order == 0;
  }
  if (const auto* x = std::get_if<bool>(&a)) return *x == std::get<bool>(b);
  if (const auto* x = std::get_if<std::string>(&a)) return *x == std::get<std::string>(b);
  return false;
}

bool valuesEquivalent(const SystemValue& a, const SystemValue& b) {
  if (isNumber(a) && isNumber(b)) return decimalsEquivalent(asDecimal(a), asDecimal(b));
  if (eitherTemporal(a, b)) {
    const auto x = asTemporal(a);
    const auto y = asTemporal(b);
    return x && y && compareTemporal(*x, *y) == TemporalOrder::kEqual;
  }
  if (a.index() != b.index()) return false;
  if (const auto* s = std::get_if<std::string>(&a)) {
    return normalisedText(*s) == normalisedText(std::get<std::string>(b));
  }
  if (const auto* q = std::get_if<Quantity>(&a)) {
    return quantitiesEquivalent(*q, std::get<Quantity>(b));
  }
  if (const auto* x = std::get_if<bool>(&a)) return *x == std::get<bool>(b);
  return false;
}

const char* kindName(const SystemValue& v) {
  static constexpr const char* kNames[] = {"a complex value", "Boolean",     "Integer", "Decimal",
                                           "String",          "a date/time", "Quantity"};
  return kNames[v.index()];
}

std::optional<int> orderOf(TemporalOrder order) {
  switch (order) {
    case TemporalOrder::kLess:
      return -1;
    case TemporalOrder::kEqual:
      return 0;
    case TemporalOrder::kGreater:
      return 1;
    default:
      return std::nullopt;
  }
}

void appendCanonicalJson(const Value& v, std::string& out) {
  if (const auto n = jsonNumber(v)) {
    out += "n" + n->trimmed().toString() + ";";
  } else if (v.IsString()) {
    out += "s" + std::to_string(v.GetStringLength()) + ":";
    out.append(v.GetString(), v.GetStringLength());
  } else if (v.IsArray()) {
    out += "[";
    for (const auto& e : v.GetArray()) appendCanonicalJson(e, out);
    out += "]";
  } else if (v.IsObject()) {
    std::vector<std::pair<std::string_view, const Value*>> members;
    for (const auto& m : v.GetObject()) {
      members.emplace_back(std::string_view(m.name.GetString(), m.name.GetStringLength()),
                           &m.value);
    }
    std::sort(members.begin(), members.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    out += "{";
    for (const auto& [name, value] : members) {
      out += std::to_string(name.size()) + ":";
      out.append(name);
      appendCanonicalJson(*value, out);
    }
    out += "}";
  } else {
    out += v.IsTrue() ? "T" : (v.IsFalse() ? "F" : "N");
  }
}

}  // namespace

std::optional<bool> itemsEqual(const Node& a, const Node& b) {
  if (isObject(a) && isObject(b)) return jsonEqual(*a.value, *b.value, false);
  return valuesEqual(systemValue(a), systemValue(b));
}

bool itemsEquivalent(const Node& a, const Node& b) {
  if (isObject(a) && isObject(b)) return jsonEqual(*a.value, *b.value, true);
  return valuesEquivalent(systemValue(a), systemValue(b));
}

std::optional<int> compareItems(const Node& a, const Node& b) {
  SystemValue x = systemValue(a);
  SystemValue y = systemValue(b);
  if (isUntypedString(a) && isUntypedString(b)) {
    // Without type information two date-like strings are compared as dates.
    const auto tx = Temporal::parseAny(std::get<std::string>(x));
    const auto ty = Temporal::parseAny(std::get<std::string>(y));
    if (tx && ty) return orderOf(compareTemporal(*tx, *ty));
  }
  if (isNumber(x) && isNumber(y)) return Decimal::compare(asDecimal(x), asDecimal(y));
  if (eitherTemporal(x, y)) {
    const auto tx = asTemporal(x);
    const auto ty = asTemporal(y);
    if (tx && ty) {
      const TemporalOrder order = compareTemporal(*tx, *ty);
      if (order != TemporalOrder::kIncompatible) return orderOf(order);
    }
  } else if (x.index() == y.index()) {
    if (const auto* s = std::get_if<std::string>(&x)) {
      const int c = s->compare(std::get<std::string>(y));
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    if (const auto* q = std::get_if<Quantity>(&x)) {
      return compareQuantities(*q, std::get<Quantity>(y));
    }
  }
  throw FhirPathEvaluationError(std::string("cannot compare ") + kindName(x) + " with " +
                                kindName(y));
}

std::optional<bool> collectionsEqual(const Collection& a, const Collection& b) {
  if (a.empty() || b.empty()) return std::nullopt;
  if (a.size() != b.size()) return false;
  bool uncertain = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto e = itemsEqual(a[i], b[i]);
    if (!e) {
      uncertain = true;
    } else if (!*e) {
      return false;
    }
  }
  if (uncertain) return std::nullopt;
  return true;
}

bool collectionsEquivalent(const Collection& a, const Collection& b) {
  if (a.size() != b.size()) return false;
  std::vector<bool> used(b.size(), false);
  for (const Node& x : a) {
    bool found = false;
    for (std::size_t j = 0; j < b.size() && !found; ++j) {
      if (!used[j] && itemsEquivalent(x, b[j])) used[j] = found = true;
    }
    if (!found) return false;
  }
  return true;
}

std::string equalityKey(const Node& node) {
  if (isObject(node) && !derivesFrom(node.type, "Quantity")) {
    std::string out = "o";
    appendCanonicalJson(*node.value, out);
    return out;
  }
  const SystemValue v = systemValue(node);
  if (isNumber(v)) return "n" + asDecimal(v).trimmed().toString();
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "bT" : "bF";
  if (const auto* s = std::get_if<std::string>(&v)) return "s" + *s;
  if (const auto* t = std::get_if<Temporal>(&v)) return "t" + t->equalityKey();
  if (const auto* q = std::get_if<Quantity>(&v)) return "q" + quantityKey(*q);
  // No value (a primitive with only an extension, a synthetic node): only equal to itself.
  return "x" + std::to_string(reinterpret_cast<std::uintptr_t>(node.primitiveExtension)) + "/" +
         std::to_string(reinterpret_cast<std::uintptr_t>(node.value)) + "/" + node.type;
}

}  // namespace sp::fhirpath
