// Concurrent writers against one database: optimistic locking with If-Match, conditional
// create, and create-by-PUT of one id, within one server process and across two.
#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "json_helpers.h"
#include "sample_resources.h"
#include "start_gate.h"

namespace sp::testing {
namespace {

constexpr int kThreads = 8;
constexpr int kRounds = 3;

// Runs `work(i, client)` on kThreads threads at once; thread i talks to baseUrls[i % size].
// Each client opens its connection (GET /metadata) before the gate, so the requests under test
// leave together. Returns the responses in thread order.
std::vector<HttpResponse> runTogether(const std::vector<std::string>& baseUrls,
                                      const std::function<HttpResponse(int, HttpClient&)>& work) {
  std::vector<HttpResponse> responses(kThreads);
  StartGate gate(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      HttpClient client(baseUrls[i % baseUrls.size()]);
      client.get("/metadata");
      gate.arriveAndWait();
      responses[i] = work(i, client);
    });
  }
  for (auto& t : threads) t.join();
  return responses;
}

std::string describe(const std::vector<HttpResponse>& responses) {
  std::string text;
  for (std::size_t i = 0; i < responses.size(); ++i) {
    text += "thread " + std::to_string(i) + ": " + std::to_string(responses[i].status) + " " +
            responses[i].error + " " + responses[i].body.substr(0, 300) + "\n";
  }
  return text;
}

int countStatus(const std::vector<HttpResponse>& responses, long status) {
  return static_cast<int>(
      std::count_if(responses.begin(), responses.end(),
                    [status](const HttpResponse& r) { return r.status == status; }));
}

// The versionIds in an instance history, oldest first.
std::vector<std::string> historyVersions(HttpClient& client, const std::string& path) {
  HttpResponse r = client.get(path + "/_history?_count=500");
  EXPECT_EQ(r.status, 200) << r.body;
  std::vector<std::string> versions;
  const std::size_t n = arraySize(r.body, "/entry");
  for (std::size_t i = 0; i < n; ++i) {
    const std::string pointer = "/entry/" + std::to_string(i) + "/response/etag";
    versions.push_back(at(r.body, pointer.c_str()));
  }
  std::reverse(versions.begin(), versions.end());
  return versions;
}

// How many resources of the type currently carry an identifier with this value, and their ids
// (from the type history: the latest version of each id decides).
std::set<std::string> idsWithIdentifier(HttpClient& client, const std::string& type,
                                        const std::string& value) {
  HttpResponse r = client.get("/" + type + "/_history?_count=500");
  EXPECT_EQ(r.status, 200) << r.body;
  rapidjson::Document doc = parse(r.body);
  std::set<std::string> seen;
  std::set<std::string> matching;
  const rapidjson::Value* entries = rapidjson::Pointer("/entry").Get(doc);
  if (!entries || !entries->IsArray()) return matching;
  EXPECT_LT(entries->Size(), 500u);
  for (const auto& e : entries->GetArray()) {  // newest first
    const std::string id = at(e, "/resource/id");
    if (id.empty() || !seen.insert(id).second) continue;
    if (at(e, "/resource/identifier/0/value") == value) matching.insert(id);
  }
  return matching;
}

