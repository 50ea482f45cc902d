#include "search/query_parser.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <limits>

#include "fhir/base64.h"
#include "fhir/ids.h"

namespace sp::search {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;
using store::CriterionKind;
using store::SearchCriterion;
using store::SearchValue;

[[noreturn]] void invalid(const std::string& why) {
  throw FhirError(ErrorKind::kInvalid, "invalid", why);
}

// Splits on `sep`, honouring the search escape `\` (so `a\,b` is one value).
std::vector<std::string> splitEscaped(const std::string& text, char sep) {
  std::vector<std::string> parts(1);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size()) {
      parts.back() += text[++i];
    } else if (text[i] == sep) {
      parts.emplace_back();
    } else {
      parts.back() += text[i];
    }
  }
  return parts;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return parts;
    start = end + 1;
  }
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

CriterionKind kindOf(const std::string& type) {
  if (type == "token") return CriterionKind::kToken;
  if (type == "string") return CriterionKind::kString;
  if (type == "reference") return CriterionKind::kReference;
  if (type == "date") return CriterionKind::kDate;
  if (type == "number" || type == "quantity") return CriterionKind::kNumber;
  if (type == "uri") return CriterionKind::kUri;
  if (type == "special") return CriterionKind::kNear;
  invalid("search parameters of type '" + type + "' are not supported");
}

std::string takePrefix(std::string& value) {
  static const char* kPrefixes[] = {"eq", "ne", "gt", "lt", "ge", "le", "sa", "eb", "ap"};
  if (value.size() > 2 && std::islower(static_cast<unsigned char>(value[0]))) {
    for (const char* p : kPrefixes) {
      if (value.compare(0, 2, p) == 0) {
        value.erase(0, 2);
        return p;
      }
    }
  }
  return "eq";
}

// UK postcode districts ("ls1", "ls16", "sw1a"): a search for one matches that district only,
// not every postcode that starts with the same characters.
bool isPostcodeParameter(const std::string& code) {
  return code.size() >= 10 && code.compare(code.size() - 10, 10, "postalcode") == 0;
}

bool isPostcodeDistrict(const std::string& text) {
  if (text.size() < 2 || text.size() > 4 || !std::isalpha(static_cast<unsigned char>(text[0]))) {
    return false;
  }
  bool digit = false;
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c))) return false;
    digit = digit || std::isdigit(static_cast<unsigned char>(c));
  }
  return digit;
}

// A date search value as the range it covers: 2026 is the whole year, 2026-03-04T10:00Z
// is one minute.
void parseDateRange(const std::string& text, SearchValue& v) {
  auto fail = [&text]() {
    invalid("'" + text + "' is not a date (YYYY, YYYY-MM, YYYY-MM-DD or a dateTime)");
  };
  if (text.size() < 4) fail();
  // Milliseconds, not TimePoints: FHIR dates run to the year 9999 (le9999-12-31 is a common
  // "no upper bound"), past what a nanosecond system_clock holds.
  constexpr std::int64_t kDay = 86400000;
  int year = 0, month = 1;
  if (text.size() == 4 && std::sscanf(text.c_str(), "%4d", &year) == 1) {
    const auto low = fhir::parseInstantMillis(text + "-01-01");
    const auto last = fhir::parseInstantMillis(text + "-12-31");
    if (!low || !last) fail();
    v.low = *low;
    v.high = *last + kDay;
    return;
  }
  if (text.size() == 7 && std::sscanf(text.c_str(), "%4d-%2d", &year, &month) == 2) {
    const auto low = fhir::parseInstantMillis(text + "-01");
    if (!low || month < 1 || month > 12) fail();
    v.low = *low;
    v.high = *low + kDay;  // the first day after the month: the first day whose month differs
    for (int day = 28; day <= 31; ++day) {
      if (const auto d = fhir::parseInstantMillis(text + "-" + std::to_string(day))) {
        v.high = *d + kDay;
      }
    }
    return;
  }
  if (text.size() == 10) {
    const auto low = fhir::parseInstantMillis(text);
    if (!low) fail();
    v.low = *low;
    v.high = v.low + kDay;
    return;
  }
  // A dateTime: a zone-less time is read as UTC; precision to the minute, second or fraction.
  const bool hasZone =
      text.back() == 'Z' ||
      (text.size() > 19 && (text[text.size() - 6] == '+' || text[text.size() - 6] == '-'));
  std::string core =
      hasZone ? text.substr(0, text.back() == 'Z' ? text.size() - 1 : text.size() - 6) : text;
  const std::string zone = hasZone ? text.substr(core.size()) : "Z";
  std::int64_t width = 1;
  if (core.size() == 16) {  // YYYY-MM-DDThh:mm
    core += ":00";
    width = 60000;
  } else if (core.size() == 19) {
    width = 1000;
  }
  const auto t = fhir::parseInstantMillis(core + zone);
  if (!t) fail();
  v.low = *t;
  v.high = v.low + width;
}

