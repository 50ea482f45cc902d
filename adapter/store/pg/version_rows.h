// The columns every query that returns resource versions selects, and their decoding.
#pragma once

#include <pqxx/pqxx>

#include "store/resource_store.h"

namespace sp::store::pg {

// Selected from resource_versions aliased `v`, in this order (8 columns).
inline constexpr const char* kVersionColumns =
    "v.res_type, v.res_id, v.version_id,"
    " floor(extract(epoch FROM v.last_updated) * 1000)::bigint,"
    " v.deleted, v.method, coalesce(v.body, ''), v.seq";
inline constexpr int kVersionColumnCount = 8;

inline ResourceVersion toVersion(const pqxx::row& row) {
  ResourceVersion v;
  v.type = row[0].as<std::string>();
  v.id = row[1].as<std::string>();
  v.versionId = row[2].as<std::int64_t>();
  v.lastUpdated = fhir::TimePoint(std::chrono::milliseconds(row[3].as<std::int64_t>()));
  v.deleted = row[4].as<bool>();
  v.method = row[5].as<std::string>();
  v.body = row[6].as<std::string>();
  return v;
}

}  // namespace sp::store::pg
