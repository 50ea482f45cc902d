// A search run from code rather than a request: what the use cases ask of the index on a write
// (the pending handovers, the services with a free place, a Subscription's criteria).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rest/interactions.h"
#include "store/resource_store.h"

namespace sp::rest {

// Current resources of `type` matching search `params` (every page, at most `max`), in the
// store's match order, limited to what `access` lets see when it is set. Empty when the API has
// no search index. Throws FhirError for parameters the index does not know.
std::vector<store::ResourceVersion> searchCurrent(
    const ApiContext& api, store::StoreTransaction& tx, const std::string& type, QueryParams params,
    std::size_t max, std::optional<store::AccessFilter> access = std::nullopt);

}  // namespace sp::rest