void expectOneWinnerOfIfMatchRace(const std::vector<std::string>& baseUrls, HttpClient& client,
                                  const std::string& label) {
  for (int round = 0; round < kRounds; ++round) {
    HttpResponse created =
        client.send("POST", "/Patient", R"({"resourceType":"Patient","gender":"unknown"})");
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = at(created.body, "/id");
    const auto responses = runTogether(baseUrls, [&](int i, HttpClient& c) {
      const std::string body = R"({"resourceType":"Patient","id":")" + id +
                               R"(","name":[{"family":"Writer)" + std::to_string(i) + R"("}]})";
      return c.send("PUT", "/Patient/" + id, body, {"If-Match: W/\"1\""});
    });
    EXPECT_EQ(countStatus(responses, 200), 1) << label << "\n" << describe(responses);
    EXPECT_EQ(countStatus(responses, 412), kThreads - 1) << label << "\n" << describe(responses);
    for (const auto& r : responses) {
      if (r.status == 412) {
        EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome") << r.body;
        EXPECT_EQ(at(r.body, "/issue/0/code"), "conflict") << r.body;
      }
    }
    HttpResponse read = client.get("/Patient/" + id);
    ASSERT_EQ(read.status, 200);
    EXPECT_EQ(at(read.body, "/meta/versionId"), "2") << read.body;
    // The stored version is the winner's.
    for (int i = 0; i < kThreads; ++i) {
      if (responses[i].status == 200) {
        EXPECT_EQ(at(read.body, "/name/0/family"), "Writer" + std::to_string(i));
        EXPECT_EQ(at(responses[i].body, "/meta/versionId"), "2");
      }
    }
    EXPECT_EQ(historyVersions(client, "/Patient/" + id),
              (std::vector<std::string>{"W/\"1\"", "W/\"2\""}))
        << label;
  }
}

void expectOneConditionalCreate(const std::vector<std::string>& baseUrls, HttpClient& client,
                                const std::string& value) {
  const std::string json =
      R"({"resourceType":"Organization","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":")" +
      value + R"("}],"name":"Carers Circle"})";
  const std::string condition =
      "If-None-Exist: identifier=https://fhir.nhs.uk/Id/ods-organization-code|" + value;
  const auto responses = runTogether(baseUrls, [&](int, HttpClient& c) {
    return c.send("POST", "/Organization", json, {condition});
  });
  EXPECT_EQ(countStatus(responses, 201), 1) << describe(responses);
  EXPECT_EQ(countStatus(responses, 200), kThreads - 1) << describe(responses);
  std::set<std::string> ids;
  for (const auto& r : responses) ids.insert(at(r.body, "/id"));
  EXPECT_EQ(ids.size(), 1u) << describe(responses);
  const std::set<std::string> stored = idsWithIdentifier(client, "Organization", value);
  EXPECT_EQ(stored, ids);
  for (const auto& id : ids) {
    EXPECT_EQ(at(client.get("/Organization/" + id).body, "/meta/versionId"), "1");
  }
}

void expectSerialCreatesByPut(const std::vector<std::string>& baseUrls, HttpClient& client,
                              const std::string& id) {
  const auto responses = runTogether(baseUrls, [&](int i, HttpClient& c) {
    const std::string body = R"({"resourceType":"Patient","id":")" + id +
                             R"(","name":[{"family":"Putter)" + std::to_string(i) + R"("}]})";
    return c.send("PUT", "/Patient/" + id, body);
  });
  EXPECT_EQ(countStatus(responses, 201), 1) << describe(responses);
  EXPECT_EQ(countStatus(responses, 200), kThreads - 1) << describe(responses);
  // Every writer got its own version number, 1..N.
  std::set<std::string> versions;
  for (const auto& r : responses) versions.insert(at(r.body, "/meta/versionId"));
  std::set<std::string> expected;
  for (int v = 1; v <= kThreads; ++v) expected.insert(std::to_string(v));
  EXPECT_EQ(versions, expected) << describe(responses);
  std::vector<std::string> etags;
  for (int v = 1; v <= kThreads; ++v) etags.push_back("W/\"" + std::to_string(v) + "\"");
  EXPECT_EQ(historyVersions(client, "/Patient/" + id), etags);
  HttpResponse read = client.get("/Patient/" + id);
  EXPECT_EQ(at(read.body, "/meta/versionId"), std::to_string(kThreads));
}

