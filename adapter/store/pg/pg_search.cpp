#include "store/pg/pg_search.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <unordered_set>

#include "fhir/errors.h"
#include "store/pg/access_sql.h"
#include "store/pg/version_rows.h"

namespace sp::store::pg {
namespace {

std::string textArray(const std::vector<std::string>& values) { return sqlTextArray(values); }

// ---- querying ------------------------------------------------------------------------------

class Params {
 public:
  std::string add(std::string value) {
    values_.push_back(std::move(value));
    return "$" + std::to_string(values_.size());
  }
  // A name from the definitions (a resource type or a search parameter's code), written into
  // the statement itself: it is part of the search's shape, and PostgreSQL estimates a
  // prepared statement's generic plan far better when it knows which type and parameter the
  // index rows are of. Names are checked against the definitions long before; quoted anyway.
  static std::string name(const std::string& value) {
    std::string quoted = "'";
    for (char ch : value) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
    return quoted + "'";
  }
  const std::vector<std::string>& values() const { return values_; }

 private:
  std::vector<std::string> values_;
};

const char* tableOf(CriterionKind kind) {
  switch (kind) {
    case CriterionKind::kToken:
      return "idx_token";
    case CriterionKind::kString:
      return "idx_string";
    case CriterionKind::kReference:
      return "idx_reference";
    case CriterionKind::kDate:
      return "idx_date";
    case CriterionKind::kNumber:
      return "idx_number";
    case CriterionKind::kUri:
      return "idx_uri";
    case CriterionKind::kNear:
      return "idx_geo";
    default:
      return "";
  }
}

std::string escapeLike(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string numberText(double v) {
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

// How a criterion's subquery takes part in the search (see runSearch).
enum class Role {
  kFilter,  // `id IN (subquery)`: PostgreSQL chooses where to start from its estimates
  kDriver,  // `id = ANY (ARRAY(subquery))`: the ids are computed first, once, and looked up
  kCheck,   // tested on each candidate the driver found: in a hash of the criterion's ids read
            // once when they are few, else by a probe (see kMaxHashedIds)
};

// A place search's other criteria are checked on the candidates from the box (a few hundred).
// A criterion met by fewer than this many index rows of the type is read once into a hash table
// instead of probing the index for each candidate (at 1,000,000 Tasks: 1,251 services of a
// category hashed instead of 383 probes, a third fewer buffers for search (2)); one met by more
// (the 7,501 services with capacity) is probed for each candidate left, as reading all its rows
// would cost more than it saves. Counting stops at this number, so a large set is never read
// whole. Measured end to end: about 0.6 ms of PostgreSQL CPU per search at 1,000,000 Tasks,
// none at 10,000 (bench/journal.md, issue 24).
constexpr int kMaxHashedIds = 2000;

// True when criterion `c` selects resources by a place box, itself or through a chain of
// references (HealthcareService near: its locations near), and not negated.
bool leadsToPlace(const SearchCriterion& c) {
  if (c.modifier == "not" || c.modifier == "missing") return false;
  if (c.kind == CriterionKind::kNear) return true;
  return c.kind == CriterionKind::kReference && c.chained && leadsToPlace(*c.chained);
}

class QueryBuilder {
 public:
  explicit QueryBuilder(Params& params) : p_(params) {}

  // Every hop of a chain or a reverse chain (_has) reaches only what `access` lets through: a
  // resource the caller may not see must not decide whether another one matches.
  void restrictHops(const std::optional<AccessFilter>& access) { access_ = access; }

  // A condition that `idColumn` (a res_id of `type`, in a row whose type column is
  // `typeColumn`) satisfies criterion `c`. A driver or a probe needs a constant type (a quoted
  // name): with the type column of the outer row the subquery would be correlated. A driver's
  // ids are kept when they pass `driverTests` (conditions on the column d.id), if any.
  std::string condition(const SearchCriterion& c, const std::string& typeColumn,
                        const std::string& idColumn, Role role = Role::kFilter,
                        const std::string& driverTests = "") {
    if (c.kind == CriterionKind::kId) return idCondition(c, idColumn);
    if (c.kind == CriterionKind::kLastUpdated) {
      return lastUpdatedCondition(c, typeColumn, idColumn, role);
    }
    if (c.kind == CriterionKind::kHas) return hasCondition(c, typeColumn, idColumn, role);
    const std::string table = tableOf(c.kind);
    // Several parameters may share one criterion ("location|coverage-area").
    std::string params;
    for (const auto& one : splitParams(c.param))
      params += (params.empty() ? "" : ", ") + Params::name(one);
    const std::string rows = "FROM " + table + " x WHERE x.res_type = " + typeColumn +
                             " AND x.param IN (" + params + ")";
    if (c.modifier == "missing") {
      if (c.missing) return idColumn + " NOT IN (SELECT x.res_id " + rows + ")";
      return member(idColumn, "x.res_id", rows, role, driverTests);
    }
    std::vector<std::string> alternatives;
    for (const SearchValue& v : c.values) alternatives.push_back(valueCondition(c, v));
    const std::string any = "(" + join(alternatives, " OR ") + ")";
    if (c.modifier == "not" || (c.kind != CriterionKind::kDate && c.values.size() == 1 &&
                                c.values.front().prefix == "ne")) {
      return idColumn + " NOT IN (SELECT x.res_id " + rows + " AND " + any + ")";
    }
    return member(idColumn, "x.res_id", rows + " AND " + any, role, driverTests);
  }

 private:
  // `idColumn` is the `selected` column of one of the rows `rows` ("FROM ... WHERE ...").
  static std::string member(const std::string& idColumn, const std::string& selected,
                            const std::string& rows, Role role,
                            const std::string& driverTests = "") {
    switch (role) {
      case Role::kDriver:
        if (driverTests.empty()) {
          return idColumn + " = ANY (ARRAY(SELECT " + selected + " " + rows + "))";
        }
        // Tested before the resources are read: only the ids that pass are looked up.
        return idColumn + " = ANY (ARRAY(SELECT d.id FROM (SELECT " + selected + " AS id " + rows +
               ") d WHERE " + driverTests + "))";
      case Role::kCheck: {
        // The count is an InitPlan, run once. Inside CASE, the IN stays a subplan (it cannot
        // become a join, nor the start of the plan) and, uncorrelated, is hashed: PostgreSQL
        // reads its rows at the first candidate and looks each candidate up. The probe is an
        // EXISTS run per candidate; OFFSET 0 keeps PostgreSQL from turning it into a join.
        const std::string n = std::to_string(kMaxHashedIds);
        return "CASE WHEN (SELECT count(*) FROM (SELECT 1 " + rows + " LIMIT " + n + ") s) < " + n +
               " THEN " + idColumn + " IN (SELECT " + selected + " " + rows +
               ") ELSE EXISTS (SELECT 1 " + rows + " AND " + selected + " = " + idColumn +
               " OFFSET 0) END";
      }
      case Role::kFilter:
        break;
    }
    return idColumn + " IN (SELECT " + selected + " " + rows + ")";
  }

  static std::vector<std::string> splitParams(const std::string& param) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
      const auto bar = param.find('|', start);
      out.push_back(
          param.substr(start, bar == std::string::npos ? std::string::npos : bar - start));
      if (bar == std::string::npos) return out;
      start = bar + 1;
    }
  }

  static std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
    return out.empty() ? "TRUE" : out;
  }

