// The server against a database that goes away and comes back, and its shutdown on SIGTERM.
// Uses a private cluster, because these tests stop it.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "json_helpers.h"

namespace sp::testing {
namespace {

const char* kPatient =
    R"({"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000017"}],"name":[{"family":"Durable"}]})";

class Durability : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cluster_ = PostgresCluster::startPrivate(); }
  static void TearDownTestSuite() { cluster_.reset(); }

  static std::unique_ptr<PostgresCluster> cluster_;
};

std::unique_ptr<PostgresCluster> Durability::cluster_;

struct Probe {
  std::string name;
  std::string method;
  std::string path;
  std::string body;
  std::vector<std::string> headers;
};

// Requests that all need the database.
std::vector<Probe> probes(const std::string& id) {
  return {
      {"read", "GET", "/Patient/" + id, "", {}},
      {"vread", "GET", "/Patient/" + id + "/_history/1", "", {}},
      {"history", "GET", "/Patient/_history", "", {}},
      {"create", "POST", "/Patient", R"({"resourceType":"Patient"})", {}},
      {"update",
       "PUT",
       "/Patient/outage-put",
       R"({"resourceType":"Patient","id":"outage-put"})",
       {}},
      {"conditional create",
       "POST",
       "/Patient",
       kPatient,
       {"If-None-Exist: identifier=https://fhir.nhs.uk/Id/nhs-number|9000000017"}},
      {"transaction",
       "POST",
       "/",
       R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}}]})",
       {}},
      {"healthz", "GET", "/healthz", "", {}},
  };
}

HttpResponse send(HttpClient& client, const Probe& p) {
  if (p.method == "GET") return client.get(p.path, p.headers);
  return client.send(p.method, p.path, p.body, p.headers);
}

TEST_F(Durability, DatabaseOutageAnswers503ThenRecovers) {
  ServerProcess server(cluster_->freshDatabase());
  HttpClient client(server.baseUrl());
  HttpResponse created = client.send("POST", "/Patient", kPatient);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = at(created.body, "/id");
  // Use every pooled connection once, so the outage breaks open connections too.
  for (int i = 0; i < 4; ++i) ASSERT_EQ(client.get("/Patient/" + id).status, 200);
  ASSERT_EQ(client.get("/healthz").status, 200);

  cluster_->stop();
  for (int round = 0; round < 2; ++round) {  // broken pooled connections, then refused opens
    for (const Probe& p : probes(id)) {
      HttpResponse r = send(client, p);
      EXPECT_TRUE(r.error.empty()) << p.name << ": " << r.error;
      EXPECT_EQ(r.status, 503) << p.name << " (round " << round << "): " << r.body;
      EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome") << p.name << ": " << r.body;
      EXPECT_EQ(at(r.body, "/issue/0/code"), "transient") << p.name << ": " << r.body;
      EXPECT_FALSE(at(r.body, "/issue/0/diagnostics").empty()) << p.name;
    }
  }
  // Alive and serving what needs no database.
  HttpResponse metadata = client.get("/metadata");
  EXPECT_EQ(metadata.status, 200) << metadata.error;
  EXPECT_EQ(at(metadata.body, "/resourceType"), "CapabilityStatement");

  cluster_->start();
  HttpResponse read;
  for (int attempt = 0; attempt < 50; ++attempt) {
    read = client.get("/Patient/" + id);
    if (read.status == 200) break;
    EXPECT_EQ(read.status, 503) << read.body;  // while reconnecting: unavailable, never 500
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(at(read.body, "/name/0/family"), "Durable");
  EXPECT_EQ(at(read.body, "/meta/versionId"), "1");

  // Every probe works again, and nothing written during the outage was kept.
  for (const Probe& p : probes(id)) {
    HttpResponse r = send(client, p);
    EXPECT_LT(r.status, 300) << p.name << ": " << r.status << " " << r.body;
  }
  HttpResponse history = client.get("/Patient/" + id + "/_history");
  EXPECT_EQ(arraySize(history.body, "/entry"), 1u) << history.body;
  EXPECT_EQ(client.get("/healthz").status, 200);

  // No request of the outage was answered as an internal error.
  const std::string log = server.log();
  EXPECT_EQ(log.find(" 500 "), std::string::npos) << log;
  const int status = server.stop();
  EXPECT_TRUE(WIFEXITED(status)) << status << "\n" << server.log();
}

TEST_F(Durability, DatabaseOutageDuringConcurrentRequestsNeverHangs) {
  ServerProcess server(cluster_->freshDatabase(), ServerOptions{false, {"--threads", "4"}});
  HttpClient client(server.baseUrl());
  HttpResponse created = client.send("POST", "/Patient", kPatient);
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id = at(created.body, "/id");

  cluster_->stop();
  std::vector<HttpResponse> responses(8);
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      HttpClient c(server.baseUrl());
      responses[i] = i % 2 ? c.get("/Patient/" + id)
                           : c.send("POST", "/Patient", R"({"resourceType":"Patient"})");
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& r : responses) {
    EXPECT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome");
  }
  cluster_->start();
  HttpResponse read;
  for (int attempt = 0; attempt < 50 && read.status != 200; ++attempt) {
    if (attempt) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    read = client.get("/Patient/" + id);
  }
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(arraySize(client.get("/Patient/_history").body, "/entry"), 1u);
}

TEST_F(Durability, SigtermExitsCleanly) {
  ServerProcess server(cluster_->freshDatabase());
  HttpClient client(server.baseUrl());
  ASSERT_EQ(client.send("POST", "/Patient", kPatient).status, 201);
  // The client keeps its connection open (keep-alive) while the server stops.
  const int status = server.stop();
  EXPECT_TRUE(WIFEXITED(status)) << "status " << status << " signalled "
                                 << (WIFSIGNALED(status) ? WTERMSIG(status) : 0) << "\n"
                                 << server.log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << server.log();
  EXPECT_NE(server.log().find("shutting down"), std::string::npos) << server.log();
  // Nothing listens any more.
  HttpResponse after = client.get("/metadata");
  EXPECT_FALSE(after.error.empty()) << after.status;
}

TEST_F(Durability, SigtermExitsCleanlyWhileTheDatabaseIsDown) {
  ServerProcess server(cluster_->freshDatabase());
  HttpClient client(server.baseUrl());
  ASSERT_EQ(client.get("/healthz").status, 200);
  cluster_->stop();
  EXPECT_EQ(client.get("/healthz").status, 503);
  const int status = server.stop();
  cluster_->start();
  EXPECT_TRUE(WIFEXITED(status)) << status << "\n" << server.log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << server.log();
}

TEST_F(Durability, SigtermExitsCleanlyAfterTls) {
  ServerProcess server(cluster_->freshDatabase(), ServerOptions{true, {}});
  const Certificates& certs = testCertificates();
  HttpClient client(server.baseUrl(), TlsOptions{certs.ca(), certs.cert("gp"), certs.key("gp")});
  ASSERT_EQ(client.get("/metadata").status, 200);
  const int status = server.stop();
  EXPECT_TRUE(WIFEXITED(status)) << status << "\n" << server.log();
  EXPECT_EQ(WEXITSTATUS(status), 0) << server.log();
}

TEST_F(Durability, StartingWithoutDatabaseFailsFast) {
  const std::string db = cluster_->freshDatabase();
  cluster_->stop();
  EXPECT_THROW(ServerProcess server(db), std::runtime_error);
  cluster_->start();
  ServerProcess server(db);
  EXPECT_EQ(HttpClient(server.baseUrl()).get("/healthz").status, 200);
}

}  // namespace
}  // namespace sp::testing
