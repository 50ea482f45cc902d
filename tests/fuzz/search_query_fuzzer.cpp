// libFuzzer target over a search request's way in, up to the SQL: the query string as it comes
// off the wire -> decoding and hostile-text screening -> parsing against the SearchParameter
// definitions into the store's SearchRequest.
//
// The first input byte picks the searched type (or a system search); the rest is the query.
// A FhirError is the expected answer to a bad query (a 4xx); any other exception escapes and
// libFuzzer reports it. Every string bound for SQL must be storable (fuzz_support.h).
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "fhir/errors.h"
#include "fuzz_support.h"
#include "rest/request_screen.h"
#include "rest/rest_types.h"
#include "search/query_parser.h"

namespace {

constexpr std::array<const char*, 8> kTypes = {"",         "Patient",           "ServiceRequest",
                                               "Task",     "HealthcareService", "Observation",
                                               "Location", "Organization"};

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  sp::fuzz::loaded();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string type = kTypes[data[0] % kTypes.size()];
  const std::string query(reinterpret_cast<const char*>(data) + 1, size - 1);
  sp::search::SearchLimits limits;
  limits.localBase = "https://fhir.example.org";
  try {
    const sp::rest::QueryParams params = sp::rest::parseQueryString(query);
    sp::rest::screenQueryParams(params);
    const sp::search::ParsedSearch parsed =
        sp::search::parseSearch(type, params, sp::fuzz::loaded().indexer, limits, false);
    for (const auto& [name, value] : parsed.linkParams) {
      sp::fuzz::requireStorable(name + value, "link parameter");
    }
    for (const auto& t : parsed.request.types) sp::fuzz::requireStorable(t, "type");
  } catch (const sp::fhir::FhirError&) {
    return 0;  // refused with a 4xx, as it should be
  }
  return 0;
}
