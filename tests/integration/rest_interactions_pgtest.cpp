// The REST interactions over real HTTP against a real PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>

#include "harness.h"
#include "json_helpers.h"
#include "sample_resources.h"

namespace sp::testing {
namespace {

const char* kPatient =
    R"({"resourceType":"Patient","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000009"}],"name":[{"family":"Smith","given":["Jo"]}],"gender":"female"})";

class RestInteractions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(PostgresCluster::shared().freshDatabase());
  }
  static void TearDownTestSuite() { server_.reset(); }

  HttpClient client_{server_->baseUrl()};

  // Creates a resource and returns its id.
  std::string create(const std::string& type, const std::string& json) {
    HttpResponse r = client_.send("POST", "/" + type, json);
    EXPECT_EQ(r.status, 201) << r.body;
    return at(r.body, "/id");
  }

  static std::unique_ptr<ServerProcess> server_;
};

std::unique_ptr<ServerProcess> RestInteractions::server_;

TEST_F(RestInteractions, CreateAssignsIdMetaAndHeaders) {
  HttpResponse r = client_.send("POST", "/Patient", kPatient);
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = at(r.body, "/id");
  EXPECT_EQ(id.size(), 36u);
  EXPECT_EQ(at(r.body, "/meta/versionId"), "1");
  EXPECT_FALSE(at(r.body, "/meta/lastUpdated").empty());
  EXPECT_EQ(r.header("etag"), "W/\"1\"");
  EXPECT_EQ(r.header("location"), server_->baseUrl() + "/Patient/" + id + "/_history/1");
  EXPECT_FALSE(r.header("last-modified").empty());
  EXPECT_EQ(r.header("content-type").rfind("application/fhir+json", 0), 0u);
}

TEST_F(RestInteractions, CreateIgnoresClientIdAndMeta) {
  HttpResponse r = client_.send(
      "POST", "/Patient",
      R"({"resourceType":"Patient","id":"mine","meta":{"versionId":"7","lastUpdated":"2001-01-01T00:00:00Z"}})");
  ASSERT_EQ(r.status, 201);
  EXPECT_NE(at(r.body, "/id"), "mine");
  EXPECT_EQ(at(r.body, "/meta/versionId"), "1");
  EXPECT_NE(at(r.body, "/meta/lastUpdated"), "2001-01-01T00:00:00Z");
}

TEST_F(RestInteractions, ReadReturnsWhatWasStoredWithDecimalsIntact) {
  const std::string id = create(
      "Observation",
      R"({"resourceType":"Observation","status":"final","code":{"text":"WEMWBS"},"valueQuantity":{"value":1.50,"unit":"score"}})");
  HttpResponse r = client_.get("/Observation/" + id);
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("\"value\":1.50"), std::string::npos) << r.body;
  EXPECT_EQ(r.header("etag"), "W/\"1\"");
}

TEST_F(RestInteractions, ReadUnknownIs404WithOperationOutcome) {
  HttpResponse r = client_.get("/Patient/does-not-exist");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(at(r.body, "/issue/0/code"), "not-found");
}

TEST_F(RestInteractions, UpdateMakesNewVersionAndVreadReturnsOld) {
  const std::string id = create("Patient", kPatient);
  const std::string body =
      R"({"resourceType":"Patient","id":")" + id + R"(","name":[{"family":"Jones"}]})";
  HttpResponse u = client_.send("PUT", "/Patient/" + id, body);
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(at(u.body, "/meta/versionId"), "2");
  EXPECT_EQ(u.header("etag"), "W/\"2\"");
  EXPECT_EQ(at(client_.get("/Patient/" + id + "/_history/1").body, "/name/0/family"), "Smith");
  EXPECT_EQ(at(client_.get("/Patient/" + id + "/_history/2").body, "/name/0/family"), "Jones");
  EXPECT_EQ(client_.get("/Patient/" + id + "/_history/3").status, 404);
}

TEST_F(RestInteractions, UpdateCreatesWithClientChosenId) {
  HttpResponse r = client_.send("PUT", "/Patient/client-chosen-1",
                                R"({"resourceType":"Patient","id":"client-chosen-1"})");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(at(r.body, "/id"), "client-chosen-1");
  EXPECT_EQ(client_.get("/Patient/client-chosen-1").status, 200);
}

