// Instance, type and system history, newest first, paged by a keyset cursor so that pages stay
// correct while new versions arrive.
#include "fhir/bundle_writer.h"
#include "fhir/errors.h"
#include "rest/interactions.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

int parseCount(const std::string& text, const ApiLimits& limits) {
  if (text.empty() || text.size() > 6 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    throw FhirError(ErrorKind::kInvalid, "value", "_count must be a non-negative integer");
  }
  const int n = std::stoi(text);
  return std::max(1, std::min(n, limits.maxPageSize));
}

std::string historyPath(const Route& route) {
  if (route.type.empty()) return "/_history";
  if (route.id.empty()) return "/" + route.type + "/_history";
  return "/" + route.type + "/" + route.id + "/_history";
}

}  // namespace

InteractionResult history(const ApiContext& ctx, store::StoreTransaction& tx, const Route& route,
                          const InteractionInput& in) {
  store::HistoryQuery q;
  q.count = ctx.limits.defaultPageSize;
  if (!route.type.empty()) q.type = route.type;
  if (!route.id.empty()) q.id = route.id;
  q.access = in.access;
  std::string sinceText;
  for (const auto& [name, value] : in.query) {
    if (name == "_count") {
      q.count = parseCount(value, ctx.limits);
    } else if (name == "_since") {
      q.sinceMillis = fhir::parseInstantMillis(value);
      if (!q.sinceMillis) {
        throw FhirError(ErrorKind::kInvalid, "value", "_since must be an instant");
      }
      sinceText = value;
    } else if (name == "_cursor") {
      const auto cursor = fhir::parseEtagVersion(value);
      if (!cursor) throw FhirError(ErrorKind::kInvalid, "value", "Malformed _cursor");
      q.beforeSequence = *cursor;
    } else if (name != "_format" && name != "_pretty") {
      throw FhirError(ErrorKind::kInvalid, "not-supported",
                      "History supports _count and _since, not '" + name + "'");
    }
  }
  if (q.id && !tx.current(*q.type, *q.id, false)) {
    throw FhirError(ErrorKind::kNotFound, "not-found", *q.type + "/" + *q.id + " not found");
  }
  const store::HistoryPage page = tx.history(q);
  std::vector<fhir::BundleEntry> entries;
  for (const auto& v : page.versions) {
    fhir::BundleEntry e;
    e.fullUrl = in.baseUrl + "/" + v.type + "/" + v.id;
    e.resourceJson = v.body;
    e.requestMethod = v.method;
    e.requestUrl = v.method == "POST" ? v.type : v.type + "/" + v.id;
    e.responseStatus = v.deleted ? "204 No Content" : (v.versionId == 1 ? "201 Created" : "200 OK");
    e.responseEtag = fhir::weakEtag(v.versionId);
    e.responseLastModified = fhir::formatInstant(v.lastUpdated);
    entries.push_back(std::move(e));
  }
  const std::string base = in.baseUrl + historyPath(route) + "?_count=" + std::to_string(q.count) +
                           (sinceText.empty() ? "" : "&_since=" + percentEncode(sinceText));
  std::vector<fhir::BundleLink> links;
  std::string self = base;
  if (q.beforeSequence) self += "&_cursor=" + std::to_string(*q.beforeSequence);
  links.push_back({"self", self});
  if (page.nextCursor)
    links.push_back({"next", base + "&_cursor=" + std::to_string(*page.nextCursor)});
  InteractionResult result;
  result.bundleBody =
      fhir::writeBundle("history", ctx.ids.newId(), fhir::formatInstant(ctx.clock.now()),
                        std::nullopt, links, entries);
  return result;
}

}  // namespace sp::rest
