// HealthcareService/$alternatives, and the directory reading it shares with the refusals of
// the write rules (a referral or Task for a service without a free place).
#include <map>
#include <memory>

#include "fhir/bundle_writer.h"
#include "fhir/errors.h"
#include "fhir/json.h"
#include "rest/access_control.h"
#include "rest/workflow_rules.h"
#include "workflow/alternatives.h"
#include "workflow/capacity.h"
#include "workflow/references.h"
#include "workflow/referral.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

// A county directory is hundreds or a few thousand services.
constexpr std::size_t kMaxDirectoryServices = 20000;
constexpr std::size_t kDefaultCount = 10;

struct Parsed {
  store::ResourceVersion version;
  rapidjson::Document doc;
};

std::unique_ptr<Parsed> current(store::StoreTransaction& tx, const std::string& type,
                                const std::string& id) {
  if (id.empty()) return nullptr;
  auto v = tx.current(type, id, false);
  if (!v || v->deleted || v->body.empty()) return nullptr;
  auto parsed = std::make_unique<Parsed>();
  parsed->version = std::move(*v);
  fhir::parseJson(parsed->version.body, parsed->doc);
  return parsed;
}

// Locations read once per request.
class Locations {
 public:
  explicit Locations(store::StoreTransaction& tx) : tx_(tx) {}
  const rapidjson::Value* get(const rapidjson::Value* reference) {
    const auto local = workflow::localReference(reference);
    if (local.type != "Location") return nullptr;
    auto it = cache_.find(local.id);
    if (it == cache_.end()) it = cache_.emplace(local.id, current(tx_, "Location", local.id)).first;
    return it->second ? &it->second->doc : nullptr;
  }

 private:
  store::StoreTransaction& tx_;
  std::map<std::string, std::unique_ptr<Parsed>> cache_;
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

std::vector<std::string> splitCommas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!part.empty()) out.push_back(part);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace

std::vector<workflow::Alternative> findAlternatives(
    const ApiContext& api, store::StoreTransaction& tx, const std::string& fullId,
    const rapidjson::Value& fullService, const workflow::PersonNeeds& person, std::size_t limit) {
  // The active services with a free place; ranking reads their Locations.
  std::vector<std::unique_ptr<rapidjson::Document>> services;
  std::vector<std::string> ids;
  for (const auto& v :
       searchCurrent(api, tx, "HealthcareService", {{"active", "true"}, {"has-capacity", "true"}},
                     kMaxDirectoryServices)) {
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
  auto patient = current(tx, "Patient", patientId);
  if (!patient) return needs;
  for (const rapidjson::Value* address : workflow::elements(patient->doc, "address")) {
    const std::string use = fhir::getString(*address, "use");
    if (use == "old" || use == "work" || use == "billing") continue;
    const workflow::Area area = workflow::areaOf(*address);
    if (!area.empty()) needs.areas.push_back(area);
  }
  return needs;
}

InteractionResult alternativesOperation(const ApiContext& ctx, store::StoreTransaction& tx,
                                        const Route& route, const InteractionInput& in) {
  std::string referralId, serviceId, patientId;
  std::vector<std::string> cohorts;
  std::size_t count = kDefaultCount;
  for (const auto& [name, value] : in.query) {
    if (name == "servicerequest") {
      referralId =
          workflow::parseReference(value).empty() ? value : workflow::parseReference(value).id;
    } else if (name == "service") {
      serviceId =
          workflow::parseReference(value).empty() ? value : workflow::parseReference(value).id;
    } else if (name == "patient") {
      patientId =
          workflow::parseReference(value).empty() ? value : workflow::parseReference(value).id;
    } else if (name == "cohort") {
      for (const auto& code : splitCommas(value)) cohorts.push_back(code);
    } else if (name == "_count") {
      if (value.empty() || value.size() > 6 ||
          value.find_first_not_of("0123456789") != std::string::npos) {
        throw FhirError(ErrorKind::kInvalid, "value", "_count must be a non-negative integer");
      }
      count = std::min<std::size_t>(std::stoul(value),
                                    static_cast<std::size_t>(ctx.limits.maxPageSize));
    } else if (name != "_format" && name != "_pretty") {
      throw FhirError(ErrorKind::kInvalid, "not-supported",
                      "$alternatives takes servicerequest, or service with patient and cohort, "
                      "and _count; not '" +
                          name + "'");
    }
  }
  // The referral and the person are records: the caller must be one that may read them.
  const auto mayRead = [&](const std::string& type, const std::string& id) {
    InteractionInput asReader = in;
    authoriseInteraction(ctx, tx, Route{Interaction::kRead, type, id, ""}, asReader);
  };
  std::unique_ptr<Parsed> referral;
  if (!referralId.empty()) {
    mayRead("ServiceRequest", referralId);
    referral = current(tx, "ServiceRequest", referralId);
    if (!referral) {
      throw FhirError(ErrorKind::kNotFound, "not-found",
                      "ServiceRequest/" + referralId + " not found");
    }
    if (serviceId.empty()) {
      const auto performer = workflow::localReference(workflow::firstPerformer(referral->doc));
      if (performer.type == "HealthcareService") serviceId = performer.id;
    }
    if (patientId.empty()) {
      const auto subject = workflow::localReference(fhir::findMember(referral->doc, "subject"));
      if (subject.type == "Patient") patientId = subject.id;
    }
  }
  if (serviceId.empty()) {
    throw FhirError(ErrorKind::kInvalid, "required",
                    "$alternatives needs service=<HealthcareService id>, or a servicerequest "
                    "whose performer is a HealthcareService");
  }
  auto service = current(tx, "HealthcareService", serviceId);
  if (!service) {
    throw FhirError(ErrorKind::kNotFound, "not-found",
                    "HealthcareService/" + serviceId + " not found");
  }
  if (!patientId.empty()) mayRead("Patient", patientId);
  workflow::PersonNeeds person = personNeeds(tx, referral ? &referral->doc : nullptr, patientId);
  for (const auto& code : cohorts) person.cohorts.insert(code);
  if (!ctx.indexer) {
    throw FhirError(ErrorKind::kNotImplemented, "not-supported",
                    "$alternatives needs search, which is off");
  }
  const auto alternatives = findAlternatives(ctx, tx, serviceId, service->doc, person, count);

  std::vector<fhir::BundleEntry> entries;
  for (const auto& alternative : alternatives) {
    auto v = tx.current("HealthcareService", alternative.id, false);
    if (!v || v->deleted) continue;
    fhir::BundleEntry entry;
    entry.fullUrl = in.baseUrl + "/HealthcareService/" + alternative.id;
    entry.resourceJson = v->body;
    entry.searchMode = "match";
    entries.push_back(std::move(entry));
  }
  std::string self = in.baseUrl + "/" + route.type + "/$alternatives?service=" + serviceId;
  if (!patientId.empty()) self += "&patient=" + patientId;
  for (const auto& code : person.cohorts) self += "&cohort=" + code;
  InteractionResult result;
  result.status = 200;
  result.bundleBody =
      fhir::writeBundle("searchset", ctx.ids.newId(), fhir::formatInstant(ctx.clock.now()),
                        static_cast<long long>(entries.size()), {{"self", self}}, entries);
  return result;
}

}  // namespace sp::rest
