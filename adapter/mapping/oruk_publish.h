// The hub's Directory of Services as Open Referral UK 3.0 (the UK profile of HSDS 3.0): stored
// HealthcareServices, with the Organization that provides each and the Locations it is
// delivered at, turned back into ORUK services, taxonomy terms and pages
// (docs/directory-feeds.md, "Publishing"). The reverse of mapping/oruk_service.h: what that
// mapping imports, this one publishes again, so that importing our own feed gives the same
// directory. Nothing but these three resource types is ever read. Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <vector>

namespace sp::mapping {

// One stored directory entry and what it references (null / empty: not held).
struct PublishedEntry {
  const rapidjson::Value* service = nullptr;
  const rapidjson::Value* organization = nullptr;
  std::vector<const rapidjson::Value*> locations;
};

// A UUID made from `seed` (the same seed, the same UUID): ids for the ORUK objects R4 has no id
// for (a schedule, a service_at_location, a taxonomy term).
std::string orukUuid(const std::string& seed);

// The ORUK service: the one-to-one fields and `organization` (a `/services` item), or fully
// nested (`/services/{id}`: schedules, service_at_locations with their locations, attributes).
rapidjson::Value orukService(const PublishedEntry& entry, bool nested,
                             rapidjson::Document::AllocatorType& a);

// One service at one of its locations (`/service_at_locations`): {id, service_id, location_id,
// location, service}; the service as a list item, or `nested` without its own
// service_at_locations. The id is the one the nested service gives it.
rapidjson::Value orukServiceAtLocation(const PublishedEntry& entry,
                                       const rapidjson::Value& location, bool nested,
                                       rapidjson::Document::AllocatorType& a);

// True when the location's address has the postcode (case and spacing ignored; a district such
// as "NV1" or a sector "NV1 1" matches the postcodes in it, "NV1" not "NV12 1AA").
bool hasPostcode(const rapidjson::Value& location, const std::string& postcode);

struct OrukTerm {
  std::string id;  // orukUuid(system|code)
  std::string code;
  std::string name;
  std::string taxonomy;    // the taxonomy's name (or URI)
  std::string taxonomyId;  // orukUuid(taxonomy)
};

// The taxonomy terms a service is classified by: its HealthcareService.type codings (the terms
// it was imported with), else its category codings.
std::vector<OrukTerm> orukTerms(const rapidjson::Value& service);

rapidjson::Value orukTermJson(const OrukTerm& term, rapidjson::Document::AllocatorType& a);

// The /services query filters the UK OpenAPI defines (absent: no filter).
struct OrukFilter {
  std::string search;  // text in name or description, case-insensitive
  std::string taxonomyTermId;
  std::string taxonomyId;
  std::optional<double> minimumAge;  // services whose minimum age is at least this
  std::optional<double> maximumAge;  // services whose maximum age is at most this
  std::string day;                   // "MO".."SU": open that day
  std::string startTime;             // "HH:MM[:SS]": opens at or after
  std::string endTime;               // closes at or before
};

bool matchesFilter(const rapidjson::Value& service, const OrukFilter& filter);

// The paged envelope: {total_items, total_pages, page_number, size, first_page, last_page,
// empty, contents}. `contents` is copied (it may belong to another document's allocator).
rapidjson::Document orukPage(const rapidjson::Value& contents, std::size_t totalItems, int page,
                             int perPage);

}  // namespace sp::mapping
