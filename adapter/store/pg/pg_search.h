// The search index and search queries on PostgreSQL (libpqxx 6.4). Internal to store/pg.
#pragma once

#include <pqxx/pqxx>

#include <string>

#include "store/search_index.h"
#include "store/search_request.h"

namespace sp::store::pg {

// Replaces the index rows of one resource (one round trip).
void writeSearchIndex(pqxx::transaction_base& tx, const std::string& type, const std::string& id,
                      const SearchIndex& index);

SearchResult runSearch(pqxx::transaction_base& tx, const SearchRequest& request);

}  // namespace sp::store::pg