  std::string idCondition(const SearchCriterion& c, const std::string& idColumn) {
    std::vector<std::string> ids;
    for (const auto& v : c.values) ids.push_back(p_.add(v.text));
    const std::string test = idColumn + " IN (" + join(ids, ", ") + ")";
    return c.modifier == "not" ? "NOT " + test : test;
  }

  std::string lastUpdatedCondition(const SearchCriterion& c, const std::string& typeColumn,
                                   const std::string& idColumn, Role role) {
    std::vector<std::string> alternatives;
    for (const auto& v : c.values) {
      const std::string ms = "floor(extract(epoch FROM lu.last_updated) * 1000)::bigint";
      alternatives.push_back(dateTest(v, ms, ms + " + 1"));
    }
    return member(idColumn, "lu.res_id",
                  "FROM resources lu WHERE lu.res_type = " + typeColumn + " AND (" +
                      join(alternatives, " OR ") + ")",
                  role);
  }

  // Reverse chaining: resources of hasType whose hasParam points here and match `chained`.
  std::string hasCondition(const SearchCriterion& c, const std::string& typeColumn,
                           const std::string& idColumn, Role role) {
    const std::string t = Params::name(c.hasType);
    const std::string inner = condition(*c.chained, t, "h.res_id");
    return member(idColumn, "h.target_id",
                  "FROM idx_reference h WHERE h.res_type = " + t + " AND h.param = " +
                      Params::name(c.hasParam) + " AND h.target_type = " + typeColumn + " AND " +
                      inner + hopAccess(t, "h.res_id"),
                  role);
  }

