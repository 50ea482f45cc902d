#include "rest/search_current.h"

#include "search/query_parser.h"
#include "store/search_request.h"

namespace sp::rest {

std::vector<store::ResourceVersion> searchCurrent(const ApiContext& api,
                                                  store::StoreTransaction& tx,
                                                  const std::string& type, QueryParams params,
                                                  std::size_t max,
                                                  std::optional<store::AccessFilter> access) {
  std::vector<store::ResourceVersion> out;
  if (!api.indexer) return out;
  search::SearchLimits limits;
  limits.defaultCount = api.limits.maxPageSize;
  limits.maxCount = api.limits.maxPageSize;
  params.emplace_back("_count", std::to_string(api.limits.maxPageSize));
  store::SearchRequest request =
      search::parseSearch(type, params, *api.indexer, limits, false).request;
  request.access = std::move(access);
  request.reusePlan = true;  // the same few shapes on every write (store/search_request.h)
  for (;;) {
    store::SearchResult found = tx.search(request);
    for (auto& m : found.matches) {
      if (out.size() >= max) return out;
      out.push_back(std::move(m.version));
    }
    if (!found.hasMore || found.matches.empty()) return out;
    const store::SearchMatch& last = found.matches.back();
    request.cursor = store::Cursor{last.sortValues, last.version.type, last.version.id, false};
  }
}

}  // namespace sp::rest
