#include "rest/organisation_resolver.h"

#include "fhir/json.h"
#include "store/search_request.h"
#include "workflow/references.h"

namespace sp::rest {

std::set<std::string> StoreOrganisationResolver::organisationsOf(
    const rapidjson::Value* reference) {
  return resolve(reference, 0);
}

std::set<std::string> StoreOrganisationResolver::resolve(const rapidjson::Value* reference,
                                                         int depth) {
  std::set<std::string> out;
  if (const auto ods = workflow::odsCodeOf(reference)) out.insert(*ods);
  const auto local = workflow::localReference(reference);
  if (local.empty() || depth > 3) return out;
  const std::string key = local.text();
  auto cached = cache_.find(key);
  if (cached == cache_.end()) {
    std::set<std::string> found;
    if (local.type == "Practitioner") {
      found = organisationsOfPractitioner(local.id, depth);
    } else if (local.type == "Organization" || local.type == "PractitionerRole" ||
               local.type == "HealthcareService") {
      const auto version = tx_.current(local.type, local.id, false);
      if (version && !version->deleted && !version->body.empty()) {
        rapidjson::Document resource;
        fhir::parseJson(version->body, resource);
        if (local.type == "Organization") {
          found = workflow::odsIdentifiers(resource);
        } else {
          const char* next = local.type == "PractitionerRole" ? "organization" : "providedBy";
          found = resolve(fhir::findMember(resource, next), depth + 1);
        }
      }
    }
    cached = cache_.emplace(key, std::move(found)).first;
  }
  out.insert(cached->second.begin(), cached->second.end());
  return out;
}

// A practitioner works for the organisations of the PractitionerRoles that name them (UK Core
// and Gravity SDOH put a Practitioner where the project's own partners put a role).
std::set<std::string> StoreOrganisationResolver::organisationsOfPractitioner(const std::string& id,
                                                                             int depth) {
  store::SearchRequest roles;
  roles.types = {"PractitionerRole"};
  store::SearchCriterion practitioner;
  practitioner.param = "practitioner";
  practitioner.kind = store::CriterionKind::kReference;
  store::SearchValue value;
  value.targetType = "Practitioner";
  value.targetId = id;
  practitioner.values.push_back(value);
  roles.criteria.push_back(std::move(practitioner));
  roles.count = 20;
  roles.reusePlan = true;
  std::set<std::string> found;
  for (const auto& match : tx_.search(roles).matches) {
    if (match.version.deleted || match.version.body.empty()) continue;
    rapidjson::Document role;
    fhir::parseJson(match.version.body, role);
    for (const auto& ods : resolve(fhir::findMember(role, "organization"), depth + 1)) {
      found.insert(ods);
    }
  }
  return found;
}

}  // namespace sp::rest
