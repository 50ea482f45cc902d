// What FHIR clients read is valid R4 (issue 19): every kind of answer the server gives
// (CapabilityStatement, searchset, history, transaction-response, OperationOutcome, Parameters,
// each conformance resource) passes the official R4 JSON Schema (tests/data/fhir.schema.json.gz)
// and the project's validator against the core definitions; and the cases the outside
// conformance suite found: R4 types only, dates to the year 9999, unknown operations alike at
// every level, conformance resources public to every partner, AuditEvent agent as a token.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/definitions.h"
#include "fhir/json.h"
#include "fhir_json_schema.h"
#include "harness.h"
#include "json_helpers.h"
#include "sample_resources.h"
#include "validation/validator.h"

namespace sp::testing {
namespace {

namespace fs = std::filesystem;

const std::string kOds = "https://fhir.nhs.uk/Id/ods-organization-code";

FhirJsonSchema& schema() {
  static FhirJsonSchema s(sourceDir() + "/tests/data/fhir.schema.json.gz");
  return s;
}

const fhir::Definitions& definitions() {
  static const fhir::Definitions d = fhir::Definitions::load(sourceDir() + "/fhir-profiles");
  return d;
}

const validation::Validator& validator() {
  static const validation::Validator v(definitions());
  return v;
}

// Everything both checkers find wrong with one answer body, one line each ("" when nothing).
std::string problems(const std::string& body) {
  std::string out;
  rapidjson::Document plain;  // numbers as numbers, for the schema
  plain.Parse(body.c_str(), body.size());
  if (plain.HasParseError() || !plain.IsObject())
    return "not a JSON object: " + body.substr(0, 200);
  if (const std::string s = schema().check(plain); !s.empty()) out += "\n  schema: " + s;
  rapidjson::Document doc;
  fhir::parseJson(body, doc);
  for (const fhir::Issue& issue : validator().validate(doc)) {
    if (issue.severity != fhir::Severity::kError && issue.severity != fhir::Severity::kFatal) {
      continue;
    }
    out += "\n  validator: " + issue.expression + ": " + issue.diagnostics;
  }
  return out;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The project's MessageDefinitions (fhir-profiles/sp/), by url.
std::set<std::string> messageDefinitionUrls() {
  std::set<std::string> urls;
  for (const auto& f : fs::directory_iterator(sourceDir() + "/fhir-profiles/sp")) {
    if (f.path().filename().string().rfind("MessageDefinition-", 0) != 0) continue;
    urls.insert(at(readFile(f.path()), "/url"));
  }
  return urls;
}

// The resources of a Bundle's entries, each as written.
std::vector<std::string> entryResources(const std::string& bundle) {
  std::vector<std::string> out;
  const rapidjson::Document doc = parse(bundle);
  if (!doc.IsObject() || !doc.HasMember("entry")) return out;
  for (const auto& e : doc["entry"].GetArray()) {
    if (e.HasMember("resource")) out.push_back(write(e["resource"]));
  }
  return out;
}

std::set<std::string> valuesAt(const std::vector<std::string>& resources, const char* pointer) {
  std::set<std::string> out;
  for (const auto& r : resources) out.insert(at(r, pointer));
  return out;
}

class Conformance : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = PostgresCluster::shared().freshDatabase();
    server_ = std::make_unique<ServerProcess>(database_, ServerOptions{true, {"--quiet"}});
    patient_ = create("gp", "Patient", samples::patient("Farrow", R"(,"birthDate":"1950-02-03")"));
  }
  static void TearDownTestSuite() { server_.reset(); }

  static HttpClient as(const std::string& slug) {
    const Certificates& certs = testCertificates();
    return HttpClient(server_->baseUrl(),
                      TlsOptions{certs.ca(), certs.cert(slug), certs.key(slug)});
  }

  static std::string create(const std::string& slug, const std::string& type,
                            const std::string& json) {
    HttpResponse r = as(slug).send("POST", "/" + type, json);
    EXPECT_EQ(r.status, 201) << slug << " " << type << ": " << r.body;
    return at(r.body, "/id");
  }

