#include "validation/primitive_formats.h"

#include <cctype>
#include <cstdlib>
#include <string_view>
#include <unordered_map>

#include "fhir/base64.h"
#include "fhir/json.h"

namespace sp::validation {
namespace {

using Check = std::string (*)(const rapidjson::Value&);

bool digits(std::string_view s, std::size_t pos, std::size_t n) {
  if (pos + n > s.size()) return false;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

int number(std::string_view s, std::size_t pos, std::size_t n) {
  return std::atoi(std::string(s.substr(pos, n)).c_str());
}

// YYYY, YYYY-MM or YYYY-MM-DD at the start of s; returns the length matched (0 if none).
std::size_t datePart(std::string_view s) {
  if (!digits(s, 0, 4) || number(s, 0, 4) == 0) return 0;
  if (s.size() == 4 || s[4] != '-') return 4;
  if (!digits(s, 5, 2) || number(s, 5, 2) < 1 || number(s, 5, 2) > 12) return 0;
  if (s.size() == 7 || s[7] != '-') return 7;
  if (!digits(s, 8, 2) || number(s, 8, 2) < 1 || number(s, 8, 2) > 31) return 0;
  return 10;
}

// hh:mm:ss(.fraction)? at pos; returns the end position or npos.
std::size_t timePart(std::string_view s, std::size_t pos) {
  if (!digits(s, pos, 2) || s.size() < pos + 8 || s[pos + 2] != ':' || !digits(s, pos + 3, 2) ||
      s[pos + 5] != ':' || !digits(s, pos + 6, 2)) {
    return std::string_view::npos;
  }
  if (number(s, pos, 2) > 23 || number(s, pos + 3, 2) > 59 || number(s, pos + 6, 2) > 60) {
    return std::string_view::npos;
  }
  std::size_t end = pos + 8;
  if (end < s.size() && s[end] == '.') {
    const std::size_t start = ++end;
    while (end < s.size() && std::isdigit(static_cast<unsigned char>(s[end]))) ++end;
    if (end == start) return std::string_view::npos;
  }
  return end;
}

bool zoneAt(std::string_view s, std::size_t pos) {
  if (pos + 1 == s.size() && s[pos] == 'Z') return true;
  return pos + 6 == s.size() && (s[pos] == '+' || s[pos] == '-') && digits(s, pos + 1, 2) &&
         s[pos + 3] == ':' && digits(s, pos + 4, 2) && number(s, pos + 1, 2) <= 14 &&
         number(s, pos + 4, 2) <= 59;
}

std::string_view text(const rapidjson::Value& v) { return {v.GetString(), v.GetStringLength()}; }
bool isText(const rapidjson::Value& v) { return v.IsString() && !fhir::isDecimal(v); }

std::string stringCheck(const rapidjson::Value& v) {
  if (!isText(v)) return "must be a JSON string";
  if (v.GetStringLength() == 0) return "must not be empty";
  return "";
}

std::string booleanCheck(const rapidjson::Value& v) {
  return v.IsBool() ? "" : "must be true or false";
}

std::string integerIn(const rapidjson::Value& v, long long min) {
  if (!v.IsInt64()) return "must be a JSON integer";
  const long long n = v.GetInt64();
  if (n < min || n > 2147483647LL) return "is out of range";
  return "";
}
std::string integerCheck(const rapidjson::Value& v) { return integerIn(v, -2147483648LL); }
std::string unsignedCheck(const rapidjson::Value& v) { return integerIn(v, 0); }
std::string positiveCheck(const rapidjson::Value& v) { return integerIn(v, 1); }

std::string decimalCheck(const rapidjson::Value& v) {
  return v.IsInt64() || fhir::isDecimal(v) ? "" : "must be a JSON number";
}

std::string codeCheck(const rapidjson::Value& v) {
  if (std::string p = stringCheck(v); !p.empty()) return p;
  const std::string_view s = text(v);
  if (std::isspace(static_cast<unsigned char>(s.front())) ||
      std::isspace(static_cast<unsigned char>(s.back()))) {
    return "must not start or end with whitespace";
  }
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (std::isspace(static_cast<unsigned char>(s[i])) &&
        std::isspace(static_cast<unsigned char>(s[i - 1]))) {
      return "must not hold runs of whitespace";
    }
  }
  return "";
}

std::string idCheck(const rapidjson::Value& v) {
  if (std::string p = stringCheck(v); !p.empty()) return p;
  const std::string_view s = text(v);
  if (s.size() > 64) return "is longer than 64 characters";
  for (char c : s) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '.') {
      return "may hold only A-Z a-z 0-9 - .";
    }
  }
  return "";
}

