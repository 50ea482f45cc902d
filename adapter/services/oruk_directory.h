// The Directory of Services published as an Open Referral UK 3.0 API (the UK profile's OpenAPI):
//
//   GET /                   api details {version, profile, openapi_url}
//   GET /services           paged; search, taxonomy_term_id, taxonomy_id, minimum_age,
//                           maximum_age, day, start_time, end_time, page, per_page
//   GET /services/{id}      fully nested
//   GET /service_at_locations[/{id}]   each service at each of its locations; the /services
//                           filters and `postcode` (`proximity` is refused: 400)
//   GET /taxonomies[/{id}], GET /taxonomy_terms[/{id}]   (paged lists)
//
// Served on a listener of its own (--directory-port), with no client certificate and
// `Access-Control-Allow-Origin: *`, as ORUK requires. The separation from people's data is by
// construction (docs/security.md, "The public directory"): this handler is not the FHIR API and
// has no route into it; it reads the store itself, and only HealthcareService (not marked
// restricted) and the Organization and Locations those reference. Every refusal is a 4xx with an
// OperationOutcome; nothing escapes as an exception. Thread-safe.
#pragma once

#include <string>

#include "rest/rest_types.h"
#include "store/resource_store.h"

namespace sp::services {

class OrukDirectory {
 public:
  explicit OrukDirectory(store::ResourceStore& store, int maxPageSize = 500)
      : store_(store), maxPageSize_(maxPageSize) {}
  rest::RestResponse handle(const rest::RestRequest& request) const;

 private:
  rest::RestResponse answer(const rest::RestRequest& request) const;
  store::ResourceStore& store_;
  int maxPageSize_;
};

}  // namespace sp::services