  static std::string database_;
  static std::unique_ptr<ServerProcess> server_;
  static std::string patient_;
};

std::string Conformance::database_;
std::unique_ptr<ServerProcess> Conformance::server_;
std::string Conformance::patient_;

// --- Every kind of answer is valid R4 ---------------------------------------------------------

TEST_F(Conformance, TheCapabilityStatementIsValidR4) {
  HttpResponse r = as("gp").get("/metadata");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(problems(r.body), "");
  const rapidjson::Document doc = parse(r.body);
  // cpb-14: kind instance needs implementation.
  EXPECT_EQ(std::string(doc["kind"].GetString()), "instance");
  EXPECT_TRUE(doc.HasMember("implementation") && doc["implementation"].HasMember("description"));
  // cpb-12: each search parameter name once per resource; only R4's own types.
  std::set<std::string> types;
  for (const auto& resource : doc["rest"][0]["resource"].GetArray()) {
    const std::string type = resource["type"].GetString();
    types.insert(type);
    EXPECT_TRUE(schema().defines(type)) << type << " is not an R4 resource type";
    std::set<std::string> names;
    for (const auto& p : resource["searchParam"].GetArray()) {
      EXPECT_TRUE(names.insert(p["name"].GetString()).second)
          << type << " lists " << p["name"].GetString() << " twice";
    }
  }
  EXPECT_EQ(types.size(), definitions().resourceTypes().size());
}

TEST_F(Conformance, SearchHistoryTransactionAndErrorAnswersAreValidR4) {
  HttpClient gp = as("gp");
  HttpResponse searchset = gp.get("/Patient?_id=" + patient_ + "&_total=accurate");
  ASSERT_EQ(searchset.status, 200) << searchset.body;
  EXPECT_EQ(entryResources(searchset.body).size(), 1u);
  EXPECT_EQ(problems(searchset.body), "") << searchset.body;

  HttpResponse history = gp.get("/Patient/" + patient_ + "/_history");
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_EQ(problems(history.body), "") << history.body;

  HttpResponse transaction = gp.send("POST", "/",
                                     R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"fullUrl":"urn:uuid:)" + newUuid() +
                                         R"(","resource":)" + samples::patient("Quill") +
                                         R"(,"request":{"method":"POST","url":"Patient"}}]})");
  ASSERT_EQ(transaction.status, 200) << transaction.body;
  EXPECT_EQ(at(transaction.body, "/type"), "transaction-response");
  EXPECT_EQ(problems(transaction.body), "") << transaction.body;

