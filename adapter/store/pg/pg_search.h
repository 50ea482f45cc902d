// The search index and search queries on PostgreSQL (libpqxx 6.4). Internal to store/pg.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <vector>

#include "store/search_index.h"
#include "store/search_request.h"

namespace sp::store::pg {

// Writing a resource's index rows, as parts of a data-modifying statement (WITH ... SELECT) that
// the store composes: the resource's type is $1 and its id $2; the rows' columns are arrays.
// Only the tables a version has rows in are written (a bit per table: indexTablesOf), so that
// the statement opens no table and index it does not need; one statement is prepared per set.
unsigned indexTablesOf(const SearchIndex& index);
// The CTEs deleting an earlier version's rows from every table (each ends with a comma).
// Data-modifying CTEs all see the snapshot from before the statement, so they never see the
// rows inserted beside them.
std::string indexDeleteCtes();
// The CTEs inserting the new version's rows into `tables`, their arrays numbered from
// $`firstParam` (each ends with a comma).
std::string indexInsertCtes(unsigned tables, int firstParam);
// Appends those arrays to `params`, in the same order.
void appendIndexParams(const SearchIndex& index, unsigned tables, std::vector<std::string>& params);

SearchResult runSearch(pqxx::transaction_base& tx, const SearchRequest& request);

}  // namespace sp::store::pg