TEST_F(RestInteractions, UpdateWithStaleIfMatchIs412) {
  const std::string id = create("Patient", kPatient);
  const std::string body = R"({"resourceType":"Patient","id":")" + id + R"("})";
  EXPECT_EQ(client_.send("PUT", "/Patient/" + id, body, {"If-Match: W/\"1\""}).status, 200);
  HttpResponse stale = client_.send("PUT", "/Patient/" + id, body, {"If-Match: W/\"1\""});
  EXPECT_EQ(stale.status, 412);
  EXPECT_EQ(at(stale.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(at(client_.get("/Patient/" + id).body, "/meta/versionId"), "2");
}

TEST_F(RestInteractions, IfNoneMatchOnCurrentVersionIs304) {
  const std::string id = create("Patient", kPatient);
  HttpResponse r = client_.get("/Patient/" + id, {"If-None-Match: W/\"1\""});
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(client_.get("/Patient/" + id, {"If-None-Match: W/\"9\""}).status, 200);
}

TEST_F(RestInteractions, DeleteKeepsHistoryAndReadIs410) {
  const std::string id = create("Patient", kPatient);
  EXPECT_EQ(client_.request("DELETE", "/Patient/" + id).status, 204);
  HttpResponse gone = client_.get("/Patient/" + id);
  EXPECT_EQ(gone.status, 410);
  EXPECT_EQ(at(gone.body, "/issue/0/code"), "deleted");
  EXPECT_EQ(client_.get("/Patient/" + id + "/_history/1").status, 200);
  HttpResponse history = client_.get("/Patient/" + id + "/_history");
  ASSERT_EQ(history.status, 200);
  EXPECT_EQ(arraySize(history.body, "/entry"), 2u);
  EXPECT_EQ(at(history.body, "/entry/0/request/method"), "DELETE");
  EXPECT_EQ(at(history.body, "/entry/1/request/method"), "POST");
  // Deleting again changes nothing.
  EXPECT_EQ(client_.request("DELETE", "/Patient/" + id).status, 204);
  EXPECT_EQ(arraySize(client_.get("/Patient/" + id + "/_history").body, "/entry"), 2u);
}

TEST_F(RestInteractions, TypeHistoryPagesWithCountAndNextLink) {
  for (int i = 0; i < 3; ++i)
    create(
        "Flag",
        R"({"resourceType":"Flag","status":"active","code":{"text":"x"},"subject":{"reference":"Patient/p"}})");
  HttpResponse first = client_.get("/Flag/_history?_count=2");
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(at(first.body, "/type"), "history");
  EXPECT_EQ(arraySize(first.body, "/entry"), 2u);
  EXPECT_EQ(at(first.body, "/link/1/relation"), "next");
  std::string next = at(first.body, "/link/1/url");
  next = next.substr(server_->baseUrl().size());
  HttpResponse second = client_.get(next);
  ASSERT_EQ(second.status, 200) << second.body;
  EXPECT_EQ(arraySize(second.body, "/entry"), 1u);
  EXPECT_NE(at(first.body, "/entry/0/fullUrl"), at(second.body, "/entry/0/fullUrl"));
}

TEST_F(RestInteractions, HistorySinceFiltersOlderVersions) {
  const std::string id = create("Patient", kPatient);
  HttpResponse r = client_.get("/Patient/" + id + "/_history?_since=2200-01-01T00:00:00Z");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(arraySize(r.body, "/entry"), 0u);
  EXPECT_EQ(client_.get("/Patient/" + id + "/_history?_since=yesterday").status, 400);
}

TEST_F(RestInteractions, JsonPatchChangesResource) {
  const std::string id = create("Patient", kPatient);
  HttpResponse r = client_.request(
      "PATCH", "/Patient/" + id, R"([{"op":"replace","path":"/gender","value":"male"}])",
      {"Content-Type: application/json-patch+json", "If-Match: W/\"1\""});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(at(r.body, "/gender"), "male");
  EXPECT_EQ(at(r.body, "/meta/versionId"), "2");
}

TEST_F(RestInteractions, JsonPatchFailuresAnswerClearly) {
  const std::string id = create("Patient", kPatient);
  const std::vector<std::string> patchType = {"Content-Type: application/json-patch+json"};
  EXPECT_EQ(client_
                .request("PATCH", "/Patient/" + id,
                         R"([{"op":"test","path":"/gender","value":"male"}])", patchType)
                .status,
            422);
  EXPECT_EQ(client_.request("PATCH", "/Patient/" + id, R"({"op":"add"})", patchType).status, 400);
  EXPECT_EQ(client_
                .request("PATCH", "/Patient/" + id,
                         R"([{"op":"replace","path":"/id","value":"other"}])", patchType)
                .status,
            422);
  EXPECT_EQ(client_.send("PATCH", "/Patient/" + id, R"([])").status, 415);
  EXPECT_EQ(at(client_.get("/Patient/" + id).body, "/meta/versionId"), "1");
}

TEST_F(RestInteractions, ConditionalCreateReturnsExistingMatch) {
  const std::string json =
      R"({"resourceType":"Organization","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"COND001"}],"name":"Riverside"})";
  const std::string condition =
      "If-None-Exist: identifier=https://fhir.nhs.uk/Id/ods-organization-code|COND001";
  HttpResponse first = client_.send("POST", "/Organization", json, {condition});
  ASSERT_EQ(first.status, 201) << first.body;
  HttpResponse second = client_.send("POST", "/Organization", json, {condition});
  EXPECT_EQ(second.status, 200);
  EXPECT_EQ(at(second.body, "/id"), at(first.body, "/id"));
  EXPECT_EQ(client_.send("POST", "/Organization", json, {"If-None-Exist: name=Riverside"}).status,
            400);
}

