#include "store/pg/version_writes.h"

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <sstream>
#include <string>

#include "store/pg/access_sql.h"  // sqlTextArray

namespace sp::store::pg {
namespace {

template <typename T>
std::string numberArray(const std::vector<T>& values) {
  std::ostringstream out;
  out.precision(17);
  out << '{';
  for (std::size_t i = 0; i < values.size(); ++i) out << (i ? "," : "") << values[i];
  out << '}';
  return out.str();
}

// The columns of one index table over the whole batch: the owners' types and ids, then one
// array per column of the row, each as the element type the statement casts it to.
class IndexColumns {
 public:
  void owner(const ResourceVersion& v) {
    types_.push_back(v.type);
    ids_.push_back(v.id);
  }
  std::vector<std::string>& text(std::size_t column) { return text_[column]; }
  std::vector<double>& number(std::size_t column) { return numbers_[column]; }
  std::vector<std::int64_t>& whole(std::size_t column) { return wholes_[column]; }
  bool empty() const { return types_.empty(); }

  // INSERT INTO `table` the rows, `columns` naming each column's array type in table order
  // ("text", "double precision" or "bigint"); each type's arrays are taken in turn.
  DeferredWrite insert(const char* table, const std::vector<std::string>& columns) const {
    DeferredWrite w;
    w.sql = std::string("INSERT INTO ") + table + " SELECT * FROM unnest($1::text[], $2::text[]";
    w.params = {sqlTextArray(types_), sqlTextArray(ids_)};
    std::size_t texts = 0, numbers = 0, wholes = 0;
    for (const std::string& type : columns) {
      w.sql += ", $" + std::to_string(w.params.size() + 1) + "::" + type + "[]";
      if (type == "text") {
        w.params.push_back(sqlTextArray(text_.at(texts++)));
      } else if (type == "bigint") {
        w.params.push_back(numberArray(wholes_.at(wholes++)));
      } else {
        w.params.push_back(numberArray(numbers_.at(numbers++)));
      }
    }
    w.sql += ")";
    return w;
  }

