// Conversion functions (spec 5.5): iif, toX / convertsToX for Boolean, Integer, Decimal, String,
// Date, DateTime, Time and Quantity. Each takes a single item (several are an error) and gives
// empty when the item does not convert.
#include <cctype>
#include <charconv>

#include "fhirpath/collection_ops.h"
#include "fhirpath/errors.h"
#include "fhirpath/function_registry.h"
#include "fhirpath/system_value.h"

namespace sp::fhirpath {
namespace {

Collection iif(const CallContext& c) {
  Scope scope = c.scope;
  scope.focus = &c.input;
  if (c.input.size() == 1) scope.thisNode = &c.input.front();
  const auto criterion =
      singletonBoolean(c.evaluator.evaluate(*c.call.children[0], scope), "iif() criterion");
  if (criterion == true) return c.evaluator.evaluate(*c.call.children[1], scope);
  if (c.argCount() > 2) return c.evaluator.evaluate(*c.call.children[2], scope);
  return {};
}

std::string lowered(std::string s) {
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

bool isIntegerText(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

bool isDecimalText(std::string_view s) {
  const auto dot = s.find('.');
  if (dot == std::string_view::npos) return isIntegerText(s);
  const auto fraction = s.substr(dot + 1);
  if (fraction.empty()) return false;
  for (const char ch : fraction) {
    if (ch < '0' || ch > '9') return false;
  }
  const auto whole = s.substr(0, dot);
  return isIntegerText(whole);
}

SystemValue toBooleanValue(const SystemValue& v) {
  if (const auto* b = std::get_if<bool>(&v)) return *b;
  if (const auto* i = std::get_if<std::int64_t>(&v)) {
    if (*i == 0 || *i == 1) return *i == 1;
  }
  if (const auto* d = std::get_if<Decimal>(&v)) {
    if (Decimal::compare(*d, Decimal::fromInteger(1)) == 0) return true;
    if (d->isZero()) return false;
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    const std::string l = lowered(*s);
    if (l == "true" || l == "t" || l == "yes" || l == "y" || l == "1" || l == "1.0") return true;
    if (l == "false" || l == "f" || l == "no" || l == "n" || l == "0" || l == "0.0") return false;
  }
  return std::monostate{};
}

SystemValue toIntegerValue(const SystemValue& v) {
  if (const auto* i = std::get_if<std::int64_t>(&v)) return *i;
  if (const auto* b = std::get_if<bool>(&v)) return std::int64_t{*b ? 1 : 0};
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (!isIntegerText(*s)) return std::monostate{};
    std::int64_t out = 0;
    const char* begin = s->data() + (s->front() == '+' ? 1 : 0);
    const auto [end, ec] = std::from_chars(begin, s->data() + s->size(), out);
    if (ec == std::errc() && end == s->data() + s->size()) return out;
  }
  return std::monostate{};
}

SystemValue toDecimalValue(const SystemValue& v) {
  if (const auto* d = std::get_if<Decimal>(&v)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return Decimal::fromInteger(*i);
  if (const auto* b = std::get_if<bool>(&v)) return *Decimal::parse(*b ? "1.0" : "0.0");
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (!isDecimalText(*s)) return std::monostate{};
    if (auto d = Decimal::parse(*s)) return *d;
  }
  return std::monostate{};
}

SystemValue toDateValue(const SystemValue& v) {
  std::optional<Temporal> t;
  if (const auto* x = std::get_if<Temporal>(&v)) t = *x;
  if (const auto* s = std::get_if<std::string>(&v)) t = Temporal::parseDateTime(*s);
  if (!t || t->kind == TemporalKind::kTime) return std::monostate{};
  Temporal date = t->truncatedTo(TemporalPrecision::kDay);
  date.kind = TemporalKind::kDate;
  return date;
}

SystemValue toDateTimeValue(const SystemValue& v) {
  std::optional<Temporal> t;
  if (const auto* x = std::get_if<Temporal>(&v)) t = *x;
  if (const auto* s = std::get_if<std::string>(&v)) t = Temporal::parseDateTime(*s);
  if (!t || t->kind == TemporalKind::kTime) return std::monostate{};
  t->kind = TemporalKind::kDateTime;
  return *t;
}

SystemValue toTimeValue(const SystemValue& v) {
  if (const auto* x = std::get_if<Temporal>(&v)) {
    if (x->kind == TemporalKind::kTime) return *x;
    return std::monostate{};
  }
  if (const auto* s = std::get_if<std::string>(&v)) {
    if (auto t = Temporal::parseTime(*s)) return *t;
  }
  return std::monostate{};
}

// "4.5 'mg'", "1 year", "3": a number, then optionally a quoted unit or a calendar word.
SystemValue quantityFromText(const std::string& s) {
  const auto space = s.find(' ');
  const std::string number = s.substr(0, space);
  if (!isDecimalText(number)) return std::monostate{};
  const auto value = Decimal::parse(number);
  if (!value) return std::monostate{};
  if (space == std::string::npos) return Quantity{*value, "1"};
  std::string unit = s.substr(space + 1);
  if (unit.size() >= 2 && unit.front() == '\'' && unit.back() == '\'') {
    return Quantity{*value, unit.substr(1, unit.size() - 2)};
  }
  if (isCalendarUnit(unit)) return Quantity{*value, unit};
  return std::monostate{};
}

SystemValue toQuantityValue(const SystemValue& v) {
  if (const auto* q = std::get_if<Quantity>(&v)) return *q;
  if (const auto* i = std::get_if<std::int64_t>(&v)) return Quantity{Decimal::fromInteger(*i), "1"};
  if (const auto* d = std::get_if<Decimal>(&v)) return Quantity{*d, "1"};
  if (const auto* s = std::get_if<std::string>(&v)) return quantityFromText(*s);
  return std::monostate{};
}

using Converter = SystemValue (*)(const SystemValue&);

// The converted single input; nullopt for an empty input.
std::optional<SystemValue> convert(const CallContext& c, Converter converter) {
  const Node* item = c.singleInput();
  if (!item) return std::nullopt;
  return converter(systemValue(*item));
}

template <Converter kConverter>
Collection to(const CallContext& c) {
  auto v = convert(c, kConverter);
  if (!v) return {};
  return single(std::move(*v));
}

template <Converter kConverter>
Collection convertsTo(const CallContext& c) {
  const auto v = convert(c, kConverter);
  if (!v) return {};
  return {booleanNode(!std::holds_alternative<std::monostate>(*v))};
}

Collection toQuantity(const CallContext& c) {
  auto v = convert(c, toQuantityValue);
  if (!v || std::holds_alternative<std::monostate>(*v)) return {};
  if (c.argCount() > 0) {
    const auto unit = c.stringArg(0);
    if (!unit) return {};
    const Quantity& q = std::get<Quantity>(*v);
    const auto order = compareQuantities(q, Quantity{Decimal::fromInteger(1), *unit});
    if (!order) return {};
    if (q.unit != *unit) return {};  // converting between units is not supported
  }
  return single(std::move(*v));
}

Collection convertsToQuantity(const CallContext& c) {
  const Node* item = c.singleInput();
  if (!item) return {};
  return {booleanNode(!toQuantity(c).empty())};
}

Collection toStringFunction(const CallContext& c) {
  const Node* item = c.singleInput();
  if (!item) return {};
  auto text = toSystemString(*item);
  if (!text) return {};
  return {stringNode(std::move(*text))};
}

Collection convertsToString(const CallContext& c) {
  const Node* item = c.singleInput();
  if (!item) return {};
  return {booleanNode(toSystemString(*item).has_value())};
}

}  // namespace

const std::vector<FunctionDef>& conversionFunctions() {
  static const std::vector<FunctionDef> kFunctions = {
      {"iif", 2, 3, iif},
      {"toBoolean", 0, 0, to<toBooleanValue>},
      {"convertsToBoolean", 0, 0, convertsTo<toBooleanValue>},
      {"toInteger", 0, 0, to<toIntegerValue>},
      {"convertsToInteger", 0, 0, convertsTo<toIntegerValue>},
      {"toDecimal", 0, 0, to<toDecimalValue>},
      {"convertsToDecimal", 0, 0, convertsTo<toDecimalValue>},
      {"toString", 0, 0, toStringFunction},
      {"convertsToString", 0, 0, convertsToString},
      {"toDate", 0, 0, to<toDateValue>},
      {"convertsToDate", 0, 0, convertsTo<toDateValue>},
      {"toDateTime", 0, 0, to<toDateTimeValue>},
      {"convertsToDateTime", 0, 0, convertsTo<toDateTimeValue>},
      {"toTime", 0, 0, to<toTimeValue>},
      {"convertsToTime", 0, 0, convertsTo<toTimeValue>},
      {"toQuantity", 0, 1, toQuantity},
      {"convertsToQuantity", 0, 1, convertsToQuantity},
  };
  return kFunctions;
}

}  // namespace sp::fhirpath
