// The directory read for alternatives: the services with a free place that could take a person
// instead of a full one, nearest first. Shared by HealthcareService/$alternatives and the
// workflow's refusals for want of a place.
#pragma once

#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "rest/interactions.h"
#include "store/resource_store.h"
#include "workflow/alternatives.h"

namespace sp::services {

// The alternatives to the full service `fullId` for a person, nearest first: the active services
// with a free place (a search: active=true&has-capacity=true) ranked by workflow::
// rankAlternatives with what their Locations say. Empty when the API has no search index.
std::vector<workflow::Alternative> findAlternatives(
    const rest::ApiContext& api, store::StoreTransaction& tx, const std::string& fullId,
    const rapidjson::Value& fullService, const workflow::PersonNeeds& person, std::size_t limit);

// The person's cohorts (from the referral, if any) and home areas (from the Patient, if any).
workflow::PersonNeeds personNeeds(store::StoreTransaction& tx, const rapidjson::Value* referral,
                                  const std::string& patientId);

}  // namespace sp::services
