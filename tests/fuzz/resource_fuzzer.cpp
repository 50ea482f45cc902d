// libFuzzer target over a resource's way in, up to the SQL: parse (the server's JSON rules and
// limits) -> validate (StructureDefinitions, FHIRPath invariants) -> store-ready form (the text
// written to resource_versions, identifier tokens, search index rows).
//
// The store itself is not fuzzed (it needs PostgreSQL); instead every value bound for it is
// checked to be storable (fuzz_support.h). A FhirError is the expected answer to bad input (a
// 4xx); any other exception escapes and libFuzzer reports it, since the server would answer it
// with a 500.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "fuzz_support.h"
#include "rest/resource_write.h"

namespace {

void storeReadyForm(const rapidjson::Document& resource) {
  using sp::fuzz::requireFinite;
  using sp::fuzz::requireStorable;
  const std::string body = sp::fhir::writeJson(resource);
  requireStorable(body, "resource body");
  rapidjson::Document again;
  sp::fhir::parseJson(body, again);  // what is stored must read back under the same rules
  for (const auto& token : sp::rest::identifierTokens(resource)) {
    requireStorable(token.system + token.value, "identifier token");
  }
  const sp::store::SearchIndex index = sp::fuzz::loaded().indexer.extract(resource);
  for (const auto& row : index.tokens) requireStorable(row.system + row.code + row.text, "token");
  for (const auto& row : index.strings) requireStorable(row.normalised + row.exact, "string");
  for (const auto& row : index.references) {
    requireStorable(
        row.targetType + row.targetId + row.url + row.identifierSystem + row.identifierValue,
        "reference");
  }
  for (const auto& row : index.uris) requireStorable(row.uri, "uri");
  for (const auto& row : index.numbers) {
    requireFinite(row.value, "number");
    requireStorable(row.system + row.code, "quantity unit");
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  sp::fuzz::loaded();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& loaded = sp::fuzz::loaded();
  rapidjson::Document resource;
  try {
    sp::fhir::parseJson(std::string_view(reinterpret_cast<const char*>(data), size), resource);
  } catch (const sp::fhir::FhirError&) {
    return 0;  // refused with 400, as it should be
  }
  if (!resource.IsObject()) return 0;
  const std::string type = sp::fhir::getString(resource, "resourceType");
  if (!loaded.definitions.isResourceType(type)) return 0;  // the server answers 400
  try {
    const auto issues = loaded.validator.validate(resource);
    if (sp::validation::Validator::hasErrors(issues)) return 0;  // 422
  } catch (const sp::fhir::FhirError&) {
    return 0;
  }
  storeReadyForm(resource);
  return 0;
}
