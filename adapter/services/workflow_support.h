// What the workflow's write rules share (services/task_rule.h, service_request_rule.h,
// task_effects.h): the actor of a write, the adapter's own follow-on writes, the references a
// Task walks, and the refusal for want of a place.
#pragma once

#include <rapidjson/document.h>

#include <set>
#include <string>

#include "rest/interactions.h"
#include "security/caller.h"
#include "services/capacity_refusal.h"
#include "services/stored_resource.h"
#include "store/resource_store.h"
#include "workflow/actor.h"
#include "workflow/capacity.h"
#include "workflow/references.h"

namespace sp::services {

// The workflow's actor for a caller: the organisation it is or acts for (security::Caller), or
// unchecked when there is none (the development caller, the adapter's own work).
workflow::Actor actorOf(const security::Caller& caller);

rapidjson::Document copyOf(const rapidjson::Value& value);

// Writes a version the workflow made itself: validated and indexed like any write, but
// without the workflow's write rules, whose effects the caller applies explicitly; only the
// follow-on rules (delivery: partners hear of it) run.
store::ResourceVersion writeFollowOn(const rest::ApiContext& api, store::StoreTransaction& tx,
                                     const std::string& type, const std::string& id,
                                     rapidjson::Document& resource,
                                     const std::optional<store::ResourceVersion>& previous,
                                     const std::string& method);

void setString(rapidjson::Document& doc, const char* name, const std::string& value);
const rapidjson::Value* member(const rapidjson::Value& object, const char* name);
// The first Task a Task is partOf (empty when none).
workflow::LocalReference firstPartOf(const rapidjson::Value& task);
bool intersects(const std::set<std::string>& a, const std::set<std::string>& b);
// The Patient id of a reference ("" when it names no Patient).
std::string patientIdOf(const rapidjson::Value* reference);

// The Task that holds a referral now: the adapter's Task for it, followed through accepted
// warm handovers (a Task completed as handed over names its successor in output). "" if none.
std::string holderTaskOf(store::StoreTransaction& tx, const std::string& serviceRequestId);

// The HealthcareService whose places a Task uses: its owner when that is a HealthcareService;
// otherwise, for a referral Task, the HealthcareService performing the referral it acts on.
std::string serviceOfTask(store::StoreTransaction& tx, const rapidjson::Value& task);

// What a refusal at `serviceId` is about: the referral (its id) and what was refused.
store::CapacityRefusal refusalAt(const rest::ApiContext& api, const std::string& serviceId,
                                 const std::string& referralId, const char* refused);

// The 409 for a service without a free place: why, the alternatives, and where to find more;
// kept as `refusal`.
CapacityRefused noRoomError(const rest::ApiContext& api, store::StoreTransaction& tx,
                            const std::string& serviceId, const rapidjson::Value& service,
                            const workflow::Capacity& capacity, const rapidjson::Value* referral,
                            const std::string& patientId, const std::string& what,
                            const std::string& expression, std::size_t limit,
                            store::CapacityRefusal refusal);

}  // namespace sp::services
