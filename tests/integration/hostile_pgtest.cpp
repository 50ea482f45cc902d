// Hostile input over real HTTP against a real PostgreSQL: SQL, path traversal, NUL bytes,
// invalid UTF-8, huge numbers, deep JSON, long strings, oversized heads and bodies, too many
// search parameters, slow clients. Each must be answered with a 4xx OperationOutcome (never a
// 500 or a crash); afterwards the server is still serving, the database holds exactly what it
// held before, and the server exits cleanly on SIGTERM.
//
// Requests go out through a raw socket (raw_http.h), byte for byte, because libcurl refuses or
// rewrites several of them (NUL in the request line, "../" segments, bare invalid UTF-8).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <memory>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "harness.h"
#include "json_helpers.h"
#include "raw_http.h"
#include "sample_resources.h"

namespace sp::testing {
namespace {

// Small limits, so the tests that cross them stay cheap.
constexpr int kMaxBodyBytes = 256 * 1024;
constexpr int kMaxHeaderBytes = 8 * 1024;
constexpr int kMaxSearchParameters = 20;
constexpr int kMaxPageSize = 100;

// Everything stored, as one comparable text (AuditEvents aside: reading may record those).
std::string databaseFingerprint(const std::string& url) {
  pqxx::connection conn(url);
  pqxx::read_transaction tx(conn);
  const pqxx::row row = tx.exec1(
      "SELECT count(*), coalesce(md5(string_agg(res_type || '/' || res_id || '/' || "
      "version_id || '/' || coalesce(body, ''), ',' ORDER BY seq)), '') "
      "FROM resource_versions WHERE res_type <> 'AuditEvent'");
  const pqxx::row index = tx.exec1(
      "SELECT (SELECT count(*) FROM idx_token) + (SELECT count(*) FROM idx_string) + "
      "(SELECT count(*) FROM idx_reference) + (SELECT count(*) FROM idx_date)");
  return row[0].as<std::string>() + " " + row[1].as<std::string>() + " " +
         index[0].as<std::string>();
}

class HostileInput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    databaseUrl_ = PostgresCluster::shared().freshDatabase();
    ServerOptions options;
    options.extraArgs = {"--threads",
                         "1",
                         "--max-body-bytes",
                         std::to_string(kMaxBodyBytes),
                         "--max-header-bytes",
                         std::to_string(kMaxHeaderBytes),
                         "--max-search-parameters",
                         std::to_string(kMaxSearchParameters),
                         "--max-page-size",
                         std::to_string(kMaxPageSize),
                         "--header-timeout",
                         "2",
                         "--body-timeout",
                         "2"};
    server_ = std::make_unique<ServerProcess>(databaseUrl_, options);
    HttpClient client(server_->baseUrl());
    HttpResponse created = client.send("POST", "/Patient", samples::patient("Okafor"));
    ASSERT_EQ(created.status, 201) << created.body;
    patientId_ = at(created.body, "/id");
    before_ = databaseFingerprint(databaseUrl_);
  }

  static void TearDownTestSuite() { server_.reset(); }

  static int port() { return server_->port(); }

  // The answer is `status` and an OperationOutcome whose first issue is an error.
  static void expectOutcome(const RawResponse& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    const auto type = r.headers.find("content-type");
    ASSERT_NE(type, r.headers.end()) << r.body;
    EXPECT_EQ(type->second.rfind("application/fhir+json", 0), 0u) << type->second;
    const rapidjson::Document doc = parse(r.body);
    EXPECT_EQ(at(doc, "/resourceType"), "OperationOutcome") << r.body;
    const std::string severity = at(doc, "/issue/0/severity");
    EXPECT_TRUE(severity == "error" || severity == "fatal") << r.body;
  }

  static RawResponse get(const std::string& target, const std::string& headers = "") {
    return rawRequest(port(), "GET", target, "", headers);
  }
  static RawResponse post(const std::string& target, const std::string& body) {
    return rawRequest(port(), "POST", target, body);
  }

  static std::string databaseUrl_;
  static std::string patientId_;
  static std::string before_;
  static std::unique_ptr<ServerProcess> server_;
};

std::string HostileInput::databaseUrl_;
std::string HostileInput::patientId_;
std::string HostileInput::before_;
std::unique_ptr<ServerProcess> HostileInput::server_;

