// The search index and search queries on PostgreSQL (libpqxx 6.4). Internal to store/pg.
#pragma once

#include <pqxx/pqxx>

#include <string>

#include "store/search_index.h"
#include "store/search_request.h"

namespace sp::store::pg {

// Prepares the index writes on a new connection.
void prepareSearchStatements(pqxx::connection& c);

// Writes the index rows of one resource's new version (one round trip, a prepared statement);
// `replacing`: an earlier version's rows are deleted in the same statement.
void writeSearchIndex(pqxx::transaction_base& tx, const std::string& type, const std::string& id,
                      const SearchIndex& index, bool replacing);

SearchResult runSearch(pqxx::transaction_base& tx, const SearchRequest& request);

}  // namespace sp::store::pg
