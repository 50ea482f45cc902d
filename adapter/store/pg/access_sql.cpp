#include "store/pg/access_sql.h"

namespace sp::store::pg {

std::string sqlTextArray(const std::vector<std::string>& values) {
  std::size_t size = 2;
  for (const std::string& v : values) size += v.size() + 3;
  std::string out;
  out.reserve(size + size / 8);  // room for some escapes (JSON bodies have many quotes)
  out += '{';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += '"';
    // The runs between characters to escape are copied whole.
    const std::string& v = values[i];
    std::size_t from = 0;
    for (std::size_t at = v.find_first_of("\"\\"); at != std::string::npos;
         at = v.find_first_of("\"\\", at + 1)) {
      out.append(v, from, at - from);
      out += '\\';
      out += v[at];
      from = at + 1;
    }
    out.append(v, from, std::string::npos);
    out += '"';
  }
  out += '}';
  return out;
}

std::string accessCondition(const std::string& typeColumn, const std::string& idColumn,
                            const std::string& organisationParam,
                            const std::string& openTypesParam) {
  // A restricted resource carries meta.security R, which the search index holds under _security.
  const std::string restricted =
      "EXISTS (SELECT 1 FROM idx_token s WHERE s.res_type = " + typeColumn +
      " AND s.res_id = " + idColumn +
      " AND s.param = '_security' AND s.code = 'R'"
      " AND s.system = 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality')";
  return "(" + typeColumn + " = ANY (" + openTypesParam + "::text[]) OR EXISTS (SELECT 1 FROM " +
         "access_grants g WHERE g.res_type = " + typeColumn + " AND g.res_id = " + idColumn +
         " AND g.organisation IN (" + organisationParam + ", '*')" +
         " AND (g.basis NOT IN ('performer', 'pool') OR NOT " + restricted + ")))";
}

}  // namespace sp::store::pg
