#include "workflow/alternatives.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "fhir/json.h"
#include "workflow/references.h"
#include "workflow/vocabulary.h"

namespace sp::workflow {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

// The outward code of a UK postcode: what comes before the space; written without one, all but
// the last three characters of a full postcode (5 to 7 characters), or the whole of a
// postcode district alone ("NE99").
std::string outwardCode(const std::string& postcode) {
  const std::string text = upper(trim(postcode));
  if (text.empty()) return "";
  if (const auto space = text.find(' '); space != std::string::npos) return text.substr(0, space);
  return text.size() >= 5 ? text.substr(0, text.size() - 3) : text;
}

std::set<std::string> serviceKinds(const rapidjson::Value& service) {
  std::set<std::string> kinds;
  for (const char* name : {"category", "type"}) {
    for (const rapidjson::Value* concept : elements(service, name)) {
      for (const std::string& token : conceptTokens(concept)) kinds.insert(token);
    }
  }
  return kinds;
}

bool intersects(const std::set<std::string>& a, const std::set<std::string>& b) {
  for (const auto& x : a) {
    if (b.count(x)) return true;
  }
  return false;
}

}  // namespace

double distanceKm(const GeoPoint& a, const GeoPoint& b) {
  constexpr double kEarthRadiusKm = 6371.0088;
  constexpr double kRad = 3.14159265358979323846 / 180.0;
  const double dLat = (b.latitude - a.latitude) * kRad;
  const double dLon = (b.longitude - a.longitude) * kRad;
  const double h = std::sin(dLat / 2) * std::sin(dLat / 2) +
                   std::cos(a.latitude * kRad) * std::cos(b.latitude * kRad) * std::sin(dLon / 2) *
                       std::sin(dLon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

std::optional<GeoPoint> positionOf(const rapidjson::Value& location) {
  const auto* position = fhir::findMember(location, "position");
  if (!position || !position->IsObject()) return std::nullopt;
  const auto latitude = numberValue(fhir::findMember(*position, "latitude"));
  const auto longitude = numberValue(fhir::findMember(*position, "longitude"));
  if (!latitude || !longitude) return std::nullopt;
  return GeoPoint{*latitude, *longitude};
}

Area areaOf(const rapidjson::Value& address) {
  return {outwardCode(fhir::getString(address, "postalCode")),
          lower(trim(fhir::getString(address, "city"))),
          lower(trim(fhir::getString(address, "district")))};
}

bool sameArea(const Area& person, const Area& coverage) {
  auto same = [](const std::string& a, const std::string& b) { return !a.empty() && a == b; };
  return same(person.postcodeDistrict, coverage.postcodeDistrict) ||
         same(person.city, coverage.city) || same(person.district, coverage.district);
}

std::set<std::string> cohortsOf(const rapidjson::Value& serviceRequest) {
  std::set<std::string> cohorts;
  for (const rapidjson::Value* reason : elements(serviceRequest, "reasonCode")) {
    for (const rapidjson::Value* coding : elements(*reason, "coding")) {
      if (fhir::getString(*coding, "system") == kPriorityCohortSystem) {
        cohorts.insert(fhir::getString(*coding, "code"));
      }
    }
  }
  return cohorts;
}

std::set<std::string> cohortsServed(const rapidjson::Value& service) {
  std::set<std::string> cohorts;
  for (const rapidjson::Value* ext : extensionsWithUrl(service, kCohortsServedExtension)) {
    const auto* coding = fhir::findMember(*ext, "valueCoding");
    if (coding && coding->IsObject()) cohorts.insert(fhir::getString(*coding, "code"));
  }
  return cohorts;
}

std::vector<Alternative> rankAlternatives(const rapidjson::Value& full, const std::string& fullId,
                                          std::optional<GeoPoint> origin, const PersonNeeds& person,
                                          const std::vector<ServiceFacts>& candidates,
                                          std::size_t limit) {
  const std::set<std::string> kinds = serviceKinds(full);
  std::vector<Alternative> out;
  for (const ServiceFacts& facts : candidates) {
    if (!facts.service || facts.id == fullId) continue;
    const rapidjson::Value& service = *facts.service;
    const auto* active = fhir::findMember(service, "active");
    if (!active || !active->IsBool() || !active->GetBool()) continue;
    if (!kinds.empty() && !intersects(kinds, serviceKinds(service))) continue;
    const std::set<std::string> served = cohortsServed(service);
    if (!person.cohorts.empty() && !served.empty() && !intersects(person.cohorts, served)) {
      continue;
    }
    if (!person.areas.empty() && !facts.coverage.empty()) {
      bool covers = false;
      for (const Area& home : person.areas) {
        for (const Area& area : facts.coverage) covers = covers || sameArea(home, area);
      }
      if (!covers) continue;
    }
    const auto capacity = readCapacity(service);
    if (!capacity || !hasRoom(*capacity)) continue;
    Alternative alternative{facts.id, fhir::getString(service, "name"), *capacity, std::nullopt};
    if (origin) {
      for (const GeoPoint& point : facts.positions) {
        const double d = distanceKm(*origin, point);
        if (!alternative.distanceKm || d < *alternative.distanceKm) alternative.distanceKm = d;
      }
    }
    out.push_back(std::move(alternative));
  }
  std::sort(out.begin(), out.end(), [](const Alternative& a, const Alternative& b) {
    if (a.distanceKm.has_value() != b.distanceKm.has_value()) return a.distanceKm.has_value();
    if (a.distanceKm && *a.distanceKm != *b.distanceKm) return *a.distanceKm < *b.distanceKm;
    if (a.name != b.name) return a.name < b.name;
    return a.id < b.id;
  });
  if (out.size() > limit) out.resize(limit);
  return out;
}

std::string describeAlternative(const Alternative& a) {
  std::string text = "HealthcareService/" + a.id + " (" + (a.name.empty() ? "unnamed" : a.name) +
                     ", " + describeCapacity(a.capacity);
  if (a.distanceKm) {
    char km[32];
    std::snprintf(km, sizeof km, "%.1f km", *a.distanceKm);
    text += std::string(", ") + km;
  }
  return text + ")";
}

}  // namespace sp::workflow