  HttpResponse notFound = gp.get("/Patient/no-such-patient");
  ASSERT_EQ(notFound.status, 404) << notFound.body;
  EXPECT_EQ(at(notFound.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(problems(notFound.body), "") << notFound.body;
}

TEST_F(Conformance, ParametersAndEachConformanceResourceAreValidR4) {
  HttpClient gp = as("gp");
  HttpResponse maps = gp.get("/ConceptMap?_count=1");
  ASSERT_EQ(maps.status, 200) << maps.body;
  const std::vector<std::string> someMap = entryResources(maps.body);
  ASSERT_FALSE(someMap.empty()) << maps.body;
  const std::string mapId = at(someMap.front(), "/id");
  HttpResponse translated = gp.get("/ConceptMap/" + mapId + "/$translate?code=x&system=y");
  ASSERT_EQ(translated.status, 200) << translated.body;
  EXPECT_EQ(at(translated.body, "/resourceType"), "Parameters");
  EXPECT_EQ(problems(translated.body), "") << translated.body;

  for (const char* type : {"MessageDefinition", "ConceptMap", "NamingSystem", "StructureDefinition",
                           "ValueSet", "CodeSystem", "SearchParameter"}) {
    HttpResponse all = gp.get(std::string("/") + type + "?_count=100");
    ASSERT_EQ(all.status, 200) << type << ": " << all.body;
    EXPECT_EQ(problems(all.body), "") << type;
    for (const std::string& resource : entryResources(all.body)) {
      HttpResponse read = gp.get(std::string("/") + type + "/" + at(resource, "/id"));
      ASSERT_EQ(read.status, 200) << read.body;
      EXPECT_EQ(problems(read.body), "") << type << "/" << at(resource, "/id");
    }
  }
}

// --- R4 types only --------------------------------------------------------------------------

TEST_F(Conformance, TypesOfLaterVersionsAreNotServed) {
  EXPECT_FALSE(definitions().isResourceType("SubscriptionStatus"));
  HttpResponse r = as("gp").get("/SubscriptionStatus");
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(at(r.body, "/issue/0/code"), "not-supported") << r.body;
  HttpResponse metadata = as("gp").get("/metadata");
  EXPECT_EQ(metadata.body.find("\"SubscriptionStatus\""), std::string::npos);
}

// --- Dates up to 9999 -----------------------------------------------------------------------

TEST_F(Conformance, DatesUpToTheYear9999AreSearchable) {
  HttpClient gp = as("gp");
  HttpResponse noUpperBound = gp.get("/Patient?_id=" + patient_ + "&birthdate=le9999-12-31");
  ASSERT_EQ(noUpperBound.status, 200) << noUpperBound.body;
  EXPECT_EQ(entryResources(noUpperBound.body).size(), 1u) << noUpperBound.body;
  HttpResponse after = gp.get("/Patient?_id=" + patient_ + "&birthdate=gt2262-04-12");
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(entryResources(after.body).size(), 0u) << after.body;
  for (const char* since : {"2262-04-10T00:00:00Z", "9999-12-31T23:59:59Z"}) {
    HttpResponse history = gp.get(std::string("/_history?_since=") + since);
    ASSERT_EQ(history.status, 200) << since << ": " << history.body;
    EXPECT_EQ(entryResources(history.body).size(), 0u) << history.body;
  }
  HttpResponse bad = gp.get("/Patient?birthdate=le10000-01-01");
  EXPECT_EQ(bad.status, 400) << bad.body;
}

// --- Unknown operations ---------------------------------------------------------------------

TEST_F(Conformance, AnUnknownOperationIs404NotSupportedAtEveryLevel) {
  HttpClient gp = as("gp");
  for (const std::string& path :
       std::vector<std::string>{"/$export", "/Patient/$export", "/ValueSet/$expand",
                                "/CodeSystem/$lookup", "/Patient/" + patient_ + "/$everything"}) {
    HttpResponse r = gp.get(path);
    EXPECT_EQ(r.status, 404) << path << ": " << r.body;
    EXPECT_EQ(at(r.body, "/issue/0/code"), "not-supported") << path << ": " << r.body;
    const std::string operation = path.substr(path.rfind('/') + 1);
    EXPECT_NE(at(r.body, "/issue/0/diagnostics").find(operation), std::string::npos)
        << path << ": " << r.body;
  }
}

// --- Conformance resources are public -------------------------------------------------------

TEST_F(Conformance, EveryPartnerFindsTheMessageDefinitions) {
  const std::set<std::string> urls = messageDefinitionUrls();
  ASSERT_FALSE(urls.empty());
  for (const char* slug : {"gp", "spor", "linkworker", "vcse-walking", "admin", "commissioner"}) {
    HttpResponse all = as(slug).get("/MessageDefinition?_count=100");
    ASSERT_EQ(all.status, 200) << slug << ": " << all.body;
    EXPECT_EQ(valuesAt(entryResources(all.body), "/url"), urls) << slug;
    // docs/messaging.md: every one has the social prescribing referral as its focus.
    HttpResponse byContext =
        as(slug).get("/MessageDefinition?context=http://snomed.info/sct%7C871731000000106");
    ASSERT_EQ(byContext.status, 200) << slug << ": " << byContext.body;
    EXPECT_EQ(valuesAt(entryResources(byContext.body), "/url"), urls) << slug;
  }
  // CapabilityStatement.messaging points at the same definitions.
  const rapidjson::Document metadata = parse(as("gp").get("/metadata").body);
  std::set<std::string> supported;
  for (const auto& m : metadata["messaging"][0]["supportedMessage"].GetArray()) {
    supported.insert(m["definition"].GetString());
  }
  EXPECT_EQ(supported, urls);
}

// --- AuditEvent agent is a token ------------------------------------------------------------

TEST_F(Conformance, AuditEventAgentTakesSystemAndCode) {
  HttpClient admin = as("admin");
  ASSERT_EQ(as("gp").get("/Patient/" + patient_).status, 200);
  HttpResponse byCode = admin.get("/AuditEvent?agent=A81001&_count=100");
  ASSERT_EQ(byCode.status, 200) << byCode.body;
  const std::set<std::string> ids = valuesAt(entryResources(byCode.body), "/id");
  ASSERT_FALSE(ids.empty()) << byCode.body;
  HttpResponse bySystemAndCode = admin.get("/AuditEvent?agent=" + kOds + "%7CA81001&_count=100");
  ASSERT_EQ(bySystemAndCode.status, 200) << bySystemAndCode.body;
  const std::vector<std::string> found = entryResources(bySystemAndCode.body);
  EXPECT_FALSE(found.empty()) << bySystemAndCode.body;
  EXPECT_EQ(valuesAt(found, "/agent/0/who/identifier/value"), std::set<std::string>{"A81001"});
  HttpResponse otherSystem = admin.get("/AuditEvent?agent=https://example.org/ids%7CA81001");
  ASSERT_EQ(otherSystem.status, 200) << otherSystem.body;
  EXPECT_TRUE(entryResources(otherSystem.body).empty()) << otherSystem.body;
  EXPECT_EQ(problems(byCode.body), "");
}

}  // namespace
}  // namespace sp::testing
