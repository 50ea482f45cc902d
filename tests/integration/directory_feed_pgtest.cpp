// Directory feeds end to end (issue 22, docs/directory-feeds.md): a local feed server serves the
// vendored Open Referral UK examples (tests/data/oruk/) as ORUK 3.0 pages and the project's own
// ORUK v1 pages; the real server behind the TLS edge syncs them on
// POST HealthcareService/$sync-feed as the directory team, against PostgreSQL. One sync creates
// the entries (field by field as docs/directory-feeds.md maps them), a second changes nothing, an
// edited service makes one version, a removed one turns inactive, and the validator's failing
// mocks, a page that is not JSON and an unreachable feed are reported with their position.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "json_helpers.h"
#include "message_receiver.h"

namespace sp::testing {
namespace {

const std::string kSystemBase = "https://feeds.test/";
const std::string kFullId = "ac148810-d857-441c-9679-408f346de14b";

std::string readData(const std::string& name) {
  std::ifstream in(sourceDir() + "/tests/data/oruk/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// An ORUK 3.0 page around `items`, the n-th of `total`.
std::string page(const std::vector<std::string>& items, int n, int total) {
  std::string body = R"({"total_items":)" + std::to_string(items.size()) + R"(,"total_pages":)" +
                     std::to_string(total) + R"(,"page_number":)" + std::to_string(n) +
                     R"(,"size":)" + std::to_string(items.size()) + R"(,"first_page":)" +
                     (n == 1 ? "true" : "false") + R"(,"last_page":)" +
                     (n == total ? "true" : "false") + R"(,"empty":false,"contents":[)";
  for (std::size_t i = 0; i < items.size(); ++i) body += (i ? "," : "") + items[i];
  return body + "]}";
}

std::string target(const std::string& feed, int n) {
  return "/" + feed + "/services?page=" + std::to_string(n) + "&per_page=100";
}

// The diagnostics of an OperationOutcome's issues, one line each: "severity expression: text".
std::string issuesOf(const std::string& outcome) {
  std::string text;
  const rapidjson::Document doc = parse(outcome);
  if (!doc.IsObject() || !doc.HasMember("issue")) return outcome;
  for (const auto& issue : doc["issue"].GetArray()) {
    text += at(issue, "/severity") + " " + at(issue, "/expression/0") + ": " +
            at(issue, "/diagnostics") + "\n";
  }
  return text;
}

class DirectoryFeeds : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    feedServer_ = std::make_unique<MessageReceiver>();
    mappings_ = makeTempDir("sp-feed-mappings");
    std::filesystem::copy(sourceDir() + "/mappings", mappings_,
                          std::filesystem::copy_options::recursive);
    writeFeed("local-v3", "3.0", feedServer_->url("/local-v3"));
    writeFeed("local-v1", "1.0", feedServer_->url("/local-v1"));
    writeFeed("local-broken", "3.0", feedServer_->url("/local-broken"));
    writeFeed("local-down", "3.0", "http://127.0.0.1:" + std::to_string(freeLoopbackPort()));
    database_ = PostgresCluster::shared().freshDatabase();
    directoryPort_ = freeLoopbackPort();
    server_ = std::make_unique<ServerProcess>(
        database_, ServerOptions{true,
                                 {"--quiet", "--mappings-dir", mappings_, "--directory-port",
                                  std::to_string(directoryPort_)}});
  }
  static void TearDownTestSuite() {
    server_.reset();
    feedServer_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(mappings_, ignored);
  }

  static void writeFeed(const std::string& id, const std::string& version,
                        const std::string& baseUrl) {
    std::ofstream(mappings_ + "/feeds/" + id + ".json")
        << R"({"description":"A local test feed","baseUrl":")" << baseUrl << R"(","version":")"
        << version << R"(","partner":"ADM0001","identifierBase":")" << kSystemBase << id
        << R"(","conceptMaps":{"category":)"
        << R"("https://fhir.social-prescribing.example.org/ConceptMap/oruk-taxonomy-category"}})";
  }

  static HttpClient as(const std::string& slug) {
    const Certificates& certs = testCertificates();
    return HttpClient(server_->baseUrl(),
                      TlsOptions{certs.ca(), certs.cert(slug), certs.key(slug)});
  }