TEST_F(RestInteractions, ConditionalUpdateCreatesThenUpdatesTheMatch) {
  const std::string path =
      "/Organization?identifier=https://fhir.nhs.uk/Id/ods-organization-code%7CCOND002";
  const std::string json =
      R"({"resourceType":"Organization","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"COND002"}],"name":"A"})";
  HttpResponse created = client_.send("PUT", path, json);
  ASSERT_EQ(created.status, 201) << created.body;
  HttpResponse updated = client_.send("PUT", path, json);
  EXPECT_EQ(updated.status, 200) << updated.body;
  EXPECT_EQ(at(updated.body, "/id"), at(created.body, "/id"));
  EXPECT_EQ(at(updated.body, "/meta/versionId"), "2");
}

TEST_F(RestInteractions, PreferControlsTheBody) {
  HttpResponse minimal = client_.send("POST", "/Patient", kPatient, {"Prefer: return=minimal"});
  EXPECT_EQ(minimal.status, 201);
  EXPECT_TRUE(minimal.body.empty());
  EXPECT_FALSE(minimal.header("location").empty());
  HttpResponse outcome =
      client_.send("POST", "/Patient", kPatient, {"Prefer: return=OperationOutcome"});
  EXPECT_EQ(outcome.status, 201);
  EXPECT_EQ(at(outcome.body, "/resourceType"), "OperationOutcome");
}

TEST_F(RestInteractions, ContentNegotiation) {
  EXPECT_EQ(client_.get("/metadata", {"Accept: application/fhir+json"}).status, 200);
  EXPECT_EQ(client_.get("/metadata", {"Accept: application/json"}).status, 200);
  EXPECT_EQ(client_.get("/metadata", {"Accept: application/fhir+json; version=1.0.0"}).status, 200);
  EXPECT_EQ(client_.get("/metadata", {"Accept: application/fhir+json; version=2.0.0"}).status, 406);
  HttpResponse xml = client_.get("/metadata", {"Accept: application/fhir+xml"});
  EXPECT_EQ(xml.status, 406);
  EXPECT_EQ(at(xml.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(client_.get("/metadata?_format=xml").status, 406);
  EXPECT_EQ(client_.get("/metadata?_format=json").status, 200);
  HttpResponse form = client_.request("POST", "/Patient", kPatient,
                                      {"Content-Type: application/x-www-form-urlencoded"});
  EXPECT_EQ(form.status, 415);
  EXPECT_EQ(client_.request("POST", "/Patient", kPatient).status, 415);
}

TEST_F(RestInteractions, StructuralErrorsAreRejectedWithOutcome) {
  struct Case {
    std::string method, path, body;
    long status;
  };
  const std::vector<Case> cases = {
      {"POST", "/Patient", R"({"resourceType":"Patient",)", 400},              // malformed
      {"POST", "/Patient", R"([1,2])", 400},                                   // not an object
      {"POST", "/Patient", R"({"name":[]})", 400},                             // no resourceType
      {"POST", "/Patient", R"({"resourceType":"Observation"})", 400},          // wrong type
      {"POST", "/Patient", R"({"resourceType":"Patient","a":1,"a":2})", 400},  // duplicate key
      {"POST", "/Patient", "{\"resourceType\":\"Patient\",\"x\":\"a\\u0001b\"}", 400},
      {"POST", "/Unicorn", R"({"resourceType":"Unicorn"})", 404},                // unknown type
      {"PUT", "/Patient/abc", R"({"resourceType":"Patient","id":"xyz"})", 400},  // id mismatch
      {"PUT", "/Patient/abc", R"({"resourceType":"Patient"})", 400},             // no id
      {"PUT", "/Patient/bad_id!", R"({"resourceType":"Patient","id":"bad_id!"})", 400},
      {"DELETE", "/Patient", "", 405},
      {"PATCH", "/metadata", "", 405},
  };
  for (const Case& c : cases) {
    HttpResponse r = client_.send(c.method, c.path, c.body);
    EXPECT_EQ(r.status, c.status) << c.method << " " << c.path << " " << c.body << "\n" << r.body;
    EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome") << c.body;
    EXPECT_FALSE(at(r.body, "/issue/0/diagnostics").empty()) << c.body;
  }
}

TEST_F(RestInteractions, DeepJsonIsRejected) {
  std::string deep = R"({"resourceType":"Patient","extension":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  for (int i = 0; i < 100; ++i) deep += "]";
  deep += "}";
  HttpResponse r = client_.send("POST", "/Patient", deep);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(at(r.body, "/issue/0/diagnostics").find("deeper"), std::string::npos);
}

TEST_F(RestInteractions, OversizedBodyIs413) {
  std::string big = R"({"resourceType":"Patient","text":{"div":")";
  big += std::string(5 * 1024 * 1024, 'a');
  big += "\"}}";
  HttpResponse r = client_.send("POST", "/Patient", big);
  EXPECT_EQ(r.status, 413) << r.error;
}