// --- ids and paths ---------------------------------------------------------------------------

TEST_F(HostileInput, SqlInIdIs400) {
  expectOutcome(get("/Patient/1'%20OR%20'1'%3D'1"), 400);
  expectOutcome(get("/Patient/x;DROP%20TABLE%20resources;--"), 400);
  expectOutcome(get("/Patient/x'--/_history/1"), 400);
  expectOutcome(get("/Patient/" + patientId_ + "/_history/1%20OR%201=1"), 404);
}

TEST_F(HostileInput, PathTraversalFindsNothing) {
  // Paths name resources, never files: ".." is even a well-formed FHIR id, and not found.
  expectOutcome(get("/Patient/..%2F..%2Fetc%2Fpasswd"), 404);
  expectOutcome(get("/Patient/%2e%2e"), 404);
  expectOutcome(get("/Patient/../../etc/passwd"), 404);
  expectOutcome(get("/../../../etc/passwd"), 404);
  expectOutcome(get("/..%2F..%2Fetc%2Fpasswd"), 404);
}

TEST_F(HostileInput, NulInPathIs400) {
  expectOutcome(get("/Patient/a%00b"), 400);
  expectOutcome(get(std::string("/Patient/a\0b", 12)), 400);
  expectOutcome(get("/Patient%00/x"), 400);
}

TEST_F(HostileInput, InvalidUtf8InPathIs400) {
  expectOutcome(get("/Patient/%C3%28"), 400);
  expectOutcome(get("/Patient/\xC3\x28"), 400);
  expectOutcome(get("/Pat\xFFient"), 400);
}

TEST_F(HostileInput, LongIdIs400) {
  expectOutcome(get("/Patient/" + std::string(65, 'a')), 400);
  expectOutcome(get("/Patient/" + std::string(4000, 'a')), 400);
}

// --- search values ---------------------------------------------------------------------------

TEST_F(HostileInput, SqlInSearchValueMatchesNothing) {
  // A string parameter takes any text: the SQL is compared as text, so nothing matches (the
  // stored Patient would match if it were run as SQL).
  for (const std::string query :
       {"name=%27%20OR%20%271%27%3D%271", "family=x%27%3B%20DROP%20TABLE%20resources%3B--",
        "_id=x%27%20OR%20%271%27%3D%271", "identifier=a%7Cb%27%20OR%201%3D1--"}) {
    RawResponse r = get("/Patient?" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    EXPECT_EQ(arraySize(r.body, "/entry"), 0u) << query;
  }
  // Typed parameters refuse it.
  expectOutcome(get("/Patient?birthdate=2000%27%20OR%20%271%27%3D%271"), 400);
  expectOutcome(get("/Patient?_lastUpdated=gt2000-01-01%27--"), 400);
  expectOutcome(get("/Patient?_sort=name%3BDROP%20TABLE%20resources"), 400);
  expectOutcome(get("/Patient?_count=1%3BDROP"), 400);
}

TEST_F(HostileInput, NulInSearchIs400) {
  expectOutcome(get("/Patient?name=a%00b"), 400);
  expectOutcome(get("/Patient?_id=%00"), 400);
  expectOutcome(get("/Patient?na%00me=x"), 400);
  expectOutcome(get(std::string("/Patient?name=a\0b", 17)), 400);
}

TEST_F(HostileInput, InvalidUtf8InSearchIs400) {
  expectOutcome(get("/Patient?name=%FF%FE"), 400);
  expectOutcome(get("/Patient?name=\xC3\x28"), 400);
  expectOutcome(get("/Patient?identifier=%ED%A0%80"), 400);  // a UTF-16 surrogate
}

TEST_F(HostileInput, HugeNumbersInSearchAre400) {
  expectOutcome(get("/Patient?birthdate=99999999999999999999-01-01"), 400);
  expectOutcome(get("/Patient?birthdate=ge2000-99-99"), 400);
  expectOutcome(get("/Patient?_lastUpdated=gt9999999999"), 400);
  expectOutcome(get("/RiskAssessment?probability=1e999999"), 400);
  expectOutcome(get("/RiskAssessment?probability=" + std::string(400, '9')), 400);
  expectOutcome(get("/Observation?value-quantity=1e400%7C%7Cmg"), 400);
}

TEST_F(HostileInput, HugeCountIsClampedAndSaidInTheSelfLink) {
  RawResponse r = get("/Patient?_count=99999999999999999999999");
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string self = at(r.body, "/link/0/url");
  EXPECT_NE(self.find("_count=" + std::to_string(kMaxPageSize)), std::string::npos) << self;
  EXPECT_EQ(self.find("99999"), std::string::npos) << self;
  EXPECT_EQ(arraySize(r.body, "/entry"), 1u);
  expectOutcome(get("/Patient?_count=-1"), 400);
}

TEST_F(HostileInput, TooManySearchParametersIs400) {
  std::string query = "/Patient?";
  for (int i = 0; i <= kMaxSearchParameters; ++i) query += "name=a" + std::to_string(i) + "&";
  RawResponse r = get(query);
  expectOutcome(r, 400);
  EXPECT_NE(r.body.find("search parameters"), std::string::npos) << r.body;
}

// --- heads ------------------------------------------------------------------------------------

TEST_F(HostileInput, OversizedHeaderIs431) {
  RawResponse r = get("/metadata", "X-Filler: " + std::string(kMaxHeaderBytes, 'a') + "\r\n");
  expectOutcome(r, 431);
  std::string many;
  for (int i = 0; i < 400; ++i) many += "X-H" + std::to_string(i) + ": aaaaaaaaaaaaaaaaaaaa\r\n";
  expectOutcome(get("/metadata", many), 431);
}

TEST_F(HostileInput, OversizedRequestTargetIs414) {
  expectOutcome(get("/Patient?name=" + std::string(kMaxHeaderBytes, 'a')), 414);
}

// --- bodies -----------------------------------------------------------------------------------

TEST_F(HostileInput, NulInBodyIs400) {
  expectOutcome(post("/Patient", std::string(R"({"resourceType":"Patient","gender":"ma)") +
                                     std::string(1, '\0') + R"(le"})"),
                400);
  expectOutcome(post("/Patient", R"({"resourceType":"Patient","gender":"ma\u0000le"})"), 400);
  expectOutcome(post("/Patient", R"({"resourceType":"Patient","id":"a\u0000"})"), 400);
}