 private:
  std::vector<std::string> types_, ids_;
  std::array<std::vector<std::string>, 6> text_;
  std::array<std::vector<double>, 2> numbers_;
  std::array<std::vector<std::int64_t>, 2> wholes_;
};

}  // namespace

std::vector<DeferredWrite> versionWrites(const std::vector<PendingVersion>& versions) {
  std::vector<DeferredWrite> writes;
  if (versions.empty()) return writes;

  std::vector<std::string> replacedTypes, replacedIds;
  for (const PendingVersion& p : versions) {
    if (p.version.versionId > 1) {
      replacedTypes.push_back(p.version.type);
      replacedIds.push_back(p.version.id);
    }
  }
  if (!replacedIds.empty()) {
    for (const char* table : {"idx_token", "idx_string", "idx_reference", "idx_date", "idx_number",
                              "idx_uri", "idx_geo", "resource_identifiers"}) {
      writes.push_back({std::string("DELETE FROM ") + table +
                            " t USING unnest($1::text[], $2::text[]) AS k(res_type, res_id)"
                            " WHERE t.res_type = k.res_type AND t.res_id = k.res_id",
                        {sqlTextArray(replacedTypes), sqlTextArray(replacedIds)}});
    }
  }

  std::vector<std::string> types, ids, methods, bodies, deleted;
  std::vector<std::int64_t> numbers, millis;
  for (const PendingVersion& p : versions) {
    const ResourceVersion& v = p.version;
    types.push_back(v.type);
    ids.push_back(v.id);
    numbers.push_back(v.versionId);
    millis.push_back(
        std::chrono::duration_cast<std::chrono::milliseconds>(v.lastUpdated.time_since_epoch())
            .count());
    deleted.push_back(v.deleted ? "true" : "false");
    methods.push_back(v.method);
    bodies.push_back(v.body);
  }
  const std::vector<std::string> rows{sqlTextArray(types), sqlTextArray(ids), numberArray(numbers),
                                      numberArray(millis), sqlTextArray(deleted)};
  DeferredWrite versionRows{
      "INSERT INTO resource_versions (res_type, res_id, version_id, last_updated, deleted,"
      " method, body) SELECT t, i, n, to_timestamp(ms::double precision / 1000), d, m,"
      " NULLIF(b, '') FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[],"
      " $5::boolean[], $6::text[], $7::text[]) WITH ORDINALITY AS x(t, i, n, ms, d, m, b, o)"
      " ORDER BY o",
      rows};
  versionRows.params.push_back(sqlTextArray(methods));
  versionRows.params.push_back(sqlTextArray(bodies));
  writes.push_back(std::move(versionRows));
  writes.push_back(
      {"INSERT INTO resources (res_type, res_id, version_id, last_updated, deleted)"
       " SELECT t, i, n, to_timestamp(ms::double precision / 1000), d"
       " FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[],"
       " $5::boolean[]) AS x(t, i, n, ms, d)"
       " ON CONFLICT (res_type, res_id) DO UPDATE SET version_id = EXCLUDED.version_id,"
       " last_updated = EXCLUDED.last_updated, deleted = EXCLUDED.deleted",
       rows});

  IndexColumns identifiers, tokens, strings, references, dates, numbers2, uris, geo;
  for (const PendingVersion& p : versions) {
    const ResourceVersion& v = p.version;
    for (const IdentifierToken& t : p.identifiers) {
      identifiers.owner(v);
      identifiers.text(0).push_back(t.system);
      identifiers.text(1).push_back(t.value);
    }
    for (const TokenRow& r : p.index.tokens) {
      tokens.owner(v);
      tokens.text(0).push_back(r.param);
      tokens.text(1).push_back(r.system);
      tokens.text(2).push_back(r.code);
      tokens.text(3).push_back(r.text);
    }
    for (const StringRow& r : p.index.strings) {
      strings.owner(v);
      strings.text(0).push_back(r.param);
      strings.text(1).push_back(r.normalised);
      strings.text(2).push_back(r.exact);
    }
    for (const ReferenceRow& r : p.index.references) {
      references.owner(v);
      references.text(0).push_back(r.param);
      references.text(1).push_back(r.targetType);
      references.text(2).push_back(r.targetId);
      references.text(3).push_back(r.url);
      references.text(4).push_back(r.identifierSystem);
      references.text(5).push_back(r.identifierValue);
    }
    for (const DateRow& r : p.index.dates) {
      dates.owner(v);
      dates.text(0).push_back(r.param);
      dates.whole(0).push_back(r.low);
      dates.whole(1).push_back(r.high);
    }
    for (const NumberRow& r : p.index.numbers) {
      numbers2.owner(v);
      numbers2.text(0).push_back(r.param);
      numbers2.number(0).push_back(r.value);
      numbers2.text(1).push_back(r.system);
      numbers2.text(2).push_back(r.code);
    }
    for (const UriRow& r : p.index.uris) {
      uris.owner(v);
      uris.text(0).push_back(r.param);
      uris.text(1).push_back(r.uri);
    }
    for (const GeoRow& r : p.index.geo) {
      geo.owner(v);
      geo.text(0).push_back(r.param);
      geo.number(0).push_back(r.latitude);
      geo.number(1).push_back(r.longitude);
    }
  }
  if (!identifiers.empty())
    writes.push_back(identifiers.insert("resource_identifiers", {"text", "text"}));
  if (!tokens.empty())
    writes.push_back(tokens.insert("idx_token", {"text", "text", "text", "text"}));
  if (!strings.empty()) writes.push_back(strings.insert("idx_string", {"text", "text", "text"}));
  if (!references.empty()) {
    writes.push_back(
        references.insert("idx_reference", {"text", "text", "text", "text", "text", "text"}));
  }
  if (!dates.empty()) writes.push_back(dates.insert("idx_date", {"text", "bigint", "bigint"}));
  if (!numbers2.empty()) {
    writes.push_back(numbers2.insert("idx_number", {"text", "double precision", "text", "text"}));
  }
  if (!uris.empty()) writes.push_back(uris.insert("idx_uri", {"text", "text"}));
  if (!geo.empty()) {
    writes.push_back(geo.insert("idx_geo", {"text", "double precision", "double precision"}));
  }
  return writes;
}

}  // namespace sp::store::pg