void parseNumber(const std::string& text, SearchValue& v) {
  char* end = nullptr;
  v.number = std::strtod(text.c_str(), &end);
  if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v.number)) {
    invalid("'" + text + "' is not a number");
  }
  const auto dot = text.find_first_of(".");
  const auto exponent = text.find_first_of("eE");
  int decimals = 0;
  if (dot != std::string::npos) {
    decimals = static_cast<int>((exponent == std::string::npos ? text.size() : exponent) - dot - 1);
  }
  v.tolerance = 0.5 * std::pow(10.0, -decimals);
}

// The pieces of one `name[:modifier][.chain]` parameter name.
struct ParamName {
  std::string code;
  std::string modifier;
  std::string rest;  // after the first '.', for chains
};

ParamName splitName(const std::string& name) {
  ParamName n;
  const auto dot = name.find('.');
  const std::string head = name.substr(0, dot);
  if (dot != std::string::npos) n.rest = name.substr(dot + 1);
  const auto colon = head.find(':');
  n.code = head.substr(0, colon);
  if (colon != std::string::npos) n.modifier = head.substr(colon + 1);
  return n;
}

class Parser {
 public:
  Parser(const IndexExtractor& params, std::string localBase)
      : params_(params), localBase_(std::move(localBase)) {}

  // One criterion for parameter `name` = `value` on `type`; false when the name is unknown.
  bool criterion(const std::string& type, const std::string& name, const std::string& value,
                 SearchCriterion& out) {
    if (name.rfind("_has:", 0) == 0) return hasCriterion(type, name, value, out);
    const ParamName n = splitName(name);
    if (n.code == "_id") return simple(CriterionKind::kId, n, value, out);
    if (n.code == "_lastUpdated") return simple(CriterionKind::kLastUpdated, n, value, out);
    if (n.code == "near" && type == "HealthcareService" && n.rest.empty()) {
      // Services whose locations or coverage areas are near. The store keeps each service's
      // places among its own index rows (copied from its Locations, kept current when either
      // changes), so this is Location's `near` asked of the service's rows: a directory search
      // by place never walks the references, however many other resources share the index.
      return criterion("Location", "near", value, out);
    }
    const fhir::SearchParameterDefinition* def = params_.parameter(type, n.code);
    if (!def) return false;
    out.param = def->code;
    out.kind = kindOf(def->type);
    if (out.kind == CriterionKind::kNear && def->code != "near") {
      invalid("search parameter '" + def->code + "' is not supported");
    }
    if (!n.rest.empty()) return chain(type, *def, n, value, out);
    modifier(out, n.modifier, *def);
    if (out.modifier == "of-type") {  // its own index rows: the type coding with the value
      out.param = def->code + ":of-type";
      out.modifier.clear();
    }
    if (out.modifier == "missing") {
      if (value != "true" && value != "false") invalid(name + " takes true or false");
      out.missing = value == "true";
      return true;
    }
    for (const std::string& one : splitEscaped(value, ','))
      out.values.push_back(this->value(out, one));
    if (out.kind == CriterionKind::kString && out.modifier.empty() &&
        isPostcodeParameter(out.param)) {
      bool districts = true;
      for (const auto& v : out.values) districts = districts && isPostcodeDistrict(v.text);
      if (districts) out.modifier = "district";
    }
    return true;
  }

 private:
  bool simple(CriterionKind kind, const ParamName& n, const std::string& value,
              SearchCriterion& out) {
    out.kind = kind;
    out.param = n.code;
    if (!n.modifier.empty() && n.modifier != "not")
      invalid("modifier :" + n.modifier + " is not supported on " + n.code);
    out.modifier = n.modifier;
    for (const std::string& one : splitEscaped(value, ',')) {
      SearchValue v;
      if (kind == CriterionKind::kId) {
        v.text = one;
      } else {
        std::string text = one;
        v.prefix = takePrefix(text);
        parseDateRange(text, v);
      }
      out.values.push_back(v);
    }
    return true;
  }

