// JSON parsing and writing for FHIR resources (RapidJSON DOM).
//
// Decimal fidelity: FHIR decimals must round-trip exactly (`1.50` stays `1.50`). Numbers with a
// fraction or exponent, and integers too large for int64, are kept in the DOM as a string value
// that starts with kDecimalMarker followed by the number's original text; `writeJson` writes them
// back unquoted. Plain integers become int64 values. The marker byte can never come from input:
// FHIR strings may not hold control characters, and `parseJson` refuses them.
//
// Thread safety: all functions are pure; a Document must not be shared between threads.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sp::fhir {

inline constexpr char kDecimalMarker = '\x01';

struct JsonLimits {
  std::size_t maxDepth = 64;  // nesting of objects and arrays
};

// Parses `text` into `out`. Throws FhirError(kInvalid, "structure") for malformed JSON, a
// control character inside a string, duplicate member names, or nesting deeper than
// limits.maxDepth (diagnostics give the byte offset).
void parseJson(std::string_view text, rapidjson::Document& out, const JsonLimits& limits = {});

// Compact JSON text, decimals written as they were read.
std::string writeJson(const rapidjson::Value& value);

bool isDecimal(const rapidjson::Value& value);
// The text of a number value (int64 or marked decimal); empty for other kinds.
std::string numberText(const rapidjson::Value& value);
rapidjson::Value makeDecimal(std::string_view text, rapidjson::Document::AllocatorType& alloc);

// Convenience accessors for the common case "member that is a string".
std::string getString(const rapidjson::Value& object, const char* name);
const rapidjson::Value* findMember(const rapidjson::Value& object, const char* name);
// The string items of the array object[name] (other items skipped); empty when there is none.
std::vector<std::string> getStrings(const rapidjson::Value& object, const char* name);

rapidjson::Value makeString(std::string_view text, rapidjson::Document::AllocatorType& alloc);
// Sets (adds or replaces) object[name] = value.
void setMember(rapidjson::Value& object, const char* name, rapidjson::Value value,
               rapidjson::Document::AllocatorType& alloc);
void removeMember(rapidjson::Value& object, const char* name);
// object[name] when it is of `type` (kObjectType or kArrayType); otherwise it is set to an empty
// one first. For building nested elements: memberOfType(meta, "tag", kArrayType, a).PushBack(...).
rapidjson::Value& memberOfType(rapidjson::Value& object, const char* name, rapidjson::Type type,
                               rapidjson::Document::AllocatorType& alloc);

}  // namespace sp::fhir