TEST_F(HostileInput, InvalidUtf8InBodyIs400) {
  expectOutcome(post("/Patient", "{\"resourceType\":\"Patient\",\"gender\":\"\xFF\xFE\"}"), 400);
  expectOutcome(post("/Patient", "{\"resourceType\":\"Patient\",\"gen\xC3\x28\":\"male\"}"), 400);
  expectOutcome(post("/Patient", R"({"resourceType":"Patient","gender":"\udc00"})"), 400);
}

TEST_F(HostileInput, HugeNumbersInBodyAreRefused) {
  const std::string observation =
      R"({"resourceType":"Observation",)" + samples::narrative("o") +
      R"("status":"final","code":{"text":"steps"},"subject":{"reference":"Patient/)" + patientId_ +
      "\"},";
  expectOutcome(post("/Observation", observation + R"("valueInteger":99999999999999999999999})"),
                422);
  expectOutcome(post("/Observation", observation + R"("valueInteger":-2147483649})"), 422);
  // Numbers JSON itself cannot hold are refused by the parser.
  expectOutcome(
      post("/Observation", observation + R"("valueQuantity":{"value":1e999999,"unit":"mg"}})"),
      400);
  expectOutcome(post("/Observation", observation + R"("valueQuantity":{"value":)" +
                                         std::string(5000, '9') + R"(,"unit":"mg"}})"),
                400);
  expectOutcome(post("/Patient", samples::patient("Okafor", R"(,"birthDate":"99999-01-01")")), 422);
  expectOutcome(post("/Patient", samples::patient("Okafor", R"(,"birthDate":"2000-13-45")")), 422);
}

TEST_F(HostileInput, DeepJsonIs400) {
  std::string deep = R"({"resourceType":"Patient","extension":)";
  deep += std::string(100000, '[') + std::string(100000, ']') + "}";
  expectOutcome(post("/Patient", deep), 400);
  std::string objects = R"({"resourceType":"Patient","a":)";
  for (int i = 0; i < 20000; ++i) objects += R"({"a":)";
  objects += "1" + std::string(20000, '}') + "}";
  expectOutcome(post("/Patient", objects), 400);
}