TEST_F(RestInteractions, MetadataListsEveryResourceType) {
  HttpResponse r = client_.get("/metadata");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(at(r.body, "/resourceType"), "CapabilityStatement");
  EXPECT_EQ(at(r.body, "/fhirVersion"), "4.0.1");
  EXPECT_GE(arraySize(r.body, "/rest/0/resource"), 145u);
  EXPECT_NE(r.body.find("\"type\":\"ServiceRequest\""), std::string::npos);
  EXPECT_NE(r.body.find("\"type\":\"Appointment\""), std::string::npos);
}

TEST_F(RestInteractions, MetadataListsTheProjectsOperations) {
  HttpResponse r = client_.get("/metadata");
  ASSERT_EQ(r.status, 200);
  const rapidjson::Document doc = parse(r.body);
  std::vector<std::string> systemOperations;
  for (const auto& op : doc["rest"][0]["operation"].GetArray()) {
    systemOperations.push_back(at(op, "/name") + " " + at(op, "/definition"));
  }
  EXPECT_NE(std::find(systemOperations.begin(), systemOperations.end(),
                      "impact-report https://fhir.social-prescribing.example.org/"
                      "OperationDefinition/impact-report"),
            systemOperations.end())
      << ::testing::PrintToString(systemOperations);
  std::vector<std::string> serviceOperations;
  for (const auto& resource : doc["rest"][0]["resource"].GetArray()) {
    if (std::string(resource["type"].GetString()) != "HealthcareService") continue;
    for (const auto& op : resource["operation"].GetArray()) {
      serviceOperations.push_back(at(op, "/name") + " " + at(op, "/definition"));
    }
  }
  EXPECT_EQ(serviceOperations,
            (std::vector<std::string>{
                "validate http://hl7.org/fhir/OperationDefinition/Resource-validate",
                "alternatives https://fhir.social-prescribing.example.org/OperationDefinition/"
                "HealthcareService-alternatives"}));
}

TEST_F(RestInteractions, HealthzReportsDatabase) {
  HttpResponse r = client_.get("/healthz");
  EXPECT_EQ(r.status, 200);
}

TEST_F(RestInteractions, EveryReferralBundleTypeCanBeStored) {
  for (const char* type : {"Encounter", "CarePlan", "Consent", "Flag", "Condition", "Appointment",
                           "QuestionnaireResponse", "MedicationStatement", "RelatedPerson"}) {
    // The smallest resource of the type that meets its required elements and invariants.
    HttpResponse r = client_.send("POST", std::string("/") + type, samples::minimal(type));
    EXPECT_EQ(r.status, 201) << type << " " << r.body;
  }
}

}  // namespace
}  // namespace sp::testing
