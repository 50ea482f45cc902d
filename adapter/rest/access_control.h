// Access rules on every interaction (security/access_policy.h, security/compartment.h) and the
// access grants each write leaves behind. Called from performInteraction and writeVersion, so
// top-level requests, the entries of batch and transaction Bundles and any other path through
// the interactions are covered alike.
//
// Reading a record the caller may not see answers 404, as if it did not exist; changing one
// answers 403, as does a type or action its role may never use. Who may change a Task is the
// workflow's rule (services/task_rule.h: requester, owner, creator, a pool claim), not
// repeated here. Thread-safe: no state between calls.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "rest/interactions.h"

namespace sp::rest {

// Before an interaction runs: the role's rules for the type, the caller's compartment for one
// resource (read, vread, instance history, update, patch, delete), and the filter that search
// and history apply (set in `in.access`). Throws FhirError.
void authoriseInteraction(const ApiContext& ctx, store::StoreTransaction& tx, const Route& route,
                          InteractionInput& in);

// Before a version is stored: a GP practice's new referral (or one whose requester changes) names
// the practice as its requester; a provider that is not the administrator changes only
// HealthcareServices it provides, and keeps them its own. `before` is the current version
// parsed (WriteContext::previousResource()), null for a new record.
void authoriseWrite(store::StoreTransaction& tx, const std::string& type,
                    const rapidjson::Value& resource, const rapidjson::Value* before,
                    const InteractionInput& in);

// After a version is stored: the creator's grant, and for work records (ServiceRequest, Task,
// Communication) grants for each party on the record and on the records it references.
// `before` is `previous` parsed (WriteContext::previousResource()), null for a new record.
void grantAccess(store::StoreTransaction& tx, const std::string& type, const std::string& id,
                 const rapidjson::Value& resource,
                 const std::optional<store::ResourceVersion>& previous,
                 const rapidjson::Value* before, const InteractionInput& in);

}  // namespace sp::rest
