#include "services/feed_sync.h"

#include <optional>
#include <set>

#include "fhir/json.h"
#include "fhir/operation_outcome.h"
#include "mapping/oruk_page.h"
#include "rest/rest_types.h"
#include "security/caller.h"
#include "services/feed_writer.h"
#include "store/search_request.h"

namespace sp::services {

using fhir::FhirError;
using fhir::Issue;
using fhir::Severity;

namespace {

// Pages that fail one after the other before the sync stops reading.
constexpr int kMaxFailedPagesInARow = 2;

Issue error(const std::string& code, const std::string& where, const std::string& text) {
  return {Severity::kError, code, text, where};
}

// The ids of the stored HealthcareServices under the feed's identifier system.
std::vector<std::string> storedServices(store::ResourceStore& store,
                                        const mapping::OrukFeed& feed) {
  std::vector<std::string> ids;
  store.inReadOnly([&](store::StoreTransaction& tx) {
    store::SearchRequest request;
    request.types = {"HealthcareService"};
    store::SearchCriterion criterion;
    criterion.param = "identifier";
    criterion.kind = store::CriterionKind::kToken;
    store::SearchValue value;
    value.system = feed.serviceSystem();
    value.hasSystem = true;
    criterion.values.push_back(value);
    request.criteria.push_back(criterion);
    request.count = 500;
    while (true) {
      const auto result = tx.search(request);
      for (const auto& match : result.matches) ids.push_back(match.version.id);
      if (!result.hasMore || result.matches.empty()) break;
      const auto& last = result.matches.back();
      request.cursor = store::Cursor{last.sortValues, last.version.type, last.version.id, false};
    }
  });
  return ids;
}

std::string fhirErrorText(const FhirError& e);

// GET <baseUrl>/services/<id> into `out`; the problem when it is not a service object.
std::optional<std::string> fetchNested(delivery::MessageSender& http, const mapping::OrukFeed& feed,
                                       const std::string& id, rapidjson::Document& out) {
  delivery::OutgoingRequest get;
  get.method = "GET";
  get.url = feed.baseUrl + "/services/" + rest::percentEncode(id);
  get.headers = {{"Accept", "application/json"}};
  const delivery::SendResult answer = http.post(get);
  if (answer.status == 0) return get.url + " unreachable: " + answer.error;
  if (answer.status < 200 || answer.status > 299) {
    return get.url + " answered HTTP " + std::to_string(answer.status);
  }
  try {
    fhir::parseJson(answer.body, out);
  } catch (const FhirError& e) {
    return get.url + " is not JSON: " + fhirErrorText(e);
  }
  if (!out.IsObject() || fhir::getString(out, "id") != id) {
    return get.url + " is not the service " + id;
  }
  return std::nullopt;
}

std::string fhirErrorText(const FhirError& e) {
  std::string text;
  for (const auto& issue : e.issues()) {
    if (!text.empty()) text += "; ";
    if (!issue.expression.empty()) text += issue.expression + ": ";
    text += issue.diagnostics;
  }
  return text.empty() ? e.what() : text;
}

}  // namespace

std::string FeedSyncReport::summary() const {
  return "feed " + feed + ": " + std::to_string(pages) + " pages, " + std::to_string(services) +
         " services: " + std::to_string(created) + " created, " + std::to_string(updated) +
         " updated, " + std::to_string(unchanged) + " unchanged, " + std::to_string(keptLocal) +
         " kept as changed here, " + std::to_string(refused) + " refused, " +
         std::to_string(deactivated) + " made inactive" +
         (complete ? "" : " (not read whole: nothing made inactive)");
}

std::string FeedSyncReport::outcomeJson() const {
  std::vector<Issue> all;
  all.push_back({Severity::kInformation, "informational", summary(), ""});
  all.insert(all.end(), issues.begin(), issues.end());
  return fhir::operationOutcomeJson(all);
}

FeedSyncReport syncFeed(const rest::ApiContext& ctx, store::ResourceStore& store,
                        delivery::MessageSender& http, const mapping::OrukFeed& feed,
                        const mapping::TaxonomyMaps& maps) {
  FeedSyncReport report;
  report.feed = feed.id;
  const FeedActor actor{security::Caller::onBehalfOf(feed.partner), feedJobName(feed.id)};
  std::set<std::string> seen;        // services read and mapped
  std::set<std::string> refusedIds;  // services in the feed that could not be mapped
  std::string previousPageIds;
  int failedInARow = 0;
  for (int page = 1; page <= kMaxFeedPages; ++page) {
    const std::string url = mapping::orukPageUrl(feed, page);
    const std::string where = "page " + std::to_string(page) + " (" + url + ")";
    delivery::OutgoingRequest get;
    get.method = "GET";
    get.url = url;
    get.headers = {{"Accept", "application/json"}};
    const delivery::SendResult answer = http.post(get);
    if (answer.status == 0) {
      report.complete = false;
      report.issues.push_back(error("transient", where, "unreachable: " + answer.error));
      break;  // a feed that does not answer will not answer the next page either
    }
    rapidjson::Document doc;
    std::string problem;
    if (answer.status < 200 || answer.status > 299) {
      problem = "answered HTTP " + std::to_string(answer.status);
    } else {
      try {
        fhir::parseJson(answer.body, doc);
      } catch (const FhirError& e) {
        problem = "not JSON: " + fhirErrorText(e);
      }
    }
    mapping::OrukPage read;
    if (problem.empty()) {
      read = mapping::readOrukPage(doc, page);
      problem = read.error;
    }
    if (!problem.empty()) {
      report.complete = false;
      report.issues.push_back(error("structure", where, problem));
      if (++failedInARow >= kMaxFailedPagesInARow) break;
      continue;
    }
    failedInARow = 0;
    ++report.pages;
    // A feed that ignores `page` sends the first page again and again: the same ids.
    std::string pageIds;
    for (const auto& item : read.items->GetArray()) {
      pageIds += (item.IsObject() ? fhir::getString(item, "id") : std::string()) + "\n";
    }
    if (page > 1 && !read.items->Empty() && pageIds == previousPageIds) {
      report.issues.push_back({Severity::kWarning, "informational",
                               "the page repeats the previous one: the feed ignores paging; "
                               "reading stops here",
                               where});
      --report.pages;
      break;
    }
    previousPageIds = pageIds;
    for (rapidjson::SizeType i = 0; i < read.items->Size(); ++i) {
      ++report.services;
      const std::string at =
          "page " + std::to_string(page) + ": " + read.itemsName + "[" + std::to_string(i) + "]";
      const rapidjson::Value& item = (*read.items)[i];
      // ORUK 3.0 list items carry no children: the service's own endpoint has them.
      rapidjson::Document nested;
      const rapidjson::Value* source = &item;
      if (feed.version == mapping::OrukVersion::kV3 && feed.nested && item.IsObject() &&
          !fhir::getString(item, "id").empty()) {
        if (auto problem = fetchNested(http, feed, fhir::getString(item, "id"), nested)) {
          report.issues.push_back({Severity::kWarning, "incomplete",
                                   *problem + "; the list item is used without its children", at});
        } else {
          source = &nested;
        }
      }
      mapping::MappedService mapped = mapping::mapOrukService(*source, feed, maps, at);
      if (mapped.refused()) {
        ++report.refused;
        if (!mapped.orukId.empty()) refusedIds.insert(mapped.orukId);  // not made inactive
        for (auto& issue : mapped.issues) {
          if (issue.severity == Severity::kError) report.issues.push_back(std::move(issue));
        }
        continue;
      }
      if (!seen.insert(mapped.orukId).second) {
        report.issues.push_back(
            {Severity::kWarning, "duplicate",
             "service " + mapped.orukId + " is in the feed twice; the first one is kept", at});
        continue;
      }
      try {
        FeedWriteResult written;
        store.inTransaction([&](store::StoreTransaction& tx) {
          mapping::MappedService attempt;  // a retried transaction starts from the mapping again
          attempt.orukId = mapped.orukId;
          attempt.service.CopyFrom(mapped.service, attempt.service.GetAllocator());
          if (mapped.organization) {
            attempt.organization.emplace();
            attempt.organization->CopyFrom(*mapped.organization,
                                           attempt.organization->GetAllocator());
          }
          for (const auto& l : mapped.locations) {
            attempt.locations.emplace_back();
            attempt.locations.back().CopyFrom(l, attempt.locations.back().GetAllocator());
          }
          written = writeMappedService(ctx, tx, feed, attempt, actor);
        });
        switch (written.outcome) {
          case FeedWrite::kCreated:
            ++report.created;
            break;
          case FeedWrite::kUpdated:
            ++report.updated;
            break;
          case FeedWrite::kUnchanged:
            ++report.unchanged;
            break;
          case FeedWrite::kKeptLocal:
            ++report.keptLocal;
            report.issues.push_back({Severity::kInformation, "informational",
                                     "HealthcareService/" + written.id +
                                         " was changed here; the feed's version of "
                                         "service " +
                                         mapped.orukId + " is not applied",
                                     at});
            break;
        }
      } catch (const FhirError& e) {
        ++report.refused;
        report.issues.push_back(error(
            "processing", at, "service " + mapped.orukId + " is not stored: " + fhirErrorText(e)));
      }
    }
    if (read.last) break;
  }
  if (!report.complete) return report;
  for (const auto& id : storedServices(store, feed)) {
    bool present = false;
    store.inReadOnly([&](store::StoreTransaction& tx) {
      const auto current = tx.current("HealthcareService", id, false);
      if (!current || current->deleted) {
        present = true;
        return;
      }
      rapidjson::Document stored;
      fhir::parseJson(current->body, stored);
      if (const auto* ids = fhir::findMember(stored, "identifier"); ids && ids->IsArray()) {
        for (const auto& identifier : ids->GetArray()) {
          if (fhir::getString(identifier, "system") == feed.serviceSystem() &&
              (seen.count(fhir::getString(identifier, "value")) ||
               refusedIds.count(fhir::getString(identifier, "value")))) {
            present = true;
          }
        }
      }
    });
    if (present) continue;
    try {
      FeedWriteResult written;
      store.inTransaction(
          [&](store::StoreTransaction& tx) { written = deactivateFromFeed(ctx, tx, id, actor); });
      if (written.outcome == FeedWrite::kUpdated) ++report.deactivated;
    } catch (const FhirError& e) {
      report.issues.push_back(
          error("processing", "HealthcareService/" + id, "not made inactive: " + fhirErrorText(e)));
    }
  }
  return report;
}

}  // namespace sp::services
