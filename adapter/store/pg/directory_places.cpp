#include "store/pg/directory_places.h"

#include <string>

#include "store/pg/access_sql.h"  // sqlTextArray

namespace sp::store::pg {
namespace {

// The services written in the batch, and those naming a Location written in it; their place rows
// are cleared and made again from the references and positions now stored. A service's rows
// were already removed with its earlier index rows when the batch replaced its version; clearing
// them again finds none. DISTINCT: a service naming one Location twice has one row for it.
constexpr const char* kRefresh =
    "WITH k AS (SELECT * FROM unnest($1::text[], $2::text[]) AS k(t, i)),"
    " services AS ("
    "SELECT k.i AS id FROM k WHERE k.t = 'HealthcareService'"
    " UNION SELECT x.res_id FROM k JOIN idx_reference x ON x.target_type = 'Location'"
    " AND x.target_id = k.i AND x.res_type = 'HealthcareService'"
    " WHERE k.t = 'Location' AND x.param IN ('location', 'coverage-area')),"
    " cleared AS (DELETE FROM idx_geo g USING services s WHERE g.res_type = 'HealthcareService'"
    " AND g.res_id = s.id AND g.param = 'near')"
    " INSERT INTO idx_geo (res_type, res_id, param, latitude, longitude)"
    " SELECT DISTINCT 'HealthcareService', x.res_id, 'near', l.latitude, l.longitude"
    " FROM services s JOIN idx_reference x ON x.res_type = 'HealthcareService'"
    " AND x.res_id = s.id AND x.param IN ('location', 'coverage-area')"
    " AND x.target_type = 'Location'"
    " JOIN idx_geo l ON l.res_type = 'Location' AND l.res_id = x.target_id AND l.param = 'near'";

}  // namespace

std::optional<DeferredWrite> directoryPlacesRefresh(const std::vector<PendingVersion>& versions) {
  std::vector<std::string> types, ids;
  for (const PendingVersion& p : versions) {
    if (p.version.type != "HealthcareService" && p.version.type != "Location") continue;
    types.push_back(p.version.type);
    ids.push_back(p.version.id);
  }
  if (ids.empty()) return std::nullopt;
  return DeferredWrite{kRefresh, {sqlTextArray(types), sqlTextArray(ids)}};
}

}  // namespace sp::store::pg