// Concurrent JSON Patches of one existing resource: each appends its own name, so every patch
// must apply on top of the others (none lost, none answered "not found").
void expectAllPatchesApply(const std::vector<std::string>& baseUrls, HttpClient& client) {
  for (int round = 0; round < kRounds; ++round) {
    HttpResponse created = client.send(
        "POST", "/Patient", R"({"resourceType":"Patient","name":[{"family":"Original"}]})");
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = at(created.body, "/id");
    const auto responses = runTogether(baseUrls, [&](int i, HttpClient& c) {
      return c.request("PATCH", "/Patient/" + id,
                       R"([{"op":"add","path":"/name/-","value":{"family":"Patcher)" +
                           std::to_string(i) + R"("}}])",
                       {"Content-Type: application/json-patch+json"});
    });
    EXPECT_EQ(countStatus(responses, 200), kThreads) << describe(responses);
    HttpResponse read = client.get("/Patient/" + id);
    EXPECT_EQ(at(read.body, "/meta/versionId"), std::to_string(kThreads + 1)) << read.body;
    EXPECT_EQ(arraySize(read.body, "/name"), static_cast<std::size_t>(kThreads + 1)) << read.body;
    EXPECT_EQ(historyVersions(client, "/Patient/" + id).size(),
              static_cast<std::size_t>(kThreads + 1));
  }
}

// Concurrent unconditional updates of one existing resource: all succeed, versions 2..N+1.
void expectAllUpdatesApply(const std::vector<std::string>& baseUrls, HttpClient& client) {
  for (int round = 0; round < kRounds; ++round) {
    HttpResponse created = client.send("POST", "/Patient", R"({"resourceType":"Patient"})");
    ASSERT_EQ(created.status, 201) << created.body;
    const std::string id = at(created.body, "/id");
    const auto responses = runTogether(baseUrls, [&](int i, HttpClient& c) {
      return c.send("PUT", "/Patient/" + id,
                    R"({"resourceType":"Patient","id":")" + id + R"(","name":[{"family":"Updater)" +
                        std::to_string(i) + R"("}]})");
    });
    EXPECT_EQ(countStatus(responses, 200), kThreads) << describe(responses);
    std::set<std::string> versions;
    for (const auto& r : responses) versions.insert(at(r.body, "/meta/versionId"));
    EXPECT_EQ(versions.size(), static_cast<std::size_t>(kThreads)) << describe(responses);
    EXPECT_EQ(at(client.get("/Patient/" + id).body, "/meta/versionId"),
              std::to_string(kThreads + 1));
  }
}

class Concurrency : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(
        PostgresCluster::shared().freshDatabase(),
        ServerOptions{false, {"--threads", std::to_string(kThreads), "--quiet"}});
  }
  static void TearDownTestSuite() { server_.reset(); }

  HttpClient client_{server_->baseUrl()};
  static std::unique_ptr<ServerProcess> server_;
};

std::unique_ptr<ServerProcess> Concurrency::server_;

TEST_F(Concurrency, IfMatchRaceHasExactlyOneWinner) {
  expectOneWinnerOfIfMatchRace({server_->baseUrl()}, client_, "one server");
}

TEST_F(Concurrency, ConditionalCreatesMakeOneResource) {
  for (int round = 0; round < kRounds; ++round) {
    expectOneConditionalCreate({server_->baseUrl()}, client_, "CONC1-" + std::to_string(round));
  }
}

TEST_F(Concurrency, PutsCreatingOneClientIdGetVersionsWithoutGaps) {
  for (int round = 0; round < 2 * kRounds; ++round) {
    expectSerialCreatesByPut({server_->baseUrl()}, client_, "conc-put-" + std::to_string(round));
  }
}

TEST_F(Concurrency, ConcurrentPatchesAllApply) {
  expectAllPatchesApply({server_->baseUrl()}, client_);
}

TEST_F(Concurrency, ConcurrentUpdatesAllApply) {
  expectAllUpdatesApply({server_->baseUrl()}, client_);
}

