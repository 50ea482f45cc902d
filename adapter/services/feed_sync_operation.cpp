#include "services/feed_sync_operation.h"

#include <stdexcept>

#include "fhir/errors.h"
#include "fhir/operation_outcome.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;

namespace {

const mapping::ConceptMap* mapNamed(const std::string& url, const mapping::OrukFeed& feed,
                                    const mapping::MappingSet& mappings) {
  if (url.empty()) return nullptr;
  const auto* map = mappings.conceptMap(url);
  if (!map) {
    throw mapping::FeedConfigError("feed " + feed.id + ": no ConceptMap " + url +
                                   " in the mapping tables");
  }
  return map;
}

}  // namespace

mapping::TaxonomyMaps taxonomyMapsFor(const mapping::OrukFeed& feed,
                                      const mapping::MappingSet& mappings) {
  return {mapNamed(feed.categoryMap, feed, mappings), mapNamed(feed.cohortMap, feed, mappings),
          mapNamed(feed.accessMap, feed, mappings)};
}

FeedSyncOperation::FeedSyncOperation(store::ResourceStore& store, const rest::ApiContext& ctx,
                                     delivery::MessageSender& http,
                                     std::vector<mapping::OrukFeed> feeds,
                                     const mapping::MappingSet& mappings)
    : store_(store), ctx_(ctx), http_(http), feeds_(std::move(feeds)) {
  for (const auto& feed : feeds_) maps_.push_back(taxonomyMapsFor(feed, mappings));
}

rest::OperationEntry FeedSyncOperation::entry() const {
  return {.type = "HealthcareService",
          .name = "$sync-feed",
          .methods = "POST",
          .readOnly = false,
          .requestOperation = this};
}

FeedSyncReport FeedSyncOperation::sync(const std::string& feedId) const {
  if (!gate_) return syncUngated(feedId);
  const std::string job = feedJobName(feedId);
  bool mine = false;
  try {
    mine = gate_->begin(job, std::chrono::seconds(0));
  } catch (const std::runtime_error& e) {
    throw FhirError(ErrorKind::kUnavailable, "transient",
                    "The directory feeds cannot be synced now: " + std::string(e.what()));
  }
  if (!mine) {
    FeedSyncReport busy;
    busy.feed = feedId;
    busy.complete = false;
    busy.issues.push_back({fhir::Severity::kWarning, "transient",
                           "the feed is being synced now (by the periodic sync or another "
                           "request); not synced again",
                           ""});
    return busy;
  }
  try {
    FeedSyncReport report = syncUngated(feedId);
    gate_->finish(job);
    return report;
  } catch (...) {
    gate_->finish(job);
    throw;
  }
}

FeedSyncReport FeedSyncOperation::syncUngated(const std::string& feedId) const {
  for (std::size_t i = 0; i < feeds_.size(); ++i) {
    if (feeds_[i].id == feedId) return syncFeed(ctx_, store_, http_, feeds_[i], maps_[i]);
  }
  throw FhirError(ErrorKind::kNotFound, "not-found",
                  "No directory feed '" + feedId + "' in mappings/feeds", "feed");
}

rest::RestResponse FeedSyncOperation::handle(const rest::RestRequest& request,
                                             const security::Caller& caller) const {
  if (caller.checked() && !caller.is(security::Role::kDirectoryAdministrator)) {
    throw FhirError(ErrorKind::kForbidden, "forbidden",
                    "Only the directory team may sync directory feeds");
  }
  std::vector<std::string> wanted;
  for (const auto& [name, value] : request.query) {
    if (name == "feed") {
      wanted.push_back(value);
    } else {
      throw FhirError(ErrorKind::kInvalid, "not-supported",
                      "Unknown parameter '" + name + "': $sync-feed takes feed=<id>", name);
    }
  }
  if (wanted.empty()) {
    for (const auto& feed : feeds_) wanted.push_back(feed.id);
  }
  for (const auto& id : wanted) {  // every name checked before any sync starts
    bool known = false;
    for (const auto& feed : feeds_) known |= feed.id == id;
    if (!known) {
      throw FhirError(ErrorKind::kNotFound, "not-found",
                      "No directory feed '" + id + "' in mappings/feeds", "feed");
    }
  }
  std::vector<fhir::Issue> issues;
  for (const auto& id : wanted) {
    const FeedSyncReport report = sync(id);
    issues.push_back({fhir::Severity::kInformation, "informational", report.summary(), ""});
    for (auto issue : report.issues) {
      issue.expression = "feed " + id + ", " + issue.expression;
      issues.push_back(std::move(issue));
    }
  }
  if (issues.empty()) {
    issues.push_back({fhir::Severity::kInformation, "informational",
                      "No directory feeds are configured (mappings/feeds)", ""});
  }
  rest::RestResponse response;
  response.status = 200;
  response.body = fhir::operationOutcomeJson(issues);
  response.headers.push_back({"Content-Type", "application/fhir+json; charset=utf-8"});
  return response;
}

}  // namespace sp::services
