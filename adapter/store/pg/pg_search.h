// The search index and search queries on PostgreSQL (libpqxx 6.4). Internal to store/pg.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <vector>

#include "store/search_index.h"
#include "store/search_request.h"

namespace sp::store::pg {

// Writing a resource's index rows, as parts of a data-modifying statement (WITH ... SELECT) that
// the store composes: the resource's type is $1, its id $2, and the rows' columns are the arrays
// $3 to $kIndexParamCount, in the order indexParams gives them.
constexpr int kIndexParamCount = 27;
// The CTEs deleting an earlier version's rows (each ends with a comma). Data-modifying CTEs all
// see the snapshot from before the statement, so they never see the rows inserted beside them.
std::string indexDeleteCtes();
// The CTEs inserting the new version's rows (no comma after the last).
std::string indexInsertCtes();
// $1 to $kIndexParamCount for `index`.
std::vector<std::string> indexParams(const std::string& type, const std::string& id,
                                     const SearchIndex& index);

SearchResult runSearch(pqxx::transaction_base& tx, const SearchRequest& request);

}  // namespace sp::store::pg