  // " AND <the access condition>" for the resource reached by a hop, or nothing without a
  // filter. The filter's values are bound once per statement.
  std::string hopAccess(const std::string& typeColumn, const std::string& idColumn) {
    if (!access_) return "";
    if (accessParams_.first.empty()) {
      accessParams_ = {p_.add(access_->organisation), p_.add(textArray(access_->openTypes))};
    }
    return " AND " +
           accessCondition(typeColumn, idColumn, accessParams_.first, accessParams_.second);
  }

  // A date range [low, high) row against a search value, by prefix.
  std::string dateTest(const SearchValue& v, const std::string& low, const std::string& high) {
    // Numbers we computed, written inline: a bound parameter that a branch leaves unused would
    // make PostgreSQL refuse the statement.
    const std::string vl = std::to_string(v.low) + "::bigint";
    const std::string vh = std::to_string(v.high) + "::bigint";
    const std::string& pre = v.prefix;
    if (pre == "ne") return "NOT (" + low + " >= " + vl + " AND " + high + " <= " + vh + ")";
    if (pre == "gt") return high + " > " + vh;
    if (pre == "lt") return low + " < " + vl;
    if (pre == "ge") return high + " > " + vl;
    if (pre == "le") return low + " < " + vh;
    if (pre == "sa") return low + " >= " + vh;
    if (pre == "eb") return high + " <= " + vl;
    if (pre == "ap") {
      const std::int64_t slack = std::max<std::int64_t>((v.high - v.low) / 10, 86400000);
      return low + " < " + std::to_string(v.high + slack) + "::bigint AND " + high + " > " +
             std::to_string(v.low - slack) + "::bigint";
    }
    return low + " >= " + vl + " AND " + high + " <= " + vh;  // eq
  }

  std::string numberTest(const SearchValue& v, const std::string& column) {
    const std::string n = p_.add(numberText(v.number)) + "::double precision";
    const std::string& pre = v.prefix;
    if (pre == "gt" || pre == "sa") return column + " > " + n;
    if (pre == "lt" || pre == "eb") return column + " < " + n;
    if (pre == "ge") return column + " >= " + n;
    if (pre == "le") return column + " <= " + n;
    if (pre == "ap") {
      return "abs(" + column + " - " + n + ") <= abs(" + n + ") * 0.1";
    }
    // eq/ne: equal within the precision the value was written with (1.5 means [1.45, 1.55)).
    const std::string half = p_.add(numberText(v.tolerance)) + "::double precision";
    return column + " >= " + n + " - " + half + " AND " + column + " < " + n + " + " + half;
  }

