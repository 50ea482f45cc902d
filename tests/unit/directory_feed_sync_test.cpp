// A directory feed synced through the write path over the in-memory store, with a fake network
// serving pages built from the upstream examples (tests/data/oruk/): what one sync creates, that
// a second one changes nothing, that an edited service makes one version, a removed one turns
// inactive, a service changed here is kept, and bad pages and services are reported with their
// position while the rest syncs.
#include <gtest/gtest.h>

#include <map>

#include "fhir/json.h"
#include "mapping/concept_map.h"
#include "mapping/mapping_set.h"
#include "mapping/oruk_feed.h"
#include "rest/resource_write.h"
#include "rules_test_support.h"
#include "services/directory_entry_rule.h"
#include "services/feed_sync.h"
#include "services/feed_sync_operation.h"
#include "services/feed_writer.h"

namespace sp::testing::rules {
namespace {

const std::string kFeedBase = "http://feed.test/oruk";
const std::string kServiceSystem = "https://directory.northvale.example.org/api/oruk/id/service";

std::string readFile(const std::string& relative) {
  std::ifstream in(std::string(SP_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Serves what the test puts at each URL; anything else is 404.
class FakeFeed : public delivery::MessageSender {
 public:
  delivery::SendResult post(const delivery::OutgoingRequest& request) override {
    asked.push_back(request.method + " " + request.url);
    auto it = pages.find(request.url);
    if (it == pages.end()) return {404, "{}", ""};
    return it->second;
  }
  void page(int n, const std::string& body, int status = 200) {
    pages[kFeedBase + "/services?page=" + std::to_string(n) + "&per_page=100"] = {status, body, ""};
  }
  std::map<std::string, delivery::SendResult> pages;
  std::vector<std::string> asked;
};

// An ORUK 3.0 page of `items` (JSON texts), the n-th of `total`.
std::string page(const std::vector<std::string>& items, int n, int total) {
  std::string body = R"({"total_items":)" + std::to_string(items.size()) + R"(,"total_pages":)" +
                     std::to_string(total) + R"(,"page_number":)" + std::to_string(n) +
                     R"(,"size":)" + std::to_string(items.size()) + R"(,"first_page":)" +
                     (n == 1 ? "true" : "false") + R"(,"last_page":)" +
                     (n == total ? "true" : "false") + R"(,"empty":false,"contents":[)";
  for (std::size_t i = 0; i < items.size(); ++i) body += (i ? "," : "") + items[i];
  return body + "]}";
}

// The full UK example with the service id ending in `suffix` and another name (the same
// organisation and location).
std::string variant(const std::string& suffix, const std::string& name) {
  std::string text = readFile("tests/data/oruk/uk-profile/examples/service_full.json");
  auto replace = [&text](const std::string& from, const std::string& to) {
    for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + 1)) {
      text.replace(pos, from.size(), to);
    }
  };
  replace("ac148810-d857-441c-9679-408f346de14b", "ac148810-d857-441c-9679-408f346de1" + suffix);
  replace("\"Community Counselling\"", "\"" + name + "\"");
  return text;
}

class FeedSyncTest : public RulesTest {
 protected:
  FeedSyncTest() {
    rules_.add("HealthcareService", &directoryEntries_);
    rapidjson::Document config = parse(readFile("mappings/feeds/northvale-council.json"));
    feed_ = mapping::parseOrukFeed("northvale-council", config);
    feed_.baseUrl = kFeedBase;
    category_ = mapping::parseConceptMap(
        parse(readFile("mappings/ConceptMap-oruk-taxonomy-category.json")));
    maps_.category = &category_;
  }

  services::FeedSyncReport sync() { return services::syncFeed(api_, store_, http_, feed_, maps_); }

  // The stored HealthcareService with the feed's id `orukId`, parsed ({} when none).
  rapidjson::Document byFeedId(const std::string& orukId) {
    std::string id;
    store_.inReadOnly([&](store::StoreTransaction& tx) {
      const auto ids = rest::matchCriteria(tx, "HealthcareService",
                                           {{"identifier", kServiceSystem + "|" + orukId}});
      if (ids.size() == 1) id = ids.front();
    });
    return id.empty() ? parse("{}") : stored("HealthcareService", id);
  }

  static std::string versionOf(const rapidjson::Value& resource) {
    return at(resource, "/meta/versionId");
  }

  services::DirectoryEntryRule directoryEntries_;
  mapping::OrukFeed feed_;
  mapping::ConceptMap category_;
  mapping::TaxonomyMaps maps_;
  FakeFeed http_;
};

const std::string kFirst = "ac148810-d857-441c-9679-408f346de14b";
const std::string kSecond = "ac148810-d857-441c-9679-408f346de14b2";

std::string issuesOf(const services::FeedSyncReport& r) {
  std::string text;
  for (const auto& i : r.issues) text += i.expression + ": " + i.diagnostics + "\n";
  return text;
}

TEST_F(FeedSyncTest, ASecondSyncOfAnUnchangedFeedChangesNothing) {
  http_.page(1, page({variant("4b", "Community Counselling")}, 1, 2));
  http_.page(2, page({variant("4b2", "Evening Counselling")}, 2, 2));
  const auto first = sync();
  EXPECT_EQ(first.pages, 2);
  EXPECT_EQ(first.created, 2) << issuesOf(first);
  EXPECT_TRUE(first.complete);
  EXPECT_EQ(http_.asked.front(), "GET " + kFeedBase + "/services?page=1&per_page=100");
  const auto service = byFeedId(kFirst);
  EXPECT_EQ(at(service, "/name"), "Community Counselling");
  EXPECT_EQ(at(service, "/meta/source"), kFeedBase + "/services/" + kFirst);
  EXPECT_EQ(at(service, "/providedBy/reference").rfind("Organization/", 0), 0u);
  EXPECT_EQ(at(service, "/location/0/reference").rfind("Location/", 0), 0u);
  // not yet assured: tagged by the directory entry rule like any incomplete entry
  EXPECT_NE(fhir::writeJson(service["meta"]).find("directory-unassured"), std::string::npos);
  const auto org = stored("Organization", at(service, "/providedBy/reference").substr(13));
  EXPECT_EQ(at(org, "/name"), "Example Organization Inc.");

  const auto second = sync();
  EXPECT_EQ(second.created, 0);
  EXPECT_EQ(second.updated, 0);
  EXPECT_EQ(second.unchanged, 2) << issuesOf(second);
  EXPECT_EQ(versionOf(byFeedId(kFirst)), "1");
  EXPECT_EQ(versionOf(stored("Organization", at(service, "/providedBy/reference").substr(13))),
            "1");
}

TEST_F(FeedSyncTest, AnEditedServiceMakesOneVersionAndARemovedOneTurnsInactive) {
  http_.page(1, page({variant("4b", "Community Counselling")}, 1, 2));
  http_.page(2, page({variant("4b2", "Evening Counselling")}, 2, 2));
  ASSERT_EQ(sync().created, 2);
  http_.page(1, page({variant("4b", "Community Counselling and Support")}, 1, 1));
  http_.pages.erase(kFeedBase + "/services?page=2&per_page=100");
  const auto report = sync();
  EXPECT_EQ(report.updated, 1) << issuesOf(report);
  EXPECT_EQ(report.deactivated, 1);
  const auto edited = byFeedId(kFirst);
  EXPECT_EQ(at(edited, "/name"), "Community Counselling and Support");
  EXPECT_EQ(versionOf(edited), "2");
  const auto removed = byFeedId(kSecond);
  EXPECT_FALSE(removed["active"].GetBool());
  EXPECT_EQ(versionOf(removed), "2");
  const auto again = sync();
  EXPECT_EQ(again.unchanged, 1);
  EXPECT_EQ(again.deactivated, 0);
  EXPECT_EQ(versionOf(byFeedId(kSecond)), "2");
  // back in the feed: active again
  http_.page(1, page({variant("4b", "Community Counselling and Support")}, 1, 2));
  http_.page(2, page({variant("4b2", "Evening Counselling")}, 2, 2));
  EXPECT_EQ(sync().updated, 1);
  EXPECT_TRUE(byFeedId(kSecond)["active"].GetBool());
}

TEST_F(FeedSyncTest, WhatTheDirectoryTeamChangedHereIsNeverOverwritten) {
  http_.page(1, page({variant("4b", "Community Counselling")}, 1, 1));
  ASSERT_EQ(sync().created, 1);
  rapidjson::Document mine = byFeedId(kFirst);
  const std::string id = at(mine, "/id");
  auto& a = mine.GetAllocator();
  fhir::setMember(mine, "name", fhir::makeString("Counselling (checked by phone)", a), a);
  mustPut(kAdmin, "HealthcareService", id, fhir::writeJson(mine));
  http_.page(1, page({variant("4b", "Community Counselling, new name")}, 1, 1));
  const auto report = sync();
  EXPECT_EQ(report.keptLocal, 1) << issuesOf(report);
  EXPECT_EQ(report.updated, 0);
  EXPECT_EQ(at(stored("HealthcareService", id), "/name"), "Counselling (checked by phone)");
  // gone from the feed: still kept as the team left it
  http_.page(1, page({}, 1, 1));
  const auto gone = sync();
  EXPECT_EQ(gone.deactivated, 0);
  EXPECT_TRUE(stored("HealthcareService", id)["active"].GetBool());
}

TEST_F(FeedSyncTest, BadPagesAndServicesAreReportedAndTheRestSyncs) {
  const std::string failing =
      readFile("tests/data/oruk/oruk-validator/Mocks/V3.0-UK-Fail/service_list.json");
  const rapidjson::Document fail = parse(failing);
  std::vector<std::string> items;
  for (const auto& item : fail["contents"].GetArray()) items.push_back(fhir::writeJson(item));
  items.push_back(variant("4b2", "Evening Counselling"));
  http_.page(1, "<html>Service Unavailable</html>");
  http_.page(2, page(items, 2, 2));
  const auto report = sync();
  EXPECT_FALSE(report.complete);
  EXPECT_EQ(report.pages, 1);
  EXPECT_EQ(report.created, 1) << issuesOf(report);
  EXPECT_EQ(report.refused, 4);
  const std::string issues = issuesOf(report);
  EXPECT_NE(issues.find("page 1 (" + kFeedBase + "/services?page=1&per_page=100): not JSON"),
            std::string::npos)
      << issues;
  EXPECT_NE(issues.find("page 2: contents[0].name: name is required"), std::string::npos);
  EXPECT_NE(issues.find("page 2: contents[2].email: email must be a string"), std::string::npos);
  EXPECT_NE(issues.find("page 2: contents[3].email: email must be a string"), std::string::npos)
      << issues;
  EXPECT_NE(report.outcomeJson().find("OperationOutcome"), std::string::npos);
}

TEST_F(FeedSyncTest, AServiceThatTurnsBadIsReportedAndNotMadeInactive) {
  http_.page(1, page({variant("4b", "Community Counselling")}, 1, 1));
  ASSERT_EQ(sync().created, 1);
  std::string bad = variant("4b", "Community Counselling");
  bad.replace(bad.find("\"status\": \"active\""), 18, "\"status\": \"open\"");
  http_.page(1, page({bad}, 1, 1));
  const auto report = sync();
  EXPECT_EQ(report.refused, 1);
  EXPECT_EQ(report.deactivated, 0);
  EXPECT_NE(issuesOf(report).find("page 1: contents[0].status: status 'open' is not one of"),
            std::string::npos)
      << issuesOf(report);
  EXPECT_TRUE(byFeedId(kFirst)["active"].GetBool());
  EXPECT_EQ(versionOf(byFeedId(kFirst)), "1");
}

TEST_F(FeedSyncTest, AnUnreachableFeedIsReportedAndNothingTurnsInactive) {
  http_.page(1, page({variant("4b", "Community Counselling")}, 1, 1));
  ASSERT_EQ(sync().created, 1);
  http_.pages.clear();
  class Down : public delivery::MessageSender {
   public:
    delivery::SendResult post(const delivery::OutgoingRequest&) override {
      return {0, "", "connection refused"};
    }
  } down;
  const auto report = services::syncFeed(api_, store_, down, feed_, maps_);
  EXPECT_FALSE(report.complete);
  EXPECT_EQ(report.deactivated, 0);
  EXPECT_NE(issuesOf(report).find("unreachable: connection refused"), std::string::npos);
  EXPECT_TRUE(byFeedId(kFirst)["active"].GetBool());
}

TEST_F(FeedSyncTest, AV1FeedOfTwoPages) {
  feed_.version = mapping::OrukVersion::kV1;
  http_.page(1, readFile("tests/data/oruk/northvale-v1/services-page-1.json"));
  http_.page(2, readFile("tests/data/oruk/northvale-v1/services-page-2.json"));
  const auto report = sync();
  EXPECT_EQ(report.pages, 2);
  EXPECT_EQ(report.created, 3) << issuesOf(report);
  EXPECT_EQ(at(byFeedId("5b0c6a0e-1f3d-4c1e-9a57-0d6c1f8e2a03"), "/name"), "Carers' Phone Line");
  EXPECT_EQ(sync().unchanged, 3);
}

TEST_F(FeedSyncTest, AFeedThatIgnoresPagingStops) {
  const std::string same = page({variant("4b", "Community Counselling")}, 1, 5);
  for (int n = 1; n <= 5; ++n) http_.page(n, same);
  const auto report = sync();
  EXPECT_EQ(report.pages, 1);
  int pageGets = 0;
  for (const auto& asked : http_.asked)
    pageGets += asked.find("/services?page=") != std::string::npos;
  EXPECT_EQ(pageGets, 2);
  EXPECT_NE(issuesOf(report).find("ignores paging"), std::string::npos);
}

TEST_F(FeedSyncTest, ListItemsAreReadAgainFullyNested) {
  const rapidjson::Document list =
      parse(readFile("tests/data/oruk/uk-profile/examples/service_list.json"));
  http_.page(1, page({fhir::writeJson(list["contents"][0])}, 1, 1));
  const auto withoutDetails = sync();
  EXPECT_EQ(withoutDetails.created, 1);
  EXPECT_NE(issuesOf(withoutDetails).find("answered HTTP 404; the list item is used"),
            std::string::npos)
      << issuesOf(withoutDetails);
  EXPECT_EQ(fhir::findMember(byFeedId(kFirst), "location"), nullptr);
  http_.pages[kFeedBase + "/services/" + kFirst] = {
      200, readFile("tests/data/oruk/uk-profile/examples/service_full.json"), ""};
  const auto withDetails = sync();
  EXPECT_EQ(withDetails.updated, 1) << issuesOf(withDetails);
  EXPECT_EQ(at(byFeedId(kFirst), "/location/0/display"), "MyCity Civic Center");
  EXPECT_EQ(http_.asked.back(), "GET " + kFeedBase + "/services/" + kFirst);
}

// A gate that holds the feeds the test says are busy elsewhere.
class BusyGate : public store::SyncGate {
 public:
  bool begin(const std::string& job, std::chrono::seconds) override {
    if (busy) return false;
    begun.push_back(job);
    return true;
  }
  void finish(const std::string& job) override { finished.push_back(job); }
  bool busy = false;
  std::vector<std::string> begun;
  std::vector<std::string> finished;
};

TEST_F(FeedSyncTest, TheOperationTakesTheGateAndOnlyTheDirectoryTeamMayRunIt) {
  const auto tables =
      mapping::MappingSet::fromFiles({{"ConceptMap-oruk-taxonomy-category.json",
                                       readFile("mappings/ConceptMap-oruk-taxonomy-category.json")},
                                      {"ConceptMap-oruk-taxonomy-cohort.json",
                                       readFile("mappings/ConceptMap-oruk-taxonomy-cohort.json")},
                                      {"partners.json", R"({"partners":[]})"}},
                                     "test", nullptr);
  services::FeedSyncOperation operation(store_, api_, http_, {feed_}, tables);
  BusyGate gate;
  operation.useGate(&gate);
  http_.page(1, page({variant("4b", "Community Counselling")}, 1, 1));
  rest::RestRequest request;
  request.method = "POST";
  request.path = "/HealthcareService/$sync-feed";
  request.query = {{"feed", "northvale-council"}};
  const auto done = operation.handle(request, security::Caller::development());
  EXPECT_EQ(done.status, 200);
  EXPECT_NE(done.body.find("1 created"), std::string::npos) << done.body;
  EXPECT_EQ(gate.begun, std::vector<std::string>{"directory-feed:northvale-council"});
  EXPECT_EQ(gate.finished, gate.begun);
  gate.busy = true;
  const auto busy = operation.handle(request, security::Caller::development());
  EXPECT_NE(busy.body.find("being synced now"), std::string::npos) << busy.body;
  // Only the directory administrator (or the development caller) may sync.
  const security::Organisation* gp = registry().find(kGp);
  ASSERT_NE(gp, nullptr);
  try {
    operation.handle(request, security::Caller::organisation(*gp, "CN=" + kGp));
    FAIL() << "a GP practice synced a feed";
  } catch (const fhir::FhirError& e) {
    EXPECT_EQ(e.kind(), fhir::ErrorKind::kForbidden);
  }
  // An unknown feed, an unknown parameter: 404 and 400.
  request.query = {{"feed", "nowhere"}};
  try {
    operation.handle(request, security::Caller::development());
    FAIL();
  } catch (const fhir::FhirError& e) {
    EXPECT_EQ(e.kind(), fhir::ErrorKind::kNotFound);
  }
  request.query = {{"since", "yesterday"}};
  try {
    operation.handle(request, security::Caller::development());
    FAIL();
  } catch (const fhir::FhirError& e) {
    EXPECT_EQ(e.kind(), fhir::ErrorKind::kInvalid);
  }
}

TEST(FeedFingerprint, IgnoresMetaAndId) {
  EXPECT_EQ(services::feedFingerprint(parse(R"({"a":1,"meta":{"versionId":"2"},"id":"x"})")),
            services::feedFingerprint(parse(R"({"a":1})")));
  EXPECT_NE(services::feedFingerprint(parse(R"({"a":1})")),
            services::feedFingerprint(parse(R"({"a":2})")));
  EXPECT_EQ(services::feedFingerprint(parse(R"({"a":1})")).size(), 16u);
}

}  // namespace
}  // namespace sp::testing::rules