  static HttpResponse sync(const std::string& feed, const std::string& slug = "admin") {
    return as(slug).request("POST", "/HealthcareService/$sync-feed?feed=" + feed);
  }

  // The current HealthcareService of feed `feed` with ORUK id `id` (the search's only match).
  static std::string service(const std::string& feed, const std::string& id) {
    const HttpResponse r =
        as("admin").get("/HealthcareService?identifier=" + kSystemBase + feed + "/service|" + id);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(arraySize(r.body, "/entry"), 1u) << r.body;
    const rapidjson::Document doc = parse(r.body);
    return doc.HasMember("entry") && doc["entry"].Size() > 0 ? write(doc["entry"][0]["resource"])
                                                             : "{}";
  }

  // The public directory of server_: plain HTTP, no certificate.
  static HttpClient anyone(int port = 0) {
    return HttpClient("http://127.0.0.1:" + std::to_string(port ? port : directoryPort_));
  }

  // Syncs local-v3 with the full example served nested, as the publishing tests start.
  static void syncFullExample() {
    feedServer_->servePage(target("local-v3", 1),
                           page({readData("uk-profile/examples/service_full.json")}, 1, 2));
    feedServer_->servePage(target("local-v3", 2),
                           readData("oruk-validator/Mocks/V3.0-UK-Fail/service_list.json"));
    feedServer_->servePage("/local-v3/services/" + kFullId,
                           readData("uk-profile/examples/service_full.json"));
    ASSERT_EQ(sync("local-v3").status, 200);
  }

