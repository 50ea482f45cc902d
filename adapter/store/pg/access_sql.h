// The access rule as SQL, shared by search, includes, history and single reads so that they can
// never disagree about what a caller may see (see store/access.h). Internal to store/pg.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace sp::store::pg {

// A PostgreSQL array literal of text values: {"a","b\"c"}.
std::string sqlTextArray(const std::vector<std::string>& values);

// Each column of `rows` as one text array (sqlTextArray), in the order the columns are given:
// the parameters of a statement that writes all the rows at once through unnest. A column is
// anything std::invoke can call with a row and get text from (a pointer to a std::string
// member, or a function).
template <typename Row, typename... Columns>
std::vector<std::string> textColumns(const std::vector<Row>& rows, const Columns&... columns) {
  std::vector<std::string> arrays;
  arrays.reserve(sizeof...(columns));
  std::vector<std::string> values;
  values.reserve(rows.size());
  const auto addColumn = [&](const auto& column) {
    values.clear();
    for (const Row& row : rows) values.push_back(std::invoke(column, row));
    arrays.push_back(sqlTextArray(values));
  };
  (addColumn(columns), ...);
  return arrays;
}

// A condition that the resource (typeColumn, idColumn) passes an AccessFilter whose
// organisation is bound as `organisationParam` and whose open types as `openTypesParam` (a
// text[] parameter), e.g. accessCondition("r.res_type", "r.res_id", "$3", "$4").
std::string accessCondition(const std::string& typeColumn, const std::string& idColumn,
                            const std::string& organisationParam,
                            const std::string& openTypesParam);

}  // namespace sp::store::pg
