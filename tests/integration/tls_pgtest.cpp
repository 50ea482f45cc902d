// Mutual TLS at the HTTP edge: only clients with a certificate from the configured CA are
// served.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "harness.h"
#include "json_helpers.h"

namespace sp::testing {
namespace {

class Tls : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(PostgresCluster::shared().freshDatabase(),
                                              ServerOptions{true, {}});
  }
  static void TearDownTestSuite() { server_.reset(); }

  static TlsOptions trusted(const std::string& slug) {
    const Certificates& certs = testCertificates();
    return {certs.ca(), certs.cert(slug), certs.key(slug)};
  }

  // A refused request: a transport error or a 4xx, and never a served FHIR body.
  static void expectRefused(const HttpResponse& r, const std::string& what) {
    EXPECT_TRUE(!r.error.empty() || (r.status >= 400 && r.status < 500))
        << what << ": status " << r.status << " body " << r.body;
    EXPECT_EQ(r.body.find("CapabilityStatement"), std::string::npos) << what << ": " << r.body;
    EXPECT_EQ(r.body.find("\"resourceType\":\"Patient\""), std::string::npos) << what;
  }

  static std::unique_ptr<ServerProcess> server_;
};

std::unique_ptr<ServerProcess> Tls::server_;

TEST_F(Tls, ValidClientCertificateIsServed) {
  EXPECT_EQ(server_->baseUrl().rfind("https://", 0), 0u);
  HttpClient client(server_->baseUrl(), trusted("gp"));
  HttpResponse r = client.get("/metadata");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(at(r.body, "/resourceType"), "CapabilityStatement");
  // Links the server builds use https.
  HttpResponse created = client.send("POST", "/Patient", R"({"resourceType":"Patient"})");
  ASSERT_EQ(created.status, 201) << created.error << created.body;
  EXPECT_EQ(created.header("location").rfind("https://", 0), 0u) << created.header("location");
  EXPECT_EQ(client.get("/Patient/" + at(created.body, "/id")).status, 200);
}

TEST_F(Tls, EveryOrganisationCertificateOfTheCaIsServed) {
  for (const char* slug : {"linkworker", "vcse-walking", "admin"}) {
    HttpClient client(server_->baseUrl(), trusted(slug));
    HttpResponse r = client.get("/metadata");
    EXPECT_EQ(r.status, 200) << slug << ": " << r.error;
  }
}

TEST_F(Tls, NoClientCertificateIsRefused) {
  HttpClient client(server_->baseUrl(), TlsOptions{testCertificates().ca(), "", ""});
  expectRefused(client.get("/metadata"), "GET /metadata without a certificate");
  expectRefused(client.send("POST", "/Patient", R"({"resourceType":"Patient"})"),
                "POST /Patient without a certificate");
}

TEST_F(Tls, ForeignCaClientCertificateIsRefused) {
  const Certificates& foreign = testCertificates("foreign");
  ASSERT_NE(foreign.dir, testCertificates().dir);
  HttpClient client(server_->baseUrl(),
                    TlsOptions{testCertificates().ca(), foreign.cert("gp"), foreign.key("gp")});
  expectRefused(client.get("/metadata"), "GET /metadata with a foreign certificate");
  expectRefused(client.send("POST", "/Patient", R"({"resourceType":"Patient"})"),
                "POST /Patient with a foreign certificate");
}

TEST_F(Tls, ServerCertificateIsCheckedByTheClient) {
  // The server's certificate does not chain to a foreign CA: the client refuses it.
  const Certificates& foreign = testCertificates("foreign");
  HttpClient client(server_->baseUrl(), TlsOptions{foreign.ca(), testCertificates().cert("gp"),
                                                   testCertificates().key("gp")});
  HttpResponse r = client.get("/metadata");
  EXPECT_FALSE(r.error.empty()) << r.status;
  EXPECT_TRUE(r.body.empty());
}

TEST_F(Tls, PlainHttpToTheTlsPortIsRefused) {
  HttpClient client("http://127.0.0.1:" + std::to_string(server_->port()));
  expectRefused(client.get("/metadata"), "plain HTTP");
}

TEST_F(Tls, ServerStillServesAfterRefusals) {
  {
    HttpClient anonymous(server_->baseUrl(), TlsOptions{testCertificates().ca(), "", ""});
    for (int i = 0; i < 5; ++i) anonymous.get("/metadata");
    HttpClient plain("http://127.0.0.1:" + std::to_string(server_->port()));
    for (int i = 0; i < 5; ++i) plain.get("/metadata");
  }
  HttpClient client(server_->baseUrl(), trusted("gp"));
  HttpResponse r = client.get("/metadata");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(at(r.body, "/resourceType"), "CapabilityStatement");
}

}  // namespace
}  // namespace sp::testing
