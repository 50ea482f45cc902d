// The access rule as SQL, shared by search, includes, history and single reads so that they can
// never disagree about what a caller may see (see store/access.h). Internal to store/pg.
#pragma once

#include <string>
#include <vector>

namespace sp::store::pg {

// A PostgreSQL array literal of text values: {"a","b\"c"}.
std::string sqlTextArray(const std::vector<std::string>& values);

// A condition that the resource (typeColumn, idColumn) passes an AccessFilter whose
// organisation is bound as `organisationParam` and whose open types as `openTypesParam` (a
// text[] parameter), e.g. accessCondition("r.res_type", "r.res_id", "$3", "$4").
std::string accessCondition(const std::string& typeColumn, const std::string& idColumn,
                            const std::string& organisationParam,
                            const std::string& openTypesParam);

}  // namespace sp::store::pg