  void modifier(SearchCriterion& c, const std::string& m,
                const fhir::SearchParameterDefinition& def) {
    if (m.empty()) return;
    static const std::vector<std::pair<CriterionKind, std::vector<std::string>>> kAllowed = {
        {CriterionKind::kToken, {"not", "text", "of-type"}},
        {CriterionKind::kString, {"exact", "contains"}},
        {CriterionKind::kReference, {"identifier"}},
        {CriterionKind::kUri, {"above", "below"}},
    };
    if (m == "missing") {
      c.modifier = m;
      return;
    }
    for (const auto& [kind, list] : kAllowed) {
      if (kind != c.kind) continue;
      for (const auto& allowed : list) {
        if (allowed == m) {
          c.modifier = m;
          return;
        }
      }
    }
    if (c.kind == CriterionKind::kReference) {
      for (const auto& t : def.targets) {
        if (t == m) {
          c.modifier = m;  // a resource type
          return;
        }
      }
    }
    invalid("modifier :" + m + " is not supported on '" + def.code + "'");
  }

  SearchValue value(const SearchCriterion& c, std::string text) {
    SearchValue v;
    switch (c.kind) {
      case CriterionKind::kToken:
        if (c.modifier == "text") {
          v.text = lower(text);
          break;
        }
        if (c.modifier == "of-type") {  // system|code|value of an identifier's type
          const auto parts = split(text, '|');
          if (parts.size() != 3 || parts[1].empty() || parts[2].empty()) {
            invalid(":of-type takes system|code|value");
          }
          v.hasSystem = !parts[0].empty();
          v.system = parts[0];
          v.code = parts[1] + "|" + parts[2];
          break;
        }
        if (const auto bar = text.find('|'); bar != std::string::npos) {
          v.hasSystem = true;
          v.system = text.substr(0, bar);
          v.code = text.substr(bar + 1);
        } else {
          v.code = text;
        }
        break;
      case CriterionKind::kString:
        v.text = c.modifier == "exact" ? text : normaliseForSearch(text);
        break;
      case CriterionKind::kReference:
        if (c.modifier == "identifier") {
          const auto bar = text.find('|');
          v.hasSystem = bar != std::string::npos;
          v.system = v.hasSystem ? text.substr(0, bar) : "";
          v.code = v.hasSystem ? text.substr(bar + 1) : text;
          break;
        }
        if (text.find("://") != std::string::npos && !localBase_.empty() &&
            text.rfind(localBase_ + "/", 0) != 0) {
          v.text = text;  // another server's resource: only the same URL matches
          break;
        }
        referenceValue(c, text, v);
        break;
      case CriterionKind::kDate:
        v.prefix = takePrefix(text);
        parseDateRange(text, v);
        break;
      case CriterionKind::kNumber: {
        v.prefix = takePrefix(text);
        const auto parts = split(text, '|');
        parseNumber(parts[0], v);
        if (parts.size() == 3) {
          v.hasSystem = !parts[1].empty();
          v.system = parts[1];
          v.code = parts[2];
        } else if (parts.size() != 1) {
          invalid("'" + text + "' is not number|system|code");
        }
        break;
      }
      case CriterionKind::kUri:
        v.text = text;
        break;
      case CriterionKind::kNear: {
        const auto parts = split(text, '|');
        if (parts.size() < 2 || parts.size() > 4)
          invalid("near takes latitude|longitude|distance|unit");
        SearchValue a, b;
        parseNumber(parts[0], a);
        parseNumber(parts[1], b);
        v.latitude = a.number;
        v.longitude = b.number;
        v.distanceKm = 50;
        if (parts.size() >= 3 && !parts[2].empty()) {
          SearchValue d;
          parseNumber(parts[2], d);
          v.distanceKm = d.number;
        }
        const std::string unit = parts.size() == 4 ? parts[3] : "km";
        if (unit == "mi" || unit == "[mi_i]") {
          v.distanceKm *= 1.609344;
        } else if (unit == "m") {
          v.distanceKm /= 1000;
        } else if (unit != "km") {
          invalid("near distance unit must be km, m or mi");
        }
        if (std::fabs(v.latitude) > 90 || std::fabs(v.longitude) > 180 || v.distanceKm < 0) {
          invalid("near position or distance out of range");
        }
        break;
      }
      default:
        break;
    }
    return v;
  }