  static inline std::unique_ptr<MessageReceiver> feedServer_;
  static inline int directoryPort_ = 0;
  static inline std::string mappings_;
  static inline std::string database_;
  static inline std::unique_ptr<ServerProcess> server_;
};

TEST_F(DirectoryFeeds, AV3FeedSyncsOnceAndASecondSyncChangesNothing) {
  // Page 1: the fully nested UK example; page 2: the validator's failing list, as published.
  feedServer_->servePage(target("local-v3", 1),
                         page({readData("uk-profile/examples/service_full.json")}, 1, 2));
  feedServer_->servePage(target("local-v3", 2),
                         readData("oruk-validator/Mocks/V3.0-UK-Fail/service_list.json"));
  const HttpResponse first = sync("local-v3");
  ASSERT_EQ(first.status, 200) << first.body;
  const std::string report = issuesOf(first.body);
  EXPECT_NE(report.find("feed local-v3: 2 pages, 5 services: 1 created, 0 updated, 0 unchanged, "
                        "0 kept as changed here, 4 refused, 0 made inactive"),
            std::string::npos)
      << report;
  // The failing mock: each service named with its position, the rest synced.
  for (const char* where : {"page 2: contents[0].name", "page 2: contents[1].email",
                            "page 2: contents[2].email", "page 2: contents[3].email"}) {
    EXPECT_NE(report.find(std::string("error feed local-v3, ") + where), std::string::npos)
        << where << "\n"
        << report;
  }

  const std::string hs = service("local-v3", kFullId);
  EXPECT_EQ(at(hs, "/name"), "Community Counselling");
  EXPECT_TRUE(parse(hs)["active"].GetBool());
  EXPECT_EQ(at(hs, "/meta/source"), feedServer_->url("/local-v3") + "/services/" + kFullId);
  EXPECT_EQ(at(hs, "/meta/versionId"), "1");
  const auto tagList = tags(hs);
  EXPECT_NE(std::find(tagList.begin(), tagList.end(),
                      "https://fhir.social-prescribing.example.org/CodeSystem/"
                      "hub-derived|directory-unassured"),
            tagList.end());
  EXPECT_EQ(at(hs, "/extension/0/valueInstant"), "2023-03-15T10:30:45.123Z");
  EXPECT_EQ(at(hs, "/telecom/1/value"), "email@example.com");
  EXPECT_EQ(at(hs, "/availableTime/0/availableStartTime"), "10:00:00");
  EXPECT_EQ(at(hs, "/category/0/coding/0/code"), "22");
  // audited as the adapter, with the feed as the correlation id
  const HttpResponse audit =
      as("admin").get("/AuditEvent?entity-type=HealthcareService&entity-id=" + at(hs, "/id"));
  ASSERT_EQ(audit.status, 200) << audit.body;
  EXPECT_NE(audit.body.find("directory-feed:local-v3"), std::string::npos) << audit.body;
  // providedBy and location point at the stored Organization and Location
  const HttpResponse org = as("admin").get("/" + at(hs, "/providedBy/reference"));
  ASSERT_EQ(org.status, 200) << at(hs, "/providedBy/reference");
  EXPECT_EQ(at(org.body, "/name"), "Example Organization Inc.");
  EXPECT_EQ(at(org.body, "/identifier/1/system"), "https://org-id.guide/list/GB-COH");
  const HttpResponse location = as("admin").get("/" + at(hs, "/location/0/reference"));
  ASSERT_EQ(location.status, 200);
  EXPECT_EQ(at(location.body, "/address/postalCode"), "ABC 1234");

  const HttpResponse second = sync("local-v3");
  ASSERT_EQ(second.status, 200);
  EXPECT_NE(issuesOf(second.body).find("1 unchanged"), std::string::npos) << second.body;
  EXPECT_EQ(at(service("local-v3", kFullId), "/meta/versionId"), "1");
  EXPECT_EQ(at(as("admin").get("/" + at(hs, "/providedBy/reference")).body, "/meta/versionId"),
            "1");
}

TEST_F(DirectoryFeeds, AV1FeedEditedAndShortenedMakesOneVersionAndAnInactiveEntry) {
  feedServer_->servePage(target("local-v1", 1), readData("northvale-v1/services-page-1.json"));
  feedServer_->servePage(target("local-v1", 2), readData("northvale-v1/services-page-2.json"));
  const HttpResponse first = sync("local-v1");
  ASSERT_EQ(first.status, 200);
  EXPECT_NE(issuesOf(first.body).find("2 pages, 3 services: 3 created"), std::string::npos)
      << first.body;
  const std::string walks = "5b0c6a0e-1f3d-4c1e-9a57-0d6c1f8e2a01";
  const std::string phone = "5b0c6a0e-1f3d-4c1e-9a57-0d6c1f8e2a03";
  EXPECT_EQ(at(service("local-v1", walks), "/name"), "Tuesday Health Walks");

  // The walk is renamed and the last page goes: one new version each, nothing deleted.
  std::string edited = readData("northvale-v1/services-page-1.json");
  edited.replace(edited.find("Tuesday Health Walks"), 20, "Tuesday Riverside Walks");
  edited.replace(edited.find("\"last\": false"), 13, "\"last\": true");
  feedServer_->servePage(target("local-v1", 1), edited);
  const HttpResponse second = sync("local-v1");
  EXPECT_NE(issuesOf(second.body)
                .find("1 pages, 2 services: 0 created, 1 updated, 1 unchanged, "
                      "0 kept as changed here, 0 refused, 1 made inactive"),
            std::string::npos)
      << second.body;
  const std::string renamed = service("local-v1", walks);
  EXPECT_EQ(at(renamed, "/name"), "Tuesday Riverside Walks");
  EXPECT_EQ(at(renamed, "/meta/versionId"), "2");
  const std::string gone = service("local-v1", phone);
  EXPECT_FALSE(parse(gone)["active"].GetBool());
  EXPECT_EQ(at(gone, "/meta/versionId"), "2");
  // And again: nothing changes.
  const HttpResponse third = sync("local-v1");
  EXPECT_NE(issuesOf(third.body).find("2 unchanged"), std::string::npos) << third.body;
  EXPECT_EQ(at(service("local-v1", phone), "/meta/versionId"), "2");
}

TEST_F(DirectoryFeeds, APageThatIsNotJsonAndAnUnreachableFeedAreReported) {
  feedServer_->servePage(target("local-broken", 1), "<html><body>Bad gateway</body></html>");
  feedServer_->servePage(target("local-broken", 2),
                         page({readData("uk-profile/examples/service_full.json")}, 2, 2));
  const HttpResponse broken = sync("local-broken");
  ASSERT_EQ(broken.status, 200);
  const std::string report = issuesOf(broken.body);
  EXPECT_NE(report.find("error feed local-broken, page 1 (" + feedServer_->url("/local-broken") +
                        "/services?page=1&per_page=100): not JSON"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("1 pages, 1 services: 1 created"), std::string::npos) << report;
  EXPECT_NE(report.find("not read whole"), std::string::npos);

  const HttpResponse down = sync("local-down");
  ASSERT_EQ(down.status, 200);
  EXPECT_NE(issuesOf(down.body).find("unreachable"), std::string::npos) << down.body;
}

TEST_F(DirectoryFeeds, OnlyTheDirectoryTeamSyncsAndBadRequestsGetAnOutcome) {
  const HttpResponse gp = sync("local-v3", "gp");
  EXPECT_EQ(gp.status, 403);
  EXPECT_EQ(at(gp.body, "/resourceType"), "OperationOutcome");
  const HttpResponse unknown = sync("no-such-feed");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(at(unknown.body, "/resourceType"), "OperationOutcome");
  const HttpResponse bad = as("admin").request("POST", "/HealthcareService/$sync-feed?url=x");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(at(bad.body, "/resourceType"), "OperationOutcome");
  const HttpResponse get = as("admin").get("/HealthcareService/$sync-feed?feed=local-v3");
  EXPECT_EQ(get.status, 405);
}

// The problems check_oruk_schema.py finds in `answer` against `schema` (tests/data/oruk/...).
std::string schemaProblems(const std::string& schema, const std::string& answer, bool page) {
  const std::string dir = makeTempDir("sp-oruk-schema");
  { std::ofstream(dir + "/answer.json") << answer; }
  const std::string command = "python3 " + sourceDir() + "/tests/support/check_oruk_schema.py " +
                              sourceDir() + "/tests/data/oruk/" + schema + " " + dir +
                              "/answer.json" + (page ? " --page" : "") + " > " + dir +
                              "/problems.txt 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(dir + "/problems.txt");
  std::stringstream text;
  text << in.rdbuf();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return status == 0 ? "" : "exit " + std::to_string(status) + ":\n" + text.str();
}

// Every "id"-like member and last_modified removed, recursively: what two directories that hold
// the same services share, whatever ids each gave them.
void withoutIds(rapidjson::Value& v) {
  if (v.IsArray()) {
    for (auto& item : v.GetArray()) withoutIds(item);
    return;
  }
  if (!v.IsObject()) return;
  for (const char* name : {"id", "service_id", "location_id", "link_id", "organization_id",
                           "taxonomy_term_id", "last_modified"}) {
    if (v.HasMember(name)) v.EraseMember(name);
  }
  for (auto& m : v.GetObject()) withoutIds(m.value);
}

std::vector<std::string> servicesOf(HttpClient& directory) {
  std::vector<std::string> out;
  const HttpResponse list = directory.get("/services?per_page=500");
  EXPECT_EQ(list.status, 200) << list.body;
  rapidjson::Document doc = parse(list.body);
  for (auto& item : doc["contents"].GetArray()) {
    const HttpResponse nested = directory.get("/services/" + at(item, "/id"));
    EXPECT_EQ(nested.status, 200) << nested.body;
    rapidjson::Document full = parse(nested.body);
    withoutIds(full);
    out.push_back(write(full));
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST_F(DirectoryFeeds, ThePublicDirectoryNeedsNoCertificateAndAllowsAnyOrigin) {
  syncFullExample();
  HttpClient open = anyone();
  const HttpResponse details = open.get("/");
  ASSERT_EQ(details.status, 200) << details.error;
  EXPECT_EQ(details.header("access-control-allow-origin"), "*");
  EXPECT_EQ(at(details.body, "/version"), "HSDS-UK-3.0");
  const HttpResponse services = open.get("/services?search=counselling");
  ASSERT_EQ(services.status, 200);
  EXPECT_EQ(services.header("access-control-allow-origin"), "*");
  EXPECT_EQ(at(services.body, "/contents/0/name"), "Community Counselling");
  EXPECT_TRUE(parse(open.get("/services?search=no-such-thing").body)["empty"].GetBool());
  const HttpResponse terms = open.get("/taxonomy_terms");
  ASSERT_EQ(terms.status, 200);
  EXPECT_EQ(at(terms.body, "/contents/0/term"), "name");
  const std::string termId = at(terms.body, "/contents/0/id");
  EXPECT_EQ(open.get("/taxonomy_terms/" + termId).status, 200);
  const HttpResponse byTerm = open.get("/services?taxonomy_term_id=" + termId);
  EXPECT_EQ(at(byTerm.body, "/contents/0/name"), "Community Counselling");
  EXPECT_EQ(open.get("/taxonomies").status, 200);
  // Each service at each of its locations, by postcode.
  const HttpResponse here = open.get("/service_at_locations?postcode=abc%201234");
  ASSERT_EQ(here.status, 200) << here.body;
  EXPECT_EQ(at(here.body, "/contents/0/location/name"), "MyCity Civic Center") << here.body;
  EXPECT_EQ(at(here.body, "/contents/0/service/name"), "Community Counselling");
  EXPECT_TRUE(parse(open.get("/service_at_locations?postcode=ZZ9").body)["empty"].GetBool());
  const HttpResponse one = open.get("/service_at_locations/" + at(here.body, "/contents/0/id"));
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(open.get("/service_at_locations?proximity=100").status, 400);
}

TEST_F(DirectoryFeeds, NothingButTheDirectoryIsReachableThere) {
  HttpClient open = anyone();
  // The FHIR API's paths are not served there, whatever the resource.
  for (const char* path : {"/Patient", "/ServiceRequest", "/Task/x", "/HealthcareService",
                           "/metadata", "/$process-message", "/reports", "/services/x/y/z"}) {
    const HttpResponse r = open.get(path);
    EXPECT_EQ(r.status, 404) << path;
    EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome") << path;
  }
  // A Task's or Patient's id as a service: not a HealthcareService, not found.
  const HttpResponse created = as("gp").send(
      "POST", "/Patient", R"({"resourceType":"Patient","name":[{"family":"Private"}]})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(open.get("/services/" + at(created.body, "/id")).status, 404);
  EXPECT_EQ(open.get("/services").body.find("Private"), std::string::npos);
  // Read-only, and every bad input a 4xx with an OperationOutcome.
  const HttpResponse post = open.send("POST", "/services", "{}");
  EXPECT_EQ(post.status, 405);
  EXPECT_EQ(at(post.body, "/resourceType"), "OperationOutcome");
  for (const char* query :
       {"/services?page=0", "/services?per_page=x", "/services?day=XX", "/services?minimum_age=old",
        "/services?start_time=9", "/services?colour=red", "/taxonomies?search=x"}) {
    const HttpResponse r = open.get(query);
    EXPECT_EQ(r.status, 400) << query;
    EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome") << query;
  }
  // The FHIR API still asks for a certificate: plain HTTP to it is not served at all.
  EXPECT_NE(HttpClient("http://127.0.0.1:" + std::to_string(server_->adapterPort()))
                .get("/Patient")
                .status,
            200);
}

TEST_F(DirectoryFeeds, WhatIsPublishedMeetsTheUkSchemas) {
  syncFullExample();
  HttpClient open = anyone();
  const HttpResponse list = open.get("/services?per_page=500");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(schemaProblems("uk-profile/schema/compiled/service_list.json", list.body, true), "");
  const rapidjson::Document doc = parse(list.body);
  ASSERT_GT(doc["contents"].Size(), 0u);
  for (const auto& item : doc["contents"].GetArray()) {
    const HttpResponse nested = open.get("/services/" + at(item, "/id"));
    ASSERT_EQ(nested.status, 200);
    EXPECT_EQ(schemaProblems("uk-profile/schema/compiled/service.json", nested.body, false), "")
        << at(item, "/name");
  }
  const HttpResponse atLocations = open.get("/service_at_locations?per_page=500");
  ASSERT_EQ(atLocations.status, 200);
  EXPECT_EQ(schemaProblems("uk-profile/schema/compiled/service_at_location_list.json",
                           atLocations.body, true),
            "");
  const std::string first = at(atLocations.body, "/contents/0/id");
  ASSERT_NE(first, "<none>");
  EXPECT_EQ(schemaProblems("uk-profile/schema/compiled/service_at_location.json",
                           open.get("/service_at_locations/" + first).body, false),
            "");
}

TEST_F(DirectoryFeeds, ImportingOurOwnFeedIntoAnEmptyDatabaseGivesTheSameDirectory) {
  syncFullExample();
  // A second hub, empty, whose only feed is the first hub's public directory.
  const std::string mappings = makeTempDir("sp-own-feed");
  std::filesystem::copy(sourceDir() + "/mappings", mappings,
                        std::filesystem::copy_options::recursive);
  std::ofstream(mappings + "/feeds/own.json")
      << R"({"baseUrl":"http://127.0.0.1:)" << directoryPort_
      << R"(","version":"3.0","partner":"ADM0001","identifierBase":"https://feeds.test/own",)"
      << R"("conceptMaps":{"category":)"
      << R"("https://fhir.social-prescribing.example.org/ConceptMap/oruk-taxonomy-category"}})";
  const int secondPort = freeLoopbackPort();
  ServerProcess second(PostgresCluster::shared().freshDatabase(),
                       ServerOptions{true,
                                     {"--quiet", "--mappings-dir", mappings, "--directory-port",
                                      std::to_string(secondPort)}});
  const Certificates& certs = testCertificates();
  HttpClient admin(second.baseUrl(),
                   TlsOptions{certs.ca(), certs.cert("admin"), certs.key("admin")});
  const HttpResponse synced = admin.request("POST", "/HealthcareService/$sync-feed?feed=own");
  ASSERT_EQ(synced.status, 200);
  EXPECT_EQ(issuesOf(synced.body).find("error"), std::string::npos) << issuesOf(synced.body);
  HttpClient first = anyone();
  HttpClient again = anyone(secondPort);
  EXPECT_EQ(servicesOf(again), servicesOf(first));
  std::error_code ignored;
  std::filesystem::remove_all(mappings, ignored);
}

TEST_F(DirectoryFeeds, TwoAdaptersSyncAFeedByThemselvesOncePerInterval) {
  const std::string mappings = makeTempDir("sp-tick-feed");
  std::filesystem::copy(sourceDir() + "/mappings", mappings,
                        std::filesystem::copy_options::recursive);
  std::filesystem::remove(mappings + "/feeds/northvale-council.json");  // not reachable here
  std::ofstream(mappings + "/feeds/tick.json")
      << R"({"baseUrl":")" << feedServer_->url("/tick")
      << R"(","version":"1.0","partner":"ADM0001","identifierBase":"https://feeds.test/tick"})";
  feedServer_->servePage(target("tick", 1), readData("northvale-v1/services-page-1.json"));
  feedServer_->servePage(target("tick", 2), readData("northvale-v1/services-page-2.json"));
  auto firstPages = [] {
    std::size_t n = 0;
    for (const auto& r : feedServer_->received()) {
      n += r.method == "GET" && r.path == target("tick", 1) ? 1 : 0;
    }
    return n;
  };
  const std::string database = PostgresCluster::shared().freshDatabase();
  const std::vector<std::string> args = {"--quiet", "--mappings-dir", mappings,
                                         "--feed-sync-seconds", "2"};
  ServerProcess one(database, ServerOptions{true, args});
  ServerProcess two(database, ServerOptions{true, args});
  ASSERT_TRUE(waitUntil([&] { return firstPages() >= 1; }));
  const std::size_t before = firstPages();
  std::this_thread::sleep_for(std::chrono::seconds(5));
  const std::size_t during = firstPages() - before;
  // Every 2 s between the two of them: 2 or 3 syncs in 5 s (each process alone, unchecked,
  // would look every 200 ms).
  EXPECT_GE(during, 1u);
  EXPECT_LE(during, 3u);
  const Certificates& certs = testCertificates();
  HttpClient admin(one.baseUrl(), TlsOptions{certs.ca(), certs.cert("admin"), certs.key("admin")});
  const HttpResponse found =
      admin.get("/HealthcareService?identifier=https://feeds.test/tick/service|");
  EXPECT_EQ(arraySize(found.body, "/entry"), 3u) << found.body;
  std::error_code ignored;
  std::filesystem::remove_all(mappings, ignored);
}

}  // namespace
}  // namespace sp::testing