TEST_F(HostileInput, OversizedBodyIs413) {
  const std::string big = R"({"resourceType":"Patient","name":[{"family":")" +
                          std::string(kMaxBodyBytes, 'a') + R"("}]})";
  expectOutcome(post("/Patient", big), 413);
}

TEST_F(HostileInput, BodyFarBeyondTheLimitIs413AndTheConnectionClosed) {
  // More than the server buffers at all: refused while it is still arriving.
  const std::string huge = R"({"resourceType":"Patient","name":[{"family":")" +
                           std::string(4 * kMaxBodyBytes, 'a') + R"("}]})";
  RawConnection c(port());
  c.send(
      "POST /Patient HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/fhir+json\r\n"
      "Content-Length: " +
      std::to_string(huge.size()) + "\r\n\r\n" + huge);
  expectOutcome(c.receive(), 413);
  EXPECT_TRUE(c.closedByServer());
}

TEST_F(HostileInput, LongStringsInBodyAreRefusedOrStoredWhole) {
  // An id in the body longer than ids may be.
  expectOutcome(rawRequest(port(), "PUT", "/Patient/" + std::string(64, 'a'),
                           R"({"resourceType":"Patient","id":")" + std::string(5000, 'a') + "\"}"),
                400);
  expectOutcome(
      rawRequest(port(), "PUT", "/Patient/..%2Fx", R"({"resourceType":"Patient","id":"../x"})"),
      404);
  expectOutcome(rawRequest(port(), "PUT", "/Patient/abc",
                           R"({"resourceType":"Patient","id":"abc' OR '1'='1"})"),
                400);
}

TEST_F(HostileInput, HostileTransactionEntryLeavesNothingWritten) {
  const std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)"
                             R"({"resource":)" +
                             samples::patient("Mensah") +
                             R"(,"request":{"method":"POST","url":"Patient"}},)"
                             R"({"resource":{"resourceType":"Patient","id":"../../x"},)"
                             R"("request":{"method":"PUT","url":"Patient/../../x"}}]})";
  RawResponse r = post("/", bundle);
  EXPECT_GE(r.status, 400) << r.body;
  EXPECT_LT(r.status, 500) << r.body;
  EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome") << r.body;
  EXPECT_EQ(databaseFingerprint(databaseUrl_), before_);
}

// --- slow clients -----------------------------------------------------------------------------

TEST_F(HostileInput, SlowClientIsTimedOutAndDoesNotHoldTheWorker) {
  // The server runs one worker thread. A client that sends half a head and stops...
  RawConnection slowHead(port());
  ASSERT_TRUE(slowHead.send("GET /metadata HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  // ... and one that promises a body it never sends ...
  RawConnection slowBody(port());
  ASSERT_TRUE(slowBody.send(
      "POST /Patient HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/fhir+json\r\n"
      "Content-Length: 1000\r\n\r\n{\"resourceType\":"));
  // ... do not stop others from being served meanwhile,
  RawResponse r = get("/healthz");
  EXPECT_EQ(r.status, 200) << r.body;
  // and are answered 408 and disconnected once their timeout passes.
  RawResponse head = slowHead.receive();
  EXPECT_TRUE(head.status == 408 || head.status == 0) << head.status << " " << head.body;
  EXPECT_TRUE(slowHead.closedByServer());
  RawResponse body = slowBody.receive();
  EXPECT_TRUE(body.status == 408 || body.status == 0) << body.status << " " << body.body;
  EXPECT_TRUE(slowBody.closedByServer());
}

// --- afterwards -------------------------------------------------------------------------------

// Named to run last (gtest runs tests in the order they are defined).
TEST_F(HostileInput, ZzServerIsAliveDatabaseUnchangedAndExitsCleanly) {
  RawResponse health = get("/healthz");
  EXPECT_EQ(health.status, 200) << health.body;
  RawResponse read = get("/Patient/" + patientId_);
  EXPECT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(databaseFingerprint(databaseUrl_), before_);
  const std::string log = server_->log();
  EXPECT_EQ(log.find(" 500 "), std::string::npos) << log;
  const int status = server_->stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "exit status " << status << "\n"
                                                             << log;
}

}  // namespace
}  // namespace sp::testing