// One DELETE racing seven updates of an existing resource: whatever the order, the DELETE is
// recorded (204 means it happened), and versions stay numbered 1..n.
TEST_F(Concurrency, DeleteRacingUpdatesIsNeverLost) {
  for (int round = 0; round < kRounds; ++round) {
    HttpResponse created =
        client_.send("POST", "/Patient", R"({"resourceType":"Patient","gender":"unknown"})");
    ASSERT_EQ(created.status, 201);
    const std::string id = at(created.body, "/id");
    const auto responses = runTogether({server_->baseUrl()}, [&](int i, HttpClient& c) {
      if (i == 0) return c.request("DELETE", "/Patient/" + id);
      return c.send("PUT", "/Patient/" + id, R"({"resourceType":"Patient","id":")" + id + R"("})");
    });
    EXPECT_EQ(responses[0].status, 204) << describe(responses);
    for (int i = 1; i < kThreads; ++i) {
      // 200 before the delete, 201 (re-create) after it.
      EXPECT_TRUE(responses[i].status == 200 || responses[i].status == 201) << describe(responses);
    }
    HttpResponse history = client_.get("/Patient/" + id + "/_history?_count=500");
    ASSERT_EQ(history.status, 200);
    const std::size_t n = arraySize(history.body, "/entry");
    EXPECT_EQ(n, static_cast<std::size_t>(kThreads + 1)) << history.body;
    int deletes = 0;
    for (std::size_t e = 0; e < n; ++e) {
      const std::string method = "/entry/" + std::to_string(e) + "/request/method";
      if (at(history.body, method.c_str()) == "DELETE") ++deletes;
      const std::string etag = "/entry/" + std::to_string(e) + "/response/etag";
      EXPECT_EQ(at(history.body, etag.c_str()), "W/\"" + std::to_string(n - e) + "\"");
    }
    EXPECT_EQ(deletes, 1) << describe(responses) << history.body;
  }
}

// A transaction that conditionally creates an Organization and references it: when several
// run at once, exactly one creates it and every referencing resource points at that one.
TEST_F(Concurrency, ConcurrentTransactionsWithConditionalCreateReferenceTheSurvivor) {
  for (int round = 0; round < kRounds; ++round) {
    const std::string value = "CONCTX-" + std::to_string(round);
    const std::string urn = "urn:uuid:3c1f0d2a-7e6b-4c59-a1d8-00000000000" + std::to_string(round);
    const std::string json =
        R"({"resourceType":"Bundle","type":"transaction","entry":[)"
        R"({"fullUrl":")" +
        urn +
        R"(","resource":{"resourceType":"Organization","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":")" +
        value +
        R"("}]},"request":{"method":"POST","url":"Organization","ifNoneExist":"identifier=https://fhir.nhs.uk/Id/ods-organization-code|)" +
        value +
        R"("}},)"
        R"({"resource":)" +
        samples::directoryEntry(urn, "Carers Circle") +
        R"(,"request":{"method":"POST","url":"HealthcareService"}}]})";
    const auto responses = runTogether(
        {server_->baseUrl()}, [&](int, HttpClient& c) { return c.send("POST", "/", json); });
    ASSERT_EQ(countStatus(responses, 200), kThreads) << describe(responses);
    int created = 0;
    for (const auto& r : responses) {
      if (at(r.body, "/entry/0/response/status") == "201 Created") ++created;
    }
    EXPECT_EQ(created, 1) << describe(responses);
    const std::set<std::string> organisations = idsWithIdentifier(client_, "Organization", value);
    ASSERT_EQ(organisations.size(), 1u) << describe(responses);
    const std::string organisation = *organisations.begin();
    for (int i = 0; i < kThreads; ++i) {
      const std::string location = at(responses[i].body, "/entry/1/response/location");
      const std::string prefix = "HealthcareService/";
      ASSERT_EQ(location.rfind(prefix, 0), 0u) << describe(responses);
      const std::string serviceId = location.substr(prefix.size(), 36);
      HttpResponse service = client_.get("/HealthcareService/" + serviceId);
      ASSERT_EQ(service.status, 200) << location;
      const std::string reference = at(service.body, "/providedBy/reference");
      EXPECT_EQ(reference, "Organization/" + organisation)
          << "thread " << i << ": HealthcareService/" << serviceId << " references " << reference
          << " (GET " << reference << " -> " << client_.get("/" + reference).status << ")";
    }
  }
}

