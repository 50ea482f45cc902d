// A parsed FHIR search, as the store executes it, and its result. Data only: the search/
// layer builds it from query parameters and definitions; store/pg turns it into SQL.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "store/resource_store.h"

namespace sp::store {

// What kind of index a criterion reads.
enum class CriterionKind {
  kToken,
  kString,
  kReference,
  kDate,
  kNumber,  // number and quantity
  kUri,
  kId,           // _id
  kLastUpdated,  // _lastUpdated
  kNear,         // Location.position within a distance
  kHas,          // _has: reverse chaining
};

struct SearchValue {
  std::string prefix = "eq";  // eq ne gt lt ge le sa eb ap
  // token: system/code (hasSystem: `system|code` or `|code`); string/uri/id: text;
  // reference: targetType/targetId or url; quantity: number + system/code
  std::string system;
  std::string code;
  bool hasSystem = false;
  std::string text;
  std::string targetType;
  std::string targetId;
  std::int64_t low = 0;  // date: [low, high) epoch milliseconds
  std::int64_t high = 0;
  double number = 0;
  double tolerance = 0;  // number eq: half a unit of the last digit written (1.5 -> 0.05)
  double latitude = 0, longitude = 0, distanceKm = 0;  // near
};

struct SearchCriterion {
  std::string param;  // the index's parameter code
  CriterionKind kind = CriterionKind::kToken;
  std::string modifier;  // exact contains text not missing identifier of-type above below; or
                         // a resource type for reference
  bool missing = false;  // with modifier "missing": true means "has none"
  std::vector<SearchValue> values;  // OR
  // Chaining (reference params): the target must match `chained` (of `chainType`).
  std::string chainType;
  std::shared_ptr<SearchCriterion> chained;
  // _has: resources of hasType whose hasParam references the result and match `chained`.
  std::string hasType;
  std::string hasParam;
};

struct SortKey {
  std::string param;  // "_id", "_lastUpdated", or an index parameter code
  CriterionKind kind = CriterionKind::kToken;
  bool descending = false;
};

struct IncludeSpec {
  bool reverse = false;    // _revinclude
  std::string sourceType;  // the type whose reference parameter is followed
  std::string param;       // the reference parameter code ("*" for all)
  std::string targetType;  // optional restriction
  bool iterate = false;
};

// A position in the sorted result: the sort values and id of the last row seen.
struct Cursor {
  std::vector<std::string> values;  // as text, one per sort key
  std::string type;
  std::string id;
  bool backwards = false;  // a "previous" page
};

struct SearchRequest {
  std::vector<std::string> types;  // one for a type search; several (or none: all) for system
  std::vector<SearchCriterion> criteria;  // AND
  std::vector<SortKey> sort;
  int count = 50;
  std::optional<Cursor> cursor;
  bool total = false;          // compute the total
  bool totalEstimate = false;  // an estimate is enough
  std::vector<IncludeSpec> includes;
  // Matches, includes and the total hold only what the caller may see (absent: everything).
  std::optional<AccessFilter> access;
  // A search of fixed shape that the server itself runs on many writes (the workflow and
  // delivery rules): its page statement is prepared on the connection and planned once,
  // instead of at every run. Never set for clients' searches, whose best plan depends on
  // their values.
  bool reusePlan = false;
};

struct SearchMatch {
  ResourceVersion version;
  std::vector<std::string> sortValues;  // for cursors
};

struct SearchResult {
  std::vector<SearchMatch> matches;
  std::vector<ResourceVersion> included;
  std::optional<std::int64_t> total;
  bool hasMore = false;    // beyond the page, in the page's direction
  bool hasBefore = false;  // rows exist before the page's first row
};

// The resource types whose rows a search reads (its types, chained and _has types), or nothing
// when it may read any type (a search of all types, or one that follows _include).
inline std::optional<std::set<std::string>> typesReadBy(const SearchRequest& request) {
  if (request.types.empty() || !request.includes.empty()) return std::nullopt;
  std::set<std::string> types(request.types.begin(), request.types.end());
  std::vector<const SearchCriterion*> pending;
  for (const SearchCriterion& c : request.criteria) pending.push_back(&c);
  while (!pending.empty()) {
    const SearchCriterion* c = pending.back();
    pending.pop_back();
    if (c->chained && c->chainType.empty() && c->hasType.empty()) return std::nullopt;
    if (!c->chainType.empty()) types.insert(c->chainType);
    if (!c->hasType.empty()) types.insert(c->hasType);
    if (c->chained) pending.push_back(c->chained.get());
  }
  return types;
}

}  // namespace sp::store