  static void referenceValue(const SearchCriterion& c, const std::string& text, SearchValue& v) {
    std::string r = text;
    if (const auto h = r.find("/_history/"); h != std::string::npos) r.resize(h);
    const auto slash = r.rfind('/');
    if (slash == std::string::npos) {
      v.targetId = r;
      v.targetType = c.modifier;  // :Type, or any type
      return;
    }
    const auto prev = r.rfind('/', slash - 1);
    v.targetType = r.substr(prev == std::string::npos ? 0 : prev + 1,
                            slash - (prev == std::string::npos ? 0 : prev + 1));
    v.targetId = r.substr(slash + 1);
    if (!fhir::isValidId(v.targetId) ||
        !std::isupper(static_cast<unsigned char>(v.targetType[0]))) {
      v.targetType.clear();
      v.targetId.clear();
      v.text = text;  // a canonical or other URL
    }
  }

  bool chain(const std::string& type, const fhir::SearchParameterDefinition& def,
             const ParamName& n, const std::string& value, SearchCriterion& out) {
    if (out.kind != CriterionKind::kReference)
      invalid("only reference parameters can be chained: " + def.code);
    std::string target = n.modifier;
    if (target.empty()) {
      const std::string nextCode = splitName(n.rest).code;
      for (const auto& t : def.targets) {
        if (params_.parameter(t, nextCode) || nextCode == "_id") {
          if (!target.empty())
            invalid("chain '" + def.code + "." + n.rest + "' is ambiguous: name the type as " +
                    def.code + ":Type");
          target = t;
        }
      }
      if (target.empty())
        invalid("no target of '" + def.code + "' has a parameter '" + nextCode + "'");
    }
    (void)type;
    auto chained = std::make_shared<SearchCriterion>();
    if (!criterion(target, n.rest, value, *chained)) {
      invalid("unknown parameter '" + n.rest + "' on " + target + " in a chain");
    }
    out.chainType = target;
    out.chained = chained;
    out.values.resize(1);
    return true;
  }

  // _has:Type:param:rest = value
  bool hasCriterion(const std::string& type, const std::string& name, const std::string& value,
                    SearchCriterion& out) {
    const auto parts = split(name, ':');
    if (parts.size() < 4) invalid("_has needs _has:Type:parameter:parameter=value");
    const std::string hasType = parts[1];
    const fhir::SearchParameterDefinition* link = params_.parameter(hasType, parts[2]);
    if (!link || link->type != "reference")
      invalid("_has: '" + parts[2] + "' is no reference parameter of " + hasType);
    std::string rest;
    for (std::size_t i = 3; i < parts.size(); ++i) rest += (i > 3 ? ":" : "") + parts[i];
    auto chained = std::make_shared<SearchCriterion>();
    if (!criterion(hasType, rest, value, *chained))
      invalid("_has: unknown parameter '" + rest + "' on " + hasType);
    (void)type;
    out.kind = CriterionKind::kHas;
    out.param = "_has";
    out.hasType = hasType;
    out.hasParam = link->code;
    out.chained = chained;
    return true;
  }

  const IndexExtractor& params_;
  std::string localBase_;
};

store::IncludeSpec includeSpec(const std::string& name, const std::string& value,
                               const IndexExtractor& params) {
  store::IncludeSpec spec;
  spec.reverse = name.rfind("_revinclude", 0) == 0;
  spec.iterate =
      name.find(":iterate") != std::string::npos || name.find(":recurse") != std::string::npos;
  const auto parts = split(value, ':');
  if (parts.size() < 2 || parts.size() > 3) invalid(name + " takes Type:parameter[:targetType]");
  spec.sourceType = parts[0];
  spec.param = parts[1];
  if (parts.size() == 3) spec.targetType = parts[2];
  if (spec.param != "*") {
    const auto* def = params.parameter(spec.sourceType, spec.param);
    if (!def || def->type != "reference") {
      invalid(name + ": '" + value + "' names no reference parameter");
    }
  }
  return spec;
}

}  // namespace