// Two server processes on one database: the same guarantees hold across processes.
class TwoServers : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string db = PostgresCluster::shared().freshDatabase();
    const ServerOptions options{false, {"--threads", std::to_string(kThreads / 2), "--quiet"}};
    first_ = std::make_unique<ServerProcess>(db, options);
    second_ = std::make_unique<ServerProcess>(db, options);
  }
  static void TearDownTestSuite() {
    first_.reset();
    second_.reset();
  }
  std::vector<std::string> both() const { return {first_->baseUrl(), second_->baseUrl()}; }

  HttpClient client_{first_->baseUrl()};
  static std::unique_ptr<ServerProcess> first_;
  static std::unique_ptr<ServerProcess> second_;
};

std::unique_ptr<ServerProcess> TwoServers::first_;
std::unique_ptr<ServerProcess> TwoServers::second_;

TEST_F(TwoServers, IfMatchRaceHasExactlyOneWinner) {
  expectOneWinnerOfIfMatchRace(both(), client_, "two servers");
}

TEST_F(TwoServers, ConditionalCreatesMakeOneResource) {
  for (int round = 0; round < kRounds; ++round) {
    expectOneConditionalCreate(both(), client_, "CONC2-" + std::to_string(round));
  }
}

TEST_F(TwoServers, PutsCreatingOneClientIdGetVersionsWithoutGaps) {
  for (int round = 0; round < 2 * kRounds; ++round) {
    expectSerialCreatesByPut(both(), client_, "conc2-put-" + std::to_string(round));
  }
}

TEST_F(TwoServers, ConcurrentPatchesAllApply) { expectAllPatchesApply(both(), client_); }

TEST_F(TwoServers, ConcurrentUpdatesAllApply) { expectAllUpdatesApply(both(), client_); }

TEST_F(TwoServers, WritesOnOneAreReadableOnTheOther) {
  HttpClient other(second_->baseUrl());
  HttpResponse created =
      client_.send("POST", "/Patient", R"({"resourceType":"Patient","gender":"other"})");
  ASSERT_EQ(created.status, 201);
  HttpResponse read = other.get("/Patient/" + at(created.body, "/id"));
  EXPECT_EQ(read.status, 200);
  EXPECT_EQ(at(read.body, "/gender"), "other");
}

// Servers started together on an empty database: the first makes the schema, the others wait
// for it (schema_migrations itself is created under the migrations' lock) and all serve.
TEST(ServersStartingAtOnce, OnAnEmptyDatabaseAllStartAndShareOneSchema) {
  constexpr int kServers = 4;
  const std::string database = PostgresCluster::shared().freshDatabase();
  std::vector<std::unique_ptr<ServerProcess>> servers(kServers);
  std::vector<std::string> failures(kServers);
  StartGate gate(kServers);
  std::vector<std::thread> threads;
  for (int i = 0; i < kServers; ++i) {
    threads.emplace_back([&, i] {
      gate.arriveAndWait();
      try {
        servers[i] = std::make_unique<ServerProcess>(database, ServerOptions{false, {"--quiet"}});
      } catch (const std::exception& e) {
        failures[i] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (int i = 0; i < kServers; ++i) {
    ASSERT_TRUE(failures[i].empty()) << "server " << i << ": " << failures[i];
  }
  HttpResponse created =
      HttpClient(servers[0]->baseUrl()).send("POST", "/Patient", R"({"resourceType":"Patient"})");
  ASSERT_EQ(created.status, 201) << created.body;
  for (int i = 1; i < kServers; ++i) {
    EXPECT_EQ(HttpClient(servers[i]->baseUrl()).get("/Patient/" + at(created.body, "/id")).status,
              200)
        << "server " << i;
  }
}

}  // namespace
}  // namespace sp::testing
