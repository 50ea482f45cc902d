#include "services/directory_search.h"

#include <map>
#include <memory>

#include "fhir/json.h"
#include "rest/search_current.h"
#include "services/stored_resource.h"
#include "workflow/references.h"

namespace sp::services {

namespace {

// A county directory is hundreds or a few thousand services.
constexpr std::size_t kMaxDirectoryServices = 20000;

// Locations read once per request.
class Locations {
 public:
  explicit Locations(store::StoreTransaction& tx) : tx_(tx) {}
  const rapidjson::Value* get(const rapidjson::Value* reference) {
    const auto local = workflow::localReference(reference);
    if (local.type != "Location") return nullptr;
    auto it = cache_.find(local.id);
    if (it == cache_.end())
      it = cache_.emplace(local.id, loadResource(tx_, "Location", local.id)).first;
    return it->second ? &it->second->doc : nullptr;
  }

 private:
  store::StoreTransaction& tx_;
  std::map<std::string, std::unique_ptr<ParsedResource>> cache_;
};

std::vector<workflow::GeoPoint> positionsOf(const rapidjson::Value& service, Locations& locations) {
  std::vector<workflow::GeoPoint> points;
  for (const rapidjson::Value* ref : workflow::elements(service, "location")) {
    if (const auto* location = locations.get(ref)) {
      if (const auto point = workflow::positionOf(*location)) points.push_back(*point);
    }
  }
  return points;
}

std::vector<workflow::Area> coverageOf(const rapidjson::Value& service, Locations& locations) {
  std::vector<workflow::Area> areas;
  for (const rapidjson::Value* ref : workflow::elements(service, "coverageArea")) {
    const auto* location = locations.get(ref);
    const auto* address = location ? fhir::findMember(*location, "address") : nullptr;
    if (!address || !address->IsObject()) continue;
    const workflow::Area area = workflow::areaOf(*address);
    if (!area.empty()) areas.push_back(area);
  }
  return areas;
}

}  // namespace

std::vector<workflow::Alternative> findAlternatives(
    const rest::ApiContext& api, store::StoreTransaction& tx, const std::string& fullId,
    const rapidjson::Value& fullService, const workflow::PersonNeeds& person, std::size_t limit) {
  // The active services with a free place; ranking reads their Locations.
  std::vector<std::unique_ptr<rapidjson::Document>> services;
  std::vector<std::string> ids;
  for (const auto& v :
       rest::searchCurrent(api, tx, "HealthcareService",
                           {{"active", "true"}, {"has-capacity", "true"}}, kMaxDirectoryServices)) {
    if (v.id == fullId) continue;
    auto doc = std::make_unique<rapidjson::Document>();
    fhir::parseJson(v.body, *doc);
    services.push_back(std::move(doc));
    ids.push_back(v.id);
  }
  Locations locations(tx);
  std::vector<workflow::ServiceFacts> facts;
  for (std::size_t i = 0; i < services.size(); ++i) {
    workflow::ServiceFacts f;
    f.id = ids[i];
    f.service = services[i].get();
    f.positions = positionsOf(*services[i], locations);
    f.coverage = coverageOf(*services[i], locations);
    facts.push_back(std::move(f));
  }
  std::optional<workflow::GeoPoint> origin;
  if (const auto points = positionsOf(fullService, locations); !points.empty()) {
    origin = points.front();
  }
  return workflow::rankAlternatives(fullService, fullId, origin, person, facts, limit);
}

workflow::PersonNeeds personNeeds(store::StoreTransaction& tx, const rapidjson::Value* referral,
                                  const std::string& patientId) {
  workflow::PersonNeeds needs;
  if (referral) needs.cohorts = workflow::cohortsOf(*referral);
  auto patient = loadResource(tx, "Patient", patientId);
  if (!patient) return needs;
  for (const rapidjson::Value* address : workflow::elements(patient->doc, "address")) {
    const std::string use = fhir::getString(*address, "use");
    if (use == "old" || use == "work" || use == "billing") continue;
    const workflow::Area area = workflow::areaOf(*address);
    if (!area.empty()) needs.areas.push_back(area);
  }
  return needs;
}

}  // namespace sp::services
