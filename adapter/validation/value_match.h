// fixed[x] and pattern[x] comparison of JSON values (ElementDefinition semantics). Pure.
#pragma once

#include <rapidjson/document.h>

namespace sp::validation {

// Exact equality: same members (any order), same array items in order, same primitives.
bool matchesFixed(const rapidjson::Value& value, const rapidjson::Value& fixed);
// Containment: every member the pattern states must match; each pattern array item must match
// some item of the value's array; primitives must be equal.
bool matchesPattern(const rapidjson::Value& value, const rapidjson::Value& pattern);

}  // namespace sp::validation
