// The places of directory services, kept among the services' own search index rows.
//
// A HealthcareService's `near` search finds the service by the positions of the Locations it
// names (location, coverage-area). Those positions are copied into idx_geo under the service
// (param 'near'), so that a search by place reads one small box of service rows instead of
// walking from each Location in the box back through the reference index, which every Task's
// references share (migration 016, issue 24).
//
// The copies are made again whenever a batch of versions writes a HealthcareService (its
// references may have changed) or a Location (its position may have moved, or it may be gone):
// after the batch's own statement, so that they see its index rows, and under a transaction-wide
// lock that serialises these refreshes, so that two transactions that write a service and its
// Location at the same time cannot both miss the other's change.
#pragma once

#include <optional>
#include <vector>

#include "store/pg/deferred_writes.h"
#include "store/pg/version_writes.h"

namespace sp::store::pg {

// The advisory-lock key (for the store's `lock_key` statement) that serialises the refreshes.
inline constexpr const char* kDirectoryPlacesLock = "directory-places";

// The statement that makes again the place rows of every service `versions` can affect, or
// nothing when the batch writes neither a HealthcareService nor a Location.
std::optional<DeferredWrite> directoryPlacesRefresh(const std::vector<PendingVersion>& versions);

}  // namespace sp::store::pg