std::string uriCheck(const rapidjson::Value& v) {
  if (std::string p = stringCheck(v); !p.empty()) return p;
  for (char c : text(v)) {
    if (std::isspace(static_cast<unsigned char>(c))) return "must not contain whitespace";
  }
  return "";
}

std::string oidCheck(const rapidjson::Value& v) {
  if (std::string p = uriCheck(v); !p.empty()) return p;
  const std::string_view s = text(v);
  if (s.rfind("urn:oid:", 0) != 0 || s.size() < 10) return "must be urn:oid:<digits.digits>";
  for (char c : s.substr(8)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return "must be urn:oid:...";
  }
  return "";
}

std::string uuidCheck(const rapidjson::Value& v) {
  if (std::string p = uriCheck(v); !p.empty()) return p;
  const std::string_view s = text(v);
  if (s.size() != 45 || s.rfind("urn:uuid:", 0) != 0) return "must be urn:uuid:<uuid>";
  return "";
}

std::string dateCheck(const rapidjson::Value& v) {
  if (!isText(v)) return "must be a JSON string";
  const std::string_view s = text(v);
  return datePart(s) == s.size() && !s.empty() ? "" : "is not a valid date";
}

std::string dateTimeCheck(const rapidjson::Value& v) {
  if (!isText(v)) return "must be a JSON string";
  const std::string_view s = text(v);
  const std::size_t d = datePart(s);
  if (d == 0) return "is not a valid dateTime";
  if (d == s.size()) return "";
  if (d != 10 || s[10] != 'T') return "is not a valid dateTime";
  const std::size_t t = timePart(s, 11);
  if (t == std::string_view::npos || !zoneAt(s, t)) {
    return "is not a valid dateTime (a time needs a zone)";
  }
  return "";
}

std::string instantCheck(const rapidjson::Value& v) {
  if (!isText(v)) return "must be a JSON string";
  const std::string_view s = text(v);
  if (datePart(s) != 10 || s.size() < 11 || s[10] != 'T') return "is not a valid instant";
  const std::size_t t = timePart(s, 11);
  return t != std::string_view::npos && zoneAt(s, t) ? "" : "is not a valid instant";
}

std::string timeCheck(const rapidjson::Value& v) {
  if (!isText(v)) return "must be a JSON string";
  const std::string_view s = text(v);
  return timePart(s, 0) == s.size() ? "" : "is not a valid time";
}

std::string base64Check(const rapidjson::Value& v) {
  if (std::string p = stringCheck(v); !p.empty()) return p;
  std::string compact;
  for (char c : text(v)) {
    if (!std::isspace(static_cast<unsigned char>(c))) compact.push_back(c);
  }
  return fhir::base64Decode(compact) ? "" : "is not valid base64";
}

std::string xhtmlCheck(const rapidjson::Value& v) {
  if (std::string p = stringCheck(v); !p.empty()) return p;
  return text(v).rfind("<div", 0) == 0 ? "" : "must be an XHTML <div>";
}

const std::unordered_map<std::string, Check>& checks() {
  static const std::unordered_map<std::string, Check> kChecks = {
      {"boolean", booleanCheck},
      {"integer", integerCheck},
      {"unsignedInt", unsignedCheck},
      {"positiveInt", positiveCheck},
      {"decimal", decimalCheck},
      {"string", stringCheck},
      {"markdown", stringCheck},
      {"code", codeCheck},
      {"id", idCheck},
      {"uri", uriCheck},
      {"url", uriCheck},
      {"canonical", uriCheck},
      {"oid", oidCheck},
      {"uuid", uuidCheck},
      {"date", dateCheck},
      {"dateTime", dateTimeCheck},
      {"instant", instantCheck},
      {"time", timeCheck},
      {"base64Binary", base64Check},
      {"xhtml", xhtmlCheck},
  };
  return kChecks;
}

}  // namespace

bool isPrimitiveType(const std::string& type) { return checks().count(type) > 0; }

std::string primitiveProblem(const std::string& type, const rapidjson::Value& value) {
  auto it = checks().find(type);
  return it == checks().end() ? "" : it->second(value);
}

}  // namespace sp::validation
