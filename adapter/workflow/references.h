// Small readers over FHIR JSON that the workflow needs: references, codings, the ODS codes an
// Organization carries. Pure; they never throw on unexpected shapes (the validator reports
// those), they just find nothing.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

namespace sp::workflow {

// A literal reference "Type/id" (also the last two segments of an absolute URL, and the
// "Type/id" before "/_history/n"). Empty type when the reference is not of that form.
struct LocalReference {
  std::string type;
  std::string id;
  bool empty() const { return type.empty(); }
  std::string text() const { return type + "/" + id; }
};
LocalReference parseReference(const std::string& reference);
// The literal reference of a Reference value (`{"reference": "..."}`); empty when none.
LocalReference localReference(const rapidjson::Value* reference);

// What makes two Reference values name the same thing: the literal reference and the logical
// identifier (display and extensions are ignored). Empty for an absent reference.
std::string referenceKey(const rapidjson::Value* reference);

// Reference.identifier when its system is the ODS one: the organisation's ODS code.
std::optional<std::string> odsCodeOf(const rapidjson::Value* reference);
// The ODS codes among a resource's identifiers (an Organization's).
std::set<std::string> odsIdentifiers(const rapidjson::Value& resource);

// "system|code" of each coding of a CodeableConcept (and "text:<lower case text>" when it has
// text but no coding), for set comparisons.
std::set<std::string> conceptTokens(const rapidjson::Value* concept);
// The first code of a CodeableConcept in `system`, or "".
std::string codeIn(const rapidjson::Value* concept, const char* system);
// True when the CodeableConcept has a coding or text.
bool hasContent(const rapidjson::Value* concept);

// Every element of an array member (or the member itself when it is a single object).
std::vector<const rapidjson::Value*> elements(const rapidjson::Value& object, const char* name);

// Extensions of `object` with the given url.
std::vector<const rapidjson::Value*> extensionsWithUrl(const rapidjson::Value& object,
                                                       const char* url);

// A number value (integer or FHIR decimal) as a double.
std::optional<double> numberValue(const rapidjson::Value* value);

// A Reference JSON object {"reference": "Type/id"}.
rapidjson::Value makeReference(const std::string& reference,
                               rapidjson::Document::AllocatorType& alloc);

}  // namespace sp::workflow
