// Alternatives to a full service: active services of the same category or type that serve the
// person's cohort, cover their area and have room, nearest first. Pure: the caller loads the
// services and their Locations; this decides which match and in what order. Thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "workflow/capacity.h"

namespace sp::workflow {

struct GeoPoint {
  double latitude = 0;
  double longitude = 0;
};
// Great-circle distance in kilometres.
double distanceKm(const GeoPoint& a, const GeoPoint& b);
// Location.position, if it has latitude and longitude.
std::optional<GeoPoint> positionOf(const rapidjson::Value& location);

// Where a person lives, or what a coverage area covers, as comparable keys.
struct Area {
  std::string postcodeDistrict;  // outward code, upper case ("NE99")
  std::string city;              // lower case
  std::string district;          // lower case
  bool empty() const { return postcodeDistrict.empty() && city.empty() && district.empty(); }
};
Area areaOf(const rapidjson::Value& address);
// True when the two share a postcode district, a city or a district.
bool sameArea(const Area& person, const Area& coverage);

// The person's side of the match.
struct PersonNeeds {
  std::set<std::string> cohorts;  // priority-cohort codes; empty: any
  std::vector<Area> areas;        // home addresses; empty: anywhere
};
// The priority-cohort codes among a referral's reasonCode.
std::set<std::string> cohortsOf(const rapidjson::Value& serviceRequest);
// The priority-cohort codes a service declares (cohorts-served extension).
std::set<std::string> cohortsServed(const rapidjson::Value& service);

// One service the caller loaded, with what its Locations say.
struct ServiceFacts {
  std::string id;
  const rapidjson::Value* service = nullptr;
  std::vector<GeoPoint> positions;  // of its location[]
  std::vector<Area> coverage;       // of its coverageArea[] Locations that could be read
};

struct Alternative {
  std::string id;
  std::string name;
  Capacity capacity;
  std::optional<double> distanceKm;  // from the origin, when both have a position
};

// The services among `candidates` that could take the person instead of `full` (excluded):
// active, sharing a category or type coding with `full` (any, when `full` has none), serving
// one of the person's cohorts (a service that declares none serves all), covering one of the
// person's areas (a service with no coverageArea, or whose areas could not be read, covers
// all), and with room. Nearest to `origin` first; services without a position after those
// with one, by name. At most `limit`.
std::vector<Alternative> rankAlternatives(const rapidjson::Value& full, const std::string& fullId,
                                          std::optional<GeoPoint> origin, const PersonNeeds& person,
                                          const std::vector<ServiceFacts>& candidates,
                                          std::size_t limit);

// "HealthcareService/a (Walks, 3 of 12 places free, 2.4 km)"
std::string describeAlternative(const Alternative& alternative);

}  // namespace sp::workflow
