// The versions a transaction has written but not yet sent to PostgreSQL, as data-modifying
// statements over arrays (a row per version, identifier or search index row, each carrying its
// resource's type and id): the version rows, the current pointers, the identifiers, the search
// index rows, and for a version that replaces another the removal of the earlier identifiers and
// index rows. Text and values only; the store sends them together with its other held-back
// writes (deferred_writes.h) in one round trip.
//
// A batch names each resource once: the store sends what it holds before it takes a second
// version of the same resource (the statements of one batch all see the database as it was
// before them).
#pragma once

#include <vector>

#include "store/pg/deferred_writes.h"
#include "store/resource_store.h"
#include "store/search_index.h"

namespace sp::store::pg {

struct PendingVersion {
  ResourceVersion version;
  std::vector<IdentifierToken> identifiers;
  SearchIndex index;
};

// The statements writing `versions` (none for an empty batch), in the order they must appear in
// one statement: removals, versions (in the given order, which fixes their history sequence),
// current pointers, identifiers, then one insert per index table that has rows.
std::vector<DeferredWrite> versionWrites(const std::vector<PendingVersion>& versions);

}  // namespace sp::store::pg