  std::string valueCondition(const SearchCriterion& c, const SearchValue& v) {
    switch (c.kind) {
      case CriterionKind::kToken: {
        if (c.modifier == "text") {
          return "x.text LIKE " + p_.add(escapeLike(v.text) + "%");
        }
        std::string test = "TRUE";
        if (!v.code.empty()) test = "x.code = " + p_.add(v.code);
        if (v.hasSystem) test += " AND x.system = " + p_.add(v.system);
        return "(" + test + ")";
      }
      case CriterionKind::kString:
        if (c.modifier == "exact") return "x.exact = " + p_.add(v.text);
        if (c.modifier == "district") {  // a UK postcode district: "ls1" is not "ls16 ..."
          return "(x.normalised = " + p_.add(v.text) + " OR x.normalised LIKE " +
                 p_.add(escapeLike(v.text) + " %") + ")";
        }
        if (c.modifier == "contains") {
          return "x.normalised LIKE " + p_.add("%" + escapeLike(v.text) + "%");
        }
        return "x.normalised LIKE " + p_.add(escapeLike(v.text) + "%");
      case CriterionKind::kReference: {
        if (c.modifier == "identifier") {
          std::string test = "x.id_value = " + p_.add(v.code);
          if (v.hasSystem) test += " AND x.id_system = " + p_.add(v.system);
          return "(" + test + ")";
        }
        if (c.chained) {
          // A link towards a place box is computed from the box outwards, like the box itself.
          const std::string t = Params::name(c.chainType);
          const Role role = leadsToPlace(*c.chained) ? Role::kDriver : Role::kFilter;
          return "(x.target_type = " + t + " AND " + condition(*c.chained, t, "x.target_id", role) +
                 hopAccess(t, "x.target_id") + ")";
        }
        if (!v.targetId.empty()) {
          std::string test = "x.target_id = " + p_.add(v.targetId);
          if (!v.targetType.empty()) test += " AND x.target_type = " + p_.add(v.targetType);
          return "(" + test + ")";
        }
        return "x.url = " + p_.add(v.text);
      }
      case CriterionKind::kDate:
        return "(" + dateTest(v, "x.low", "x.high") + ")";
      case CriterionKind::kNumber: {
        std::string test = numberTest(v, "x.value");
        if (!v.code.empty()) test += " AND x.code = " + p_.add(v.code);
        if (v.hasSystem) test += " AND x.system = " + p_.add(v.system);
        return "(" + test + ")";
      }
      case CriterionKind::kUri:
        // :below and :above compare whole path segments: .../wellbeing-extended is not below
        // .../wellbeing.
        if (c.modifier == "below") {
          const std::string u = p_.add(v.text);
          const bool endsWithSlash = !v.text.empty() && v.text.back() == '/';
          return "(x.uri = " + u + " OR x.uri LIKE " +
                 p_.add(escapeLike(v.text) + (endsWithSlash ? "%" : "/%")) + ")";
        }
        if (c.modifier == "above") {
          const std::string u = p_.add(v.text);
          return "(x.uri = " + u + " OR " + u +
                 " LIKE replace(replace(x.uri, '%', '\\%'), '_', '\\_') || '/%')";
        }
        return "x.uri = " + p_.add(v.text);
      case CriterionKind::kNear: {
        // A box first (uses the index), then the great-circle distance. Every number is a
        // parameter, so that one statement serves every place and distance (prepared once).
        const double dLat = v.distanceKm / 111.0;
        const double dLon =
            v.distanceKm / (111.0 * std::max(0.01, std::cos(v.latitude * M_PI / 180)));
        const auto number = [this](double n) {
          return p_.add(numberText(n)) + "::double precision";
        };
        const std::string lat = number(v.latitude);
        const std::string lon = number(v.longitude);
        return "(x.latitude BETWEEN " + number(v.latitude - dLat) + " AND " +
               number(v.latitude + dLat) + " AND x.longitude BETWEEN " +
               number(v.longitude - dLon) + " AND " + number(v.longitude + dLon) + " AND " +
               distance("x", lat, lon) + " <= " + number(v.distanceKm) + ")";
      }
      default:
        return "TRUE";
    }
  }

 public:
  static std::string distance(const std::string& alias, const std::string& lat,
                              const std::string& lon) {
    return "(6371.0 * 2 * asin(sqrt(power(sin(radians(" + alias + ".latitude - " + lat +
           ") / 2), 2) + cos(radians(" + lat + ")) * cos(radians(" + alias +
           ".latitude)) * power(sin(radians(" + alias + ".longitude - " + lon + ") / 2), 2))))";
  }