ParsedSearch parseSearch(const std::string& type,
                         const std::vector<std::pair<std::string, std::string>>& params,
                         const IndexExtractor& parameters, const SearchLimits& limits,
                         bool strict) {
  if (params.size() > limits.maxParameters) {
    throw FhirError(ErrorKind::kInvalid, "too-costly",
                    "At most " + std::to_string(limits.maxParameters) + " search parameters");
  }
  ParsedSearch out;
  store::SearchRequest& r = out.request;
  r.count = std::min(limits.defaultCount, limits.maxCount);
  if (!type.empty()) r.types.push_back(type);
  Parser parser(parameters, limits.localBase);
  // A system search reads common parameters (_tag, _profile, ...) through one of its types.
  std::string systemType = "Patient";
  for (const auto& [name, value] : params) {
    if (name == "_type" && !value.empty()) systemType = split(value, ',').front();
  }
  for (const auto& [name, value] : params) {
    if (name == "_cursor") {
      r.cursor = decodeCursor(value);
      continue;
    }
    out.linkParams.emplace_back(name, value);
    if (name == "_format" || name == "_pretty") continue;
    if (name == "_count") {
      char* end = nullptr;
      const long n = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end || n < 0) invalid("_count must be a non-negative integer");
      r.count = static_cast<int>(std::min<long>(n, limits.maxCount));
      // Clamped, not refused: the links carry the page size actually served.
      out.linkParams.back().second = std::to_string(r.count);
    } else if (name == "_total") {
      if (value != "none" && value != "estimate" && value != "accurate")
        invalid("_total takes none, estimate or accurate");
      r.total = value != "none";
      r.totalEstimate = value == "estimate";
    } else if (name == "_summary") {
      if (value != "true" && value != "false" && value != "text" && value != "data" &&
          value != "count") {
        invalid("_summary takes true, text, data, count or false");
      }
      out.summary = value;
      if (value == "count") r.total = true;
    } else if (name == "_elements") {
      for (const auto& e : split(value, ',')) {
        if (!e.empty()) out.elements.push_back(e);
      }
    } else if (name == "_sort") {
      for (std::string key : split(value, ',')) {
        store::SortKey sk;
        if (!key.empty() && key[0] == '-') {
          sk.descending = true;
          key.erase(0, 1);
        }
        sk.param = key;
        if (key == "_id" || key == "_lastUpdated") {
          r.sort.push_back(sk);
          continue;
        }
        const auto* def = type.empty() ? nullptr : parameters.parameter(type, key);
        if (!def) invalid("cannot sort by unknown parameter '" + key + "'");
        sk.kind = kindOf(def->type);
        r.sort.push_back(sk);
      }
    } else if (name.rfind("_include", 0) == 0 || name.rfind("_revinclude", 0) == 0) {
      r.includes.push_back(includeSpec(name, value, parameters));
    } else if (name == "_type") {
      if (!type.empty()) invalid("_type is for system-level search");
      for (const auto& t : split(value, ',')) r.types.push_back(t);
    } else {
      store::SearchCriterion c;
      const bool known = !type.empty() ? parser.criterion(type, name, value, c)
                                       : !name.empty() && name[0] == '_' &&
                                             parser.criterion(systemType, name, value, c);
      if (known) {
        r.criteria.push_back(std::move(c));
        continue;
      }
      out.linkParams.pop_back();
      if (strict) {
        throw FhirError(ErrorKind::kInvalid, "not-supported",
                        "Unknown search parameter '" + name + "'");
      }
      out.ignored.push_back(fhir::Issue{fhir::Severity::kWarning, "not-supported",
                                        "Unknown search parameter '" + name + "' was ignored", ""});
    }
  }
  if (out.summary == "count") r.count = 0;
  return out;
}

std::string encodeCursor(const store::Cursor& c) {
  std::string text = c.backwards ? "b" : "f";
  for (const auto& v : c.values) text += '\x1f' + v;
  text += '\x1f' + c.type + '\x1f' + c.id;
  std::string encoded = fhir::base64Encode(text);
  for (char& ch : encoded) {
    if (ch == '+') ch = '-';
    if (ch == '/') ch = '_';
  }
  return encoded;
}

store::Cursor decodeCursor(const std::string& text) {
  std::string b64 = text;
  for (char& ch : b64) {
    if (ch == '-') ch = '+';
    if (ch == '_') ch = '/';
  }
  const auto decoded = fhir::base64Decode(b64);
  if (!decoded || decoded->empty()) invalid("Malformed paging cursor");
  const auto parts = split(*decoded, '\x1f');
  if (parts.size() < 3 || (parts[0] != "f" && parts[0] != "b")) invalid("Malformed paging cursor");
  store::Cursor c;
  c.backwards = parts[0] == "b";
  c.values.assign(parts.begin() + 1, parts.end() - 2);
  c.type = parts[parts.size() - 2];
  c.id = parts.back();
  return c;
}

}  // namespace sp::search
