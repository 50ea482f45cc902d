// Formats of the FHIR primitive types in JSON (the spec's regular expressions, written as
// small hand-made checks: std::regex is far too slow on the write path). Pure.
#pragma once

#include <rapidjson/document.h>

#include <string>

namespace sp::validation {

bool isPrimitiveType(const std::string& type);

// Empty when `value` is a valid JSON representation of the primitive `type`; otherwise a
// short reason ("not a valid date"). Unknown types pass.
std::string primitiveProblem(const std::string& type, const rapidjson::Value& value);

}  // namespace sp::validation