 private:
  Params& p_;
  std::optional<AccessFilter> access_;
  std::pair<std::string, std::string> accessParams_;  // placeholders of organisation, open types
};

// The SQL type of a sort key's values, and the expression giving one row's value.
struct SortColumn {
  std::string expression;
  std::string sqlType;  // text | bigint | double precision
};

SortColumn sortColumn(const SortKey& key) {
  if (key.param == "_id") return {"r.res_id", "text"};
  if (key.param == "_lastUpdated") {
    return {"floor(extract(epoch FROM r.last_updated) * 1000)::bigint", "bigint"};
  }
  const std::string agg = key.descending ? "max" : "min";
  const std::string param = Params::name(key.param);
  auto sub = [&](const std::string& table, const std::string& column, const std::string& dflt) {
    return "coalesce((SELECT " + agg + "(s." + column + ") FROM " + table +
           " s WHERE s.res_type = r.res_type AND s.res_id = r.res_id AND s.param = " + param +
           "), " + dflt + ")";
  };
  switch (key.kind) {
    case CriterionKind::kString:
      return {sub("idx_string", "normalised", "''"), "text"};
    case CriterionKind::kDate:
      return {sub("idx_date", key.descending ? "high" : "low", "-9223372036854775807"), "bigint"};
    case CriterionKind::kNumber:
      return {sub("idx_number", "value", "'-Infinity'::double precision"), "double precision"};
    case CriterionKind::kReference:
      return {sub("idx_reference", "target_id", "''"), "text"};
    case CriterionKind::kUri:
      return {sub("idx_uri", "uri", "''"), "text"};
    default:
      return {sub("idx_token", "code", "''"), "text"};
  }
}

// Runs `sql` as a statement prepared on the connection under a name derived from its text: a
// connection prepares each distinct text once, and PostgreSQL plans it once it has seen a few
// runs, instead of at every run. Should two texts ever share a name, the second runs unprepared.
pqxx::result execPreparedOnce(pqxx::transaction_base& tx, const std::string& sql,
                              const std::vector<std::string>& values) {
  std::ostringstream name;
  name << "search_" << std::hex << std::hash<std::string>{}(sql);
  try {
    tx.conn().prepare(name.str(), sql);  // no round trip; the same text again changes nothing
  } catch (const pqxx::argument_error&) {
    return tx.exec_params(sql, pqxx::prepare::make_dynamic_params(values));
  }
  return tx.exec_prepared(name.str(), pqxx::prepare::make_dynamic_params(values));
}

// Runs a statement of clients' making whose plan does not depend on its values (its SQL fixes
// where the plan starts): prepared like the workflow's own searches, which saves its planning
// (about 1 ms of a place search, 0.2 to 0.4 ms of an include, at 1,000,000 Tasks). A connection
// keeps what it prepares until it closes, so only the first kMaxPreparedShapes texts the
// process meets are prepared; later ones are planned at each run, as before.
pqxx::result execFixedShape(pqxx::transaction_base& tx, const std::string& sql,
                            const std::vector<std::string>& values) {
  constexpr std::size_t kMaxPreparedShapes = 200;
  static std::mutex mutex;
  static std::unordered_set<std::string> shapes;
  bool prepare = false;
  {
    std::lock_guard<std::mutex> lock(mutex);
    prepare =
        shapes.count(sql) > 0 || (shapes.size() < kMaxPreparedShapes && shapes.insert(sql).second);
  }
  return prepare ? execPreparedOnce(tx, sql, values)
                 : tx.exec_params(sql, pqxx::prepare::make_dynamic_params(values));
}

// Current versions of `keys` that the filter lets through (all of them when there is none).
std::vector<ResourceVersion> fetchCurrent(
    pqxx::transaction_base& tx, const std::vector<std::pair<std::string, std::string>>& keys,
    const std::optional<AccessFilter>& access) {
  if (keys.empty()) return {};
  std::vector<std::string> types, ids;
  for (const auto& [t, i] : keys) {
    types.push_back(t);
    ids.push_back(i);
  }
  std::string sql =
      std::string("SELECT ") + kVersionColumns +
      " FROM resources r JOIN resource_versions v ON v.res_type = r.res_type"
      " AND v.res_id = r.res_id AND v.version_id = r.version_id"
      " JOIN unnest($1::text[], $2::text[]) AS k(t, i) ON r.res_type = k.t AND r.res_id = k.i"
      " WHERE NOT r.deleted";
  std::vector<std::string> params{textArray(types), textArray(ids)};
  if (access) {
    params.push_back(access->organisation);
    params.push_back(textArray(access->openTypes));
    sql += " AND " + accessCondition("r.res_type", "r.res_id", "$3", "$4");
  }
  std::vector<ResourceVersion> out;
  for (const auto& row : execFixedShape(tx, sql, params)) {  // joined by key: no choice
    out.push_back(toVersion(row));
  }
  return out;
}

// Follows _include and _revinclude from `from`, once or (:iterate) until nothing new appears.
std::vector<ResourceVersion> includes(pqxx::transaction_base& tx, const SearchRequest& request,
                                      const std::vector<ResourceVersion>& from) {
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& v : from) seen.insert({v.type, v.id});
  std::vector<ResourceVersion> result;
  std::vector<ResourceVersion> frontier = from;
  for (int round = 0; round < 4 && !frontier.empty(); ++round) {
    std::vector<std::pair<std::string, std::string>> wanted;
    for (const IncludeSpec& spec : request.includes) {
      if (round > 0 && !spec.iterate) continue;
      std::vector<std::string> types, ids;
      for (const auto& v : frontier) {
        if (spec.reverse || v.type == spec.sourceType) {
          types.push_back(v.type);
          ids.push_back(v.id);
        }
      }
      if (ids.empty()) continue;
      Params p;
      const std::string t = p.add(textArray(types));
      const std::string i = p.add(textArray(ids));
      std::string sql;
      if (spec.reverse) {
        sql = "SELECT DISTINCT x.res_type, x.res_id FROM idx_reference x JOIN unnest(" + t +
              "::text[], " + i +
              "::text[]) AS k(t, i) ON x.target_type = k.t AND x.target_id = k.i"
              " WHERE x.res_type = " +
              Params::name(spec.sourceType);
      } else {
        sql = "SELECT DISTINCT x.target_type, x.target_id FROM idx_reference x JOIN unnest(" + t +
              "::text[], " + i +
              "::text[]) AS k(t, i) ON x.res_type = k.t AND x.res_id = k.i"
              " WHERE x.target_id <> ''";
        if (!spec.targetType.empty())
          sql += " AND x.target_type = " + Params::name(spec.targetType);
      }
      if (spec.param != "*") sql += " AND x.param = " + Params::name(spec.param);
      for (const auto& row : execFixedShape(tx, sql, p.values())) {  // joined by key
        std::pair<std::string, std::string> key{row[0].as<std::string>(), row[1].as<std::string>()};
        if (seen.insert(key).second) wanted.push_back(key);
      }
    }
    frontier = fetchCurrent(tx, wanted, request.access);
    result.insert(result.end(), frontier.begin(), frontier.end());
  }
  return result;
}

}  // namespace

