#include "validation/value_match.h"

#include "fhir/json.h"

namespace sp::validation {
namespace {

bool samePrimitive(const rapidjson::Value& a, const rapidjson::Value& b) {
  const bool aNumber = a.IsInt64() || fhir::isDecimal(a);
  const bool bNumber = b.IsInt64() || fhir::isDecimal(b);
  if (aNumber || bNumber) return aNumber && bNumber && fhir::numberText(a) == fhir::numberText(b);
  return a == b;
}

}  // namespace

bool matchesFixed(const rapidjson::Value& value, const rapidjson::Value& fixed) {
  if (fixed.IsObject()) {
    if (!value.IsObject() || value.MemberCount() != fixed.MemberCount()) return false;
    for (const auto& m : fixed.GetObject()) {
      const rapidjson::Value* v = fhir::findMember(value, m.name.GetString());
      if (!v || !matchesFixed(*v, m.value)) return false;
    }
    return true;
  }
  if (fixed.IsArray()) {
    if (!value.IsArray() || value.Size() != fixed.Size()) return false;
    for (rapidjson::SizeType i = 0; i < fixed.Size(); ++i) {
      if (!matchesFixed(value[i], fixed[i])) return false;
    }
    return true;
  }
  return samePrimitive(value, fixed);
}

bool matchesPattern(const rapidjson::Value& value, const rapidjson::Value& pattern) {
  if (pattern.IsObject()) {
    if (!value.IsObject()) return false;
    for (const auto& m : pattern.GetObject()) {
      const rapidjson::Value* v = fhir::findMember(value, m.name.GetString());
      if (!v || !matchesPattern(*v, m.value)) return false;
    }
    return true;
  }
  if (pattern.IsArray()) {
    if (!value.IsArray()) return false;
    for (const auto& p : pattern.GetArray()) {
      bool found = false;
      for (const auto& v : value.GetArray()) found = found || matchesPattern(v, p);
      if (!found) return false;
    }
    return true;
  }
  return samePrimitive(value, pattern);
}

}  // namespace sp::validation
