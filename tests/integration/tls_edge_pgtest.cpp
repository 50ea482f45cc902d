// The TLS edge (scripts/tls-edge.sh, HAProxy) with clients this project did not write: openssl
// s_client, curl and Node (https and fetch). Session resumption, clients that are silent or
// slow, Connection: close, revocation across a reload, and two adapters behind one edge.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "json_helpers.h"
#include "raw_http.h"

namespace sp::testing {
namespace {

// stdout and stderr together.
CommandResult run(const std::string& command) { return runShell(command + " 2>&1"); }

// The JSON text of any value at `pointer` ("" when absent).
std::string jsonAt(const std::string& json, const char* pointer) {
  const rapidjson::Document doc = parse(json);
  const rapidjson::Value* v = rapidjson::Pointer(pointer).Get(doc);
  return v ? write(*v) : "";
}

// One request with openssl s_client (the answer is read until the server closes, at most 20 s);
// `session` is written (-sess_out) or, with `resume`, offered (-sess_in).
CommandResult sClient(int port, const Certificates& certs, const std::string& slug,
                      const std::string& version, const std::string& session, bool resume,
                      const std::string& path = "/healthz") {
  const std::string request =
      "GET " + path + " HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n";
  return run("printf " + shellQuoted(request) +
             " | timeout 20 openssl s_client -connect 127.0.0.1:" + std::to_string(port) +
             " -servername localhost -CAfile " + shellQuoted(certs.ca()) + " -cert " +
             shellQuoted(certs.cert(slug)) + " -key " + shellQuoted(certs.key(slug)) + " " +
             version + (resume ? " -sess_in " : " -sess_out ") + shellQuoted(session) +
             " -ign_eof");
}

int countOf(const std::string& haystack, const std::string& needle) {
  int n = 0;
  for (auto at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

class TlsEdgeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(PostgresCluster::shared().freshDatabase(),
                                              ServerOptions{true, {}});
  }
  static void TearDownTestSuite() { server_.reset(); }

  static const Certificates& certs() { return testCertificates(); }
  static HttpClient as(const std::string& slug) {
    return HttpClient(server_->baseUrl(),
                      TlsOptions{certs().ca(), certs().cert(slug), certs().key(slug)});
  }
  static std::string sessionFile(const std::string& name) {
    return std::filesystem::temp_directory_path().string() + "/sp-session-" + name + "-" +
           newUuid() + ".pem";
  }

  static std::unique_ptr<ServerProcess> server_;
};

std::unique_ptr<ServerProcess> TlsEdgeTest::server_;

TEST_F(TlsEdgeTest, OpensslResumesItsSessionOnTls12AndTls13) {
  for (const std::string version : {"-tls1_2", "-tls1_3"}) {
    const std::string session = sessionFile(version.substr(1));
    const CommandResult first = sClient(server_->port(), certs(), "gp", version, session, false);
    EXPECT_NE(first.output.find("HTTP/1.1 200"), std::string::npos) << version << first.output;
    EXPECT_NE(first.output.find("New, TLSv1."), std::string::npos) << version << first.output;
    const CommandResult second = sClient(server_->port(), certs(), "gp", version, session, true);
    EXPECT_NE(second.output.find("Reused, TLSv1."), std::string::npos) << version << second.output;
    EXPECT_NE(second.output.find("HTTP/1.1 200"), std::string::npos) << version << second.output;
    EXPECT_EQ(second.output.find("alert"), std::string::npos) << version << second.output;
    std::filesystem::remove(session);
  }
}

TEST_F(TlsEdgeTest, AResumedSessionStillCarriesTheClientsOrganisation) {
  // The Patient is created by the GP; on a resumed connection the GP reads it, and the access
  // rules can only allow that if the organisation came with the resumed session.
  HttpResponse created = as("gp").send("POST", "/Patient", R"({"resourceType":"Patient"})");
  ASSERT_EQ(created.status, 201) << created.error << created.body;
  const std::string path = "/Patient/" + at(created.body, "/id");
  const std::string session = sessionFile("organisation");
  const CommandResult first =
      sClient(server_->port(), certs(), "gp", "-tls1_3", session, false, path);
  EXPECT_NE(first.output.find("HTTP/1.1 200"), std::string::npos) << first.output;
  const CommandResult second =
      sClient(server_->port(), certs(), "gp", "-tls1_3", session, true, path);
  EXPECT_NE(second.output.find("Reused, TLSv1.3"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find("HTTP/1.1 200"), std::string::npos) << second.output;
  EXPECT_NE(second.output.find(at(created.body, "/id")), std::string::npos) << second.output;
  std::filesystem::remove(session);
}

TEST_F(TlsEdgeTest, CurlResumesAcrossTwoTransfers) {
  const std::string url = server_->baseUrl() + "/healthz";
  const CommandResult r = run(
      "curl -sS --cacert " + shellQuoted(certs().ca()) + " --cert " +
      shellQuoted(certs().cert("gp")) + " --key " + shellQuoted(certs().key("gp")) +
      " -o /dev/null -o /dev/null -w '%{http_code} ' " + shellQuoted(url) + " " + shellQuoted(url));
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_EQ(r.output, "200 200 ");
}

TEST_F(TlsEdgeTest, NodeHttpsAgentResumesSessionsAndEveryRequestIsAnswered) {
  const CommandResult r = nodeTlsClient("https-sequential", server_->baseUrl(), "gp", {"10"});
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const std::string json = lastJsonLine(r.output);
  EXPECT_EQ(jsonAt(json, "/statuses"), "[200,200,200,200,200,200,200,200,200,200]") << json;
  EXPECT_GE(std::stoi(jsonAt(json, "/reused")), 5) << "sessions were not resumed: " << json;
}

TEST_F(TlsEdgeTest, NodeFetchEveryRequestIsAnswered) {
  const CommandResult r = nodeTlsClient("fetch-sequential", server_->baseUrl(), "gp", {"10"});
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const std::string json = lastJsonLine(r.output);
  EXPECT_EQ(jsonAt(json, "/statuses"), "[200,200,200,200,200,200,200,200,200,200]") << json;
}

TEST_F(TlsEdgeTest, EightConcurrentConditionalUpdatesFromNodeGiveOne200AndSeven412) {
  HttpResponse created =
      as("gp").send("POST", "/Patient", R"({"resourceType":"Patient","active":true})");
  ASSERT_EQ(created.status, 201) << created.error << created.body;
  const std::string path = "/Patient/" + at(created.body, "/id");
  const CommandResult r = nodeTlsClient("concurrent-put", server_->baseUrl(), "gp", {"8", path});
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const std::string statuses = jsonAt(lastJsonLine(r.output), "/statuses");
  EXPECT_EQ(countOf(statuses, "200"), 1) << statuses;
  EXPECT_EQ(countOf(statuses, "412"), 7) << statuses;
  EXPECT_EQ(at(as("gp").get(path).body, "/meta/versionId"), "2");
}

// Pistache 0.0.5 reads past its buffer parsing chunked bodies (found by AddressSanitizer when
// Node sent its PUTs chunked): the edge answers 411 before the adapter sees one.
TEST_F(TlsEdgeTest, AChunkedBodyGets411AndTheServerKeepsServing) {
  const CommandResult r =
      nodeTlsClient("chunked-put", server_->baseUrl(), "gp", {"1", "/Patient/chunked"});
  ASSERT_EQ(r.exitCode, 0) << r.output;
  const std::string json = lastJsonLine(r.output);
  EXPECT_EQ(jsonAt(json, "/status"), "411") << json;
  const std::string body = at(json, "/body");
  EXPECT_EQ(at(body, "/resourceType"), "OperationOutcome") << body;
  EXPECT_EQ(at(body, "/issue/0/code"), "not-supported") << body;
  EXPECT_EQ(as("gp").get("/Patient/chunked").status, 404);  // nothing was written
  EXPECT_EQ(as("gp").get("/metadata").status, 200);
}

// Before the edge, the server did each handshake on its one listener thread: one silent
// connection held every other client for the 10 s handshake timeout. Here the normal request
// must be answered while the silent and slow connections are all still open, so it cannot have
// waited for any of them to be dropped.
TEST_F(TlsEdgeTest, SilentAndSlowClientsDoNotHoldUpANormalOne) {
  RawConnection silent(server_->port());
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 20; ++i) slow.push_back(std::make_unique<RawConnection>(server_->port()));
  // A TLS ClientHello record's first bytes, one a second from each slow client.
  const std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  std::atomic<bool> stop{false};
  std::thread trickle([&] {
    for (std::size_t i = 0; i < hello.size() && !stop; ++i) {
      for (auto& c : slow) c->send(hello.substr(i, 1));
      for (int t = 0; t < 10 && !stop; ++t)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the slow ones have begun

  const auto started = std::chrono::steady_clock::now();
  HttpResponse r = as("gp").get("/healthz");
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  stop = true;
  trickle.join();
  EXPECT_EQ(r.status, 200) << r.error;
  std::cout << "[ info ] a normal request beside 21 silent or slow connections took "
            << took.count() << " ms\n";
  // All 21 are still open: the server has closed none of them (recv would return 0).
  char byte;
  EXPECT_EQ(::recv(silent.fd(), &byte, 1, MSG_DONTWAIT), -1);
  for (auto& c : slow) EXPECT_EQ(::recv(c->fd(), &byte, 1, MSG_DONTWAIT), -1);
}

TEST_F(TlsEdgeTest, ConnectionCloseIsHonouredThroughTheEdge) {
  const std::string session = sessionFile("close");
  // s_client reads until the server closes (-ign_eof); `timeout 20` ends it otherwise (124).
  const CommandResult r = sClient(server_->port(), certs(), "gp", "-tls1_3", session, false);
  EXPECT_EQ(r.exitCode, 0) << r.output;
  EXPECT_NE(r.output.find("HTTP/1.1 200"), std::string::npos) << r.output;
  std::filesystem::remove(session);
}

// Pistache 0.0.5 wrote "Connection: close" and kept the socket until its 60 s keep-alive
// timeout; the adapter now closes it once the answer is written.
TEST(PlainHttp, ConnectionCloseClosesTheConnection) {
  ServerProcess server(PostgresCluster::shared().freshDatabase());
  RawConnection c(server.port(), std::chrono::seconds(20));
  c.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(c.receive().status, 200);
  EXPECT_TRUE(c.closedByServer());
  RawConnection kept(server.port(), std::chrono::seconds(1));
  kept.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
  EXPECT_EQ(kept.receive().status, 200);
  EXPECT_FALSE(kept.closedByServer());  // without it the connection stays (1 s receive timeout)
}

TEST_F(TlsEdgeTest, TheAdaptersOwnPortServesOnlyTheEdge) {
  RawConnection c(server_->adapterPort(), std::chrono::seconds(10));
  c.send("GET /metadata HTTP/1.1\r\nHost: localhost\r\n\r\n");
  const RawResponse r = c.receive();
  EXPECT_EQ(r.status, 401);
  EXPECT_NE(r.body.find("\"OperationOutcome\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("only the TLS edge"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("CapabilityStatement"), std::string::npos);
  EXPECT_TRUE(c.closedByServer());
  EXPECT_EQ(as("gp").get("/metadata").status, 200);  // and it still serves the edge
}

TEST_F(TlsEdgeTest, ExpiredRevokedForeignAndMissingCertificatesAreRefused) {
  const Certificates& foreign = testCertificates("foreign");
  const std::vector<TlsOptions> refused = {
      {certs().ca(), certs().cert("expired"), certs().key("expired")},
      {certs().ca(), certs().cert("revoked"), certs().key("revoked")},
      {certs().ca(), foreign.cert("gp"), foreign.key("gp")},
      {certs().ca(), "", ""},
  };
  for (const TlsOptions& tls : refused) {
    HttpResponse r = HttpClient(server_->baseUrl(), tls).get("/metadata");
    EXPECT_EQ(r.status, 0) << tls.certFile << ": " << r.body;
    EXPECT_FALSE(r.error.empty()) << tls.certFile;
  }
}

// The version and cipher policy holds from the edge's very first handshake (the in-process TLS
// applied it during the first certificate check, so that one ran on the library's defaults).
TEST(TlsEdgePolicy, TheFirstConnectionAlreadyRefusesCbcSuitesAndOldVersions) {
  ServerProcess server(PostgresCluster::shared().freshDatabase(), ServerOptions{true, {}});
  const Certificates& certs = testCertificates();
  const std::string identity = " -CAfile " + shellQuoted(certs.ca()) + " -cert " +
                               shellQuoted(certs.cert("gp")) + " -key " +
                               shellQuoted(certs.key("gp"));
  const std::string connect = "printf '' | timeout 20 openssl s_client -connect 127.0.0.1:" +
                              std::to_string(server.port()) + " -servername localhost" + identity;
  const CommandResult cbc = run(connect + " -tls1_2 -cipher ECDHE-ECDSA-AES128-SHA256");
  EXPECT_NE(cbc.exitCode, 0) << cbc.output;
  EXPECT_NE(cbc.output.find("alert handshake failure"), std::string::npos) << cbc.output;
  const CommandResult old = run(connect + " -tls1_1 -cipher DEFAULT:@SECLEVEL=0");
  EXPECT_NE(old.exitCode, 0) << old.output;
  EXPECT_NE(old.output.find("alert protocol version"), std::string::npos) << old.output;
  const CommandResult good = run(connect + " -tls1_2");
  EXPECT_NE(good.output.find("ECDHE-ECDSA-AES128-GCM-SHA256"), std::string::npos) << good.output;
}

// A certificate revoked after its session was made cannot be resumed once the edge has read the
// new revocation list (a reload: new workers, new session cache).
TEST(TlsEdgeRevocation, ARevokedCertificateCannotComeBackThroughAResumedSession) {
  const Certificates& certs = testCertificates("revocation");
  const std::string crl = certs.dir + "/edge.crl";
  std::filesystem::copy_file(certs.crl(), crl);
  const std::string database = PostgresCluster::shared().freshDatabase();
  const int edgePort = freeLoopbackPort();
  ServerProcess adapter(
      database,
      ServerOptions{false, {"--base-url", "https://localhost:" + std::to_string(edgePort)}, true});
  TlsEdge edge(certs, {adapter.adapterPort()}, crl, edgePort);

  const std::string session = certs.dir + "/session.pem";
  const CommandResult first = sClient(edge.port(), certs, "gp", "-tls1_2", session, false);
  ASSERT_NE(first.output.find("HTTP/1.1 200"), std::string::npos) << first.output;
  const CommandResult resumed = sClient(edge.port(), certs, "gp", "-tls1_2", session, true);
  ASSERT_NE(resumed.output.find("Reused, TLSv1.2"), std::string::npos) << resumed.output;

  // Revoke the GP's certificate with the development CA, then reload the edge.
  const std::string ca = certs.dir + "/revoking";
  std::filesystem::create_directories(ca);
  std::filesystem::copy_file(certs.dir + "/ca.crt", ca + "/ca.crt");
  std::filesystem::copy_file(certs.dir + "/ca.key", ca + "/ca.key");
  std::ofstream(ca + "/index.txt").close();
  std::ofstream(ca + "/crlnumber") << "10\n";
  const std::string openssl = "CA_DIR=" + shellQuoted(ca) + " openssl ca -config " +
                              shellQuoted(sourceDir() + "/certs/openssl-dev.cnf");
  ASSERT_EQ(run(openssl + " -revoke " + shellQuoted(certs.cert("gp"))).exitCode, 0);
  const CommandResult made = run(openssl + " -gencrl -out " + shellQuoted(crl + ".new"));
  ASSERT_EQ(made.exitCode, 0) << made.output;
  std::filesystem::rename(crl + ".new", crl);
  edge.reload();

  const CommandResult after = sClient(edge.port(), certs, "gp", "-tls1_2", session, true);
  EXPECT_EQ(after.output.find("HTTP/1.1 200"), std::string::npos) << after.output;
  EXPECT_EQ(after.output.find("Reused,"), std::string::npos) << after.output;
  HttpResponse fresh =
      HttpClient(edge.baseUrl(), TlsOptions{certs.ca(), certs.cert("gp"), certs.key("gp")})
          .get("/metadata");
  EXPECT_EQ(fresh.status, 0) << fresh.body;
  // Others are still served.
  HttpResponse other = HttpClient(edge.baseUrl(), TlsOptions{certs.ca(), certs.cert("linkworker"),
                                                             certs.key("linkworker")})
                           .get("/metadata");
  EXPECT_EQ(other.status, 200) << other.error << edge.log();
}

// Several adapter processes share one PostgreSQL behind one edge (README, "More than one
// adapter"): both serve, and a conditional update race across them still has one winner.
TEST(TlsEdgeTwoAdapters, BothServeBehindOneEdgeAndShareTheirState) {
  const Certificates& certs = testCertificates();
  const std::string database = PostgresCluster::shared().freshDatabase();
  const int edgePort = freeLoopbackPort();
  const std::vector<std::string> args = {"--base-url",
                                         "https://localhost:" + std::to_string(edgePort)};
  ServerProcess first(database, ServerOptions{false, args, true});
  ServerProcess second(database, ServerOptions{false, args, true});
  TlsEdge edge(certs, {first.adapterPort(), second.adapterPort()}, "", edgePort);
  const TlsOptions gp{certs.ca(), certs.cert("gp"), certs.key("gp")};

  HttpResponse created =
      HttpClient(edge.baseUrl(), gp).send("POST", "/Patient", R"({"resourceType":"Patient"})");
  ASSERT_EQ(created.status, 201) << created.error << created.body << edge.log();
  const std::string path = "/Patient/" + at(created.body, "/id");
  for (int i = 0; i < 10; ++i) {  // a new connection each time: the edge alternates
    HttpResponse r = HttpClient(edge.baseUrl(), gp).get(path);
    EXPECT_EQ(r.status, 200) << r.error;
    EXPECT_EQ(at(r.body, "/meta/versionId"), "1");
  }
  EXPECT_GE(countOf(first.log(), "GET " + path + " 200"), 1) << first.log();
  EXPECT_GE(countOf(second.log(), "GET " + path + " 200"), 1) << second.log();

  const CommandResult race = nodeTlsClient("concurrent-put", edge.baseUrl(), "gp", {"8", path});
  ASSERT_EQ(race.exitCode, 0) << race.output;
  const std::string statuses = jsonAt(lastJsonLine(race.output), "/statuses");
  EXPECT_EQ(countOf(statuses, "200"), 1) << statuses;
  EXPECT_EQ(countOf(statuses, "412"), 7) << statuses;
}

}  // namespace
}  // namespace sp::testing
