// Type and system search: parameters parsed from the definitions, run by the store, answered
// as a searchset Bundle with matches, includes, an outcome entry for ignored parameters, and
// self/next/previous links whose keyset cursors stay correct while data changes.
#include "fhir/bundle_writer.h"
#include "fhir/errors.h"
#include "fhir/operation_outcome.h"
#include "rest/interactions.h"
#include "search/index_extractor.h"
#include "search/query_parser.h"
#include "search/result_view.h"
#include "store/search_request.h"

namespace sp::rest {

namespace {

std::string link(const std::string& base, const search::ParsedSearch& parsed,
                 const std::string& cursor) {
  std::string url = base;
  char sep = '?';
  for (const auto& [name, value] : parsed.linkParams) {
    url += sep + percentEncode(name) + "=" + percentEncode(value);
    sep = '&';
  }
  if (!cursor.empty()) url += std::string(1, sep) + "_cursor=" + cursor;
  return url;
}

store::Cursor cursorAt(const store::SearchMatch& m, bool backwards) {
  return store::Cursor{m.sortValues, m.version.type, m.version.id, backwards};
}

}  // namespace

InteractionResult searchResources(const ApiContext& ctx, store::StoreTransaction& tx,
                                  const Route& route, const InteractionInput& in) {
  if (!ctx.indexer) {
    throw fhir::FhirError(fhir::ErrorKind::kNotImplemented, "not-supported", "Search is off");
  }
  search::SearchLimits limits;
  limits.defaultCount = ctx.limits.defaultPageSize;
  limits.maxCount = ctx.limits.maxPageSize;
  limits.maxParameters = ctx.limits.maxSearchParameters;
  limits.localBase = in.baseUrl;
  search::ParsedSearch parsed =
      search::parseSearch(route.type, in.query, *ctx.indexer, limits, in.strictHandling);
  parsed.request.access = in.access;
  for (const auto& t : parsed.request.types) {
    if (!ctx.definitions.isResourceType(t)) {
      throw fhir::FhirError(fhir::ErrorKind::kInvalid, "not-supported", "Unknown type '" + t + "'");
    }
  }
  const store::SearchResult found = tx.search(parsed.request);

  std::vector<fhir::BundleEntry> entries;
  for (const auto& m : found.matches) {
    fhir::BundleEntry e;
    e.fullUrl = in.baseUrl + "/" + m.version.type + "/" + m.version.id;
    e.resourceJson =
        search::resultView(m.version.body, parsed.summary, parsed.elements, ctx.definitions);
    e.searchMode = "match";
    entries.push_back(std::move(e));
  }
  for (const auto& v : found.included) {
    fhir::BundleEntry e;
    e.fullUrl = in.baseUrl + "/" + v.type + "/" + v.id;
    e.resourceJson = search::resultView(v.body, parsed.summary, parsed.elements, ctx.definitions);
    e.searchMode = "include";
    entries.push_back(std::move(e));
  }
  if (!parsed.ignored.empty()) {
    fhir::BundleEntry e;
    e.resourceJson = fhir::operationOutcomeJson(parsed.ignored);
    e.searchMode = "outcome";
    entries.push_back(std::move(e));
  }
  const std::string base = in.baseUrl + (route.type.empty() ? "" : "/" + route.type);
  std::vector<fhir::BundleLink> links;
  links.push_back(
      {"self", link(base, parsed,
                    parsed.request.cursor ? search::encodeCursor(*parsed.request.cursor) : "")});
  if (found.hasMore && !found.matches.empty()) {
    links.push_back(
        {"next", link(base, parsed, search::encodeCursor(cursorAt(found.matches.back(), false)))});
  }
  if (found.hasBefore && !found.matches.empty()) {
    links.push_back(
        {"previous",
         link(base, parsed, search::encodeCursor(cursorAt(found.matches.front(), true)))});
  }
  InteractionResult result;
  result.bundleBody =
      fhir::writeBundle("searchset", ctx.ids.newId(), fhir::formatInstant(ctx.clock.now()),
                        found.total, links, entries);
  return result;
}

}  // namespace sp::rest
