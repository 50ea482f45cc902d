// The organisations behind a Reference, read from the store (the rules are workflow/actor.h's:
// an ODS identifier, an Organization's, a PractitionerRole's or HealthcareService's
// organisation, a Practitioner's through the PractitionerRoles that name them). Used by the access
// rules and the workflow alike. One per transaction; caches what it read.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <set>
#include <string>

#include "store/resource_store.h"
#include "workflow/actor.h"

namespace sp::rest {

class StoreOrganisationResolver : public workflow::OrganisationResolver {
 public:
  explicit StoreOrganisationResolver(store::StoreTransaction& tx) : tx_(tx) {}
  std::set<std::string> organisationsOf(const rapidjson::Value* reference) override;

 private:
  std::set<std::string> resolve(const rapidjson::Value* reference, int depth);
  std::set<std::string> organisationsOfPractitioner(const std::string& id, int depth);
  store::StoreTransaction& tx_;
  std::map<std::string, std::set<std::string>> cache_;
};

}  // namespace sp::rest
