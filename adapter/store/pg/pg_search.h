// The search index and search queries on PostgreSQL (libpqxx 6.4). Internal to store/pg.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "store/search_index.h"
#include "store/search_request.h"

namespace sp::store::pg {

SearchResult runSearch(pqxx::transaction_base& tx, const SearchRequest& request);

}  // namespace sp::store::pg