SearchResult runSearch(pqxx::transaction_base& tx, const SearchRequest& request) {
  Params p;
  QueryBuilder builder(p);
  builder.restrictHops(request.access);
  std::string where = "NOT r.deleted";
  // With one type, the criteria compare with it as a constant: a subquery correlated with
  // r.res_type would run once per resource of the type instead of starting from the index.
  std::string typeColumn = "r.res_type";
  if (request.types.size() == 1) {
    typeColumn = Params::name(request.types.front());
    where += " AND r.res_type = " + typeColumn;
  } else if (!request.types.empty()) {
    std::string list;
    for (const auto& t : request.types) list += (list.empty() ? "" : ", ") + Params::name(t);
    where += " AND r.res_type IN (" + list + ")";
  }
  // A search with a place starts from the place box, whatever the statistics say: the ids in
  // the box are computed first, and every other criterion is tested on those candidates only.
  // Left to its estimates, PostgreSQL started from the criterion it thought rarest; at 1,000,000
  // Tasks it expected 1 of the services' 10,001 location references and probed the box once for
  // each of them (issue 24). A service's places are its own index rows (directory_places.h), so
  // HealthcareService?near reads the box of services directly; a chain towards a place
  // (x.location.near) still goes from the box outwards through the references.
  const SearchCriterion* place = nullptr;
  if (request.types.size() == 1) {
    for (const SearchCriterion& c : request.criteria) {
      if (leadsToPlace(c)) {
        place = &c;
        break;
      }
    }
  }
  std::string tests;  // the other criteria, on the ids in the box (a place search)
  for (const SearchCriterion& c : request.criteria) {
    if (place == nullptr) {
      where += " AND " + builder.condition(c, typeColumn, "r.res_id");
    } else if (&c != place) {
      tests +=
          (tests.empty() ? "" : " AND ") + builder.condition(c, typeColumn, "d.id", Role::kCheck);
    }
  }
  if (place != nullptr) {
    where += " AND " + builder.condition(*place, typeColumn, "r.res_id", Role::kDriver, tests);
  }
  if (request.access) {
    where +=
        " AND " + accessCondition("r.res_type", "r.res_id", p.add(request.access->organisation),
                                  p.add(textArray(request.access->openTypes)));
  }
  SearchResult result;
  if (request.total) {
    const std::string countSql = "SELECT count(*) FROM resources r WHERE " + where;
    result.total = tx.exec_params(countSql, pqxx::prepare::make_dynamic_params(p.values()))[0][0]
                       .as<std::int64_t>();
  }
  if (request.count == 0) return result;

  // Keyset paging: order by the sort keys, then type and id; the cursor names the last row.
  std::vector<SortColumn> columns;
  std::vector<bool> descending;
  for (const SortKey& key : request.sort) {
    columns.push_back(sortColumn(key));
    descending.push_back(key.descending);
  }
  columns.push_back({"r.res_type", "text"});
  descending.push_back(false);
  columns.push_back({"r.res_id", "text"});
  descending.push_back(false);
  const bool backwards = request.cursor && request.cursor->backwards;
  if (request.cursor) {
    std::vector<std::string> values = request.cursor->values;
    values.push_back(request.cursor->type);
    values.push_back(request.cursor->id);
    if (values.size() != columns.size()) {
      throw fhir::FhirError(fhir::ErrorKind::kInvalid, "value",
                            "The paging cursor does not fit this search");
    }
    std::string keyset;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      std::string clause;
      for (std::size_t j = 0; j < i; ++j) {
        clause +=
            columns[j].expression + " = " + p.add(values[j]) + "::" + columns[j].sqlType + " AND ";
      }
      const bool after = descending[i] == backwards;  // ascending forwards: greater
      clause += columns[i].expression + (after ? " > " : " < ") + p.add(values[i]) +
                "::" + columns[i].sqlType;
      keyset += (i ? " OR (" : "(") + clause + ")";
    }
    where += " AND (" + keyset + ")";
  }
  // The page is chosen from the resources table alone (ids, versions and sort keys), and only
  // its rows are joined to their stored versions: a search whose criteria leave hundreds of
  // candidates reads the bodies of one page, not of every candidate.
  std::string keys = "r.res_type, r.res_id, r.version_id";
  std::string order;
  std::string pageOrder;
  std::string sortText;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    const std::string k = "k" + std::to_string(i);
    keys += ", (" + columns[i].expression + ") AS " + k;
    const std::string direction = descending[i] != backwards ? " DESC" : "";
    order += (i ? ", " : "") + std::string("(") + columns[i].expression + ")" + direction;
    pageOrder += (i ? ", " : "") + std::string("page.") + k + direction;
    sortText += ", page." + k + "::text";
  }
  const std::string sql = std::string("SELECT ") + kVersionColumns + sortText + " FROM (SELECT " +
                          keys + " FROM resources r WHERE " + where + " ORDER BY " + order +
                          " LIMIT " + std::to_string(request.count + 1) +
                          ") page JOIN resource_versions v ON v.res_type = page.res_type"
                          " AND v.res_id = page.res_id AND v.version_id = page.version_id"
                          " ORDER BY " +
                          pageOrder;
  // A place search's plan is the same whatever its values (it starts from the box), so it is
  // prepared; other searches of clients are planned for their values at each run (a generic
  // plan of Task?owner&status took 96 ms where the custom one takes 5, at 1,000,000 Tasks).
  const pqxx::result rows =
      request.reusePlan  ? execPreparedOnce(tx, sql, p.values())
      : place != nullptr ? execFixedShape(tx, sql, p.values())
                         : tx.exec_params(sql, pqxx::prepare::make_dynamic_params(p.values()));
  for (std::size_t i = 0; i < rows.size() && static_cast<int>(i) < request.count; ++i) {
    SearchMatch m;
    m.version = toVersion(rows[i]);
    for (std::size_t k = 0; k + 2 < columns.size(); ++k) {
      m.sortValues.push_back(rows[i][static_cast<pqxx::row::size_type>(8 + k)].as<std::string>());
    }
    result.matches.push_back(std::move(m));
  }
  const bool beyond = static_cast<int>(rows.size()) > request.count;
  if (backwards) {  // rows came nearest-first from before the cursor: restore the order
    std::reverse(result.matches.begin(), result.matches.end());
    result.hasBefore = beyond;
    result.hasMore = true;  // at least the row the cursor names
  } else {
    result.hasMore = beyond;
    result.hasBefore = request.cursor.has_value();
  }
  std::vector<ResourceVersion> matched;
  for (const auto& m : result.matches) matched.push_back(m.version);
  if (!request.includes.empty()) result.included = includes(tx, request, matched);
  return result;
}

}  // namespace sp::store::pg
