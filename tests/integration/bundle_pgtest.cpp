// batch and transaction Bundles on POST / over real HTTP against a real PostgreSQL.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "harness.h"
#include "json_helpers.h"
#include "sample_resources.h"

namespace sp::testing {
namespace {

// Standard padded base64 (RFC 4648), for the Binary of a PATCH entry.
std::string base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) |
                       (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

// One Bundle entry. `request` is the inside of entry.request, e.g. "method":"POST","url":"Patient".
std::string entry(const std::string& fullUrl, const std::string& resource,
                  const std::string& request) {
  std::string e = "{";
  if (!fullUrl.empty()) e += R"("fullUrl":")" + fullUrl + R"(",)";
  if (!resource.empty()) e += R"("resource":)" + resource + ",";
  e += R"("request":{)" + request + "}}";
  return e;
}

std::string bundle(const std::string& type, const std::vector<std::string>& entries) {
  std::string b = R"({"resourceType":"Bundle","type":")" + type + R"(","entry":[)";
  for (std::size_t i = 0; i < entries.size(); ++i) b += (i ? "," : "") + entries[i];
  return b + "]}";
}

// "Patient/abc/_history/1" -> "abc".
std::string idFromLocation(const std::string& location) {
  const auto first = location.find('/');
  const auto second = location.find('/', first + 1);
  if (first == std::string::npos) return "";
  return location.substr(first + 1,
                         second == std::string::npos ? std::string::npos : second - first - 1);
}

std::string entryPointer(std::size_t i, const std::string& rest) {
  return "/entry/" + std::to_string(i) + rest;
}

std::string entryAt(const std::string& json, std::size_t i, const std::string& rest) {
  return at(json, entryPointer(i, rest).c_str());
}

// With a narrative, so its writes raise no warning and successful entries carry no outcome.
const std::string kPatient = samples::patient("Okafor", R"(,"gender":"female")");

class Bundles : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(PostgresCluster::shared().freshDatabase());
  }
  static void TearDownTestSuite() { server_.reset(); }

  HttpClient client_{server_->baseUrl()};

  HttpResponse post(const std::string& json) { return client_.send("POST", "/", json); }

  std::string create(const std::string& type, const std::string& json) {
    HttpResponse r = client_.send("POST", "/" + type, json);
    EXPECT_EQ(r.status, 201) << r.body;
    return at(r.body, "/id");
  }

  // Number of versions of every resource in the database (system history).
  std::size_t versionCount() {
    HttpResponse r = client_.get("/_history?_count=500");
    EXPECT_EQ(r.status, 200) << r.body;
    const std::size_t n = arraySize(r.body, "/entry");
    EXPECT_LT(n, 500u) << "too many versions for this count";
    return n;
  }

  static std::unique_ptr<ServerProcess> server_;
};

std::unique_ptr<ServerProcess> Bundles::server_;

TEST_F(Bundles, TransactionResolvesUrnUuidReferencesBetweenEntries) {
  const std::string patientUrn = "urn:uuid:6f1c1b0e-6d3a-4c1e-9e4b-0d6b2a1f0001";
  const std::string requestUrn = "urn:uuid:6f1c1b0e-6d3a-4c1e-9e4b-0d6b2a1f0002";
  const std::string taskUrn = "urn:uuid:6f1c1b0e-6d3a-4c1e-9e4b-0d6b2a1f0003";
  const std::string json =
      bundle("transaction", {entry(patientUrn, kPatient, R"("method":"POST","url":"Patient")"),
                             entry(requestUrn, samples::referral(patientUrn),
                                   R"("method":"POST","url":"ServiceRequest")"),
                             entry(taskUrn, samples::referralTask(requestUrn, patientUrn),
                                   R"("method":"POST","url":"Task")")});
  HttpResponse r = post(json);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(at(r.body, "/resourceType"), "Bundle");
  EXPECT_EQ(at(r.body, "/type"), "transaction-response");
  ASSERT_EQ(arraySize(r.body, "/entry"), 3u) << r.body;
  const char* types[] = {"Patient", "ServiceRequest", "Task"};
  std::string ids[3];
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(entryAt(r.body, i, "/response/status"), "201 Created") << r.body;
    const std::string location = entryAt(r.body, i, "/response/location");
    EXPECT_EQ(location.rfind(std::string(types[i]) + "/", 0), 0u) << location;
    EXPECT_NE(location.find("/_history/1"), std::string::npos) << location;
    ids[i] = idFromLocation(location);
    EXPECT_EQ(ids[i].size(), 36u) << location;
    EXPECT_EQ(entryAt(r.body, i, "/response/etag"), "W/\"1\"");
  }
  EXPECT_NE(ids[0], ids[1]);
  EXPECT_NE(ids[1], ids[2]);

  HttpResponse patient = client_.get("/Patient/" + ids[0]);
  ASSERT_EQ(patient.status, 200) << patient.body;
  EXPECT_EQ(at(patient.body, "/name/0/family"), "Okafor");

  HttpResponse request = client_.get("/ServiceRequest/" + ids[1]);
  ASSERT_EQ(request.status, 200) << request.body;
  EXPECT_EQ(at(request.body, "/subject/reference"), "Patient/" + ids[0]);

  HttpResponse task = client_.get("/Task/" + ids[2]);
  ASSERT_EQ(task.status, 200) << task.body;
  EXPECT_EQ(at(task.body, "/focus/reference"), "ServiceRequest/" + ids[1]);
  EXPECT_EQ(at(task.body, "/for/reference"), "Patient/" + ids[0]);
  EXPECT_EQ(task.body.find("urn:uuid:"), std::string::npos) << task.body;
}

TEST_F(Bundles, FailedTransactionEntryLeavesNothingBehind) {
  // A Patient at version 2, so If-Match W/"1" is stale; and a Flag the transaction deletes.
  const std::string existing = create("Patient", kPatient);
  ASSERT_EQ(client_
                .send("PUT", "/Patient/" + existing,
                      R"({"resourceType":"Patient","id":")" + existing + R"(","gender":"male"})")
                .status,
            200);
  const std::string flag = create(
      "Flag",
      R"({"resourceType":"Flag","status":"active","code":{"text":"x"},"subject":{"reference":"Patient/p"}})");
  const std::size_t before = versionCount();

  const std::string urn = "urn:uuid:0d3d0c5e-2b7a-4f43-8a55-7c1d3e000001";
  const std::string json =
      bundle("transaction",
             {entry(urn, kPatient, R"("method":"POST","url":"Patient")"),
              entry("",
                    R"({"resourceType":"Observation","status":"final","code":{"text":"WEMWBS"},)"
                    R"("subject":{"reference":")" +
                        urn + R"("}})",
                    R"("method":"POST","url":"Observation")"),
              entry("", R"({"resourceType":"Patient","id":")" + existing + R"(","gender":"other"})",
                    R"("method":"PUT","url":"Patient/)" + existing + R"(","ifMatch":"W/\"1\"")"),
              entry("", "", R"("method":"DELETE","url":"Flag/)" + flag + "\"")});
  HttpResponse r = post(json);
  EXPECT_EQ(r.status, 412) << r.body;
  EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome") << r.body;
  EXPECT_EQ(at(r.body, "/issue/0/severity"), "error");
  EXPECT_EQ(at(r.body, "/issue/0/code"), "conflict");
  EXPECT_EQ(at(r.body, "/issue/0/expression/0").rfind("Bundle.entry[2]", 0), 0u) << r.body;
  EXPECT_FALSE(at(r.body, "/issue/0/diagnostics").empty());

  // No version written, the DELETE (which ran first) undone, the PUT target unchanged.
  EXPECT_EQ(versionCount(), before);
  EXPECT_EQ(arraySize(client_.get("/Observation/_history").body, "/entry"), 0u);
  HttpResponse stillThere = client_.get("/Flag/" + flag);
  EXPECT_EQ(stillThere.status, 200) << stillThere.body;
  HttpResponse unchanged = client_.get("/Patient/" + existing);
  EXPECT_EQ(at(unchanged.body, "/meta/versionId"), "2");
  EXPECT_EQ(at(unchanged.body, "/gender"), "male");
}

// Entries refused for their content do not hide each other: the answer names each of them (in
// the order they ran), with the first refusal's status, and nothing is written.
TEST_F(Bundles, ATransactionRefusedForContentNamesEveryFailingEntry) {
  const std::size_t before = versionCount();
  const std::string json =
      bundle("transaction", {entry("", R"({"resourceType":"Patient","gender":"robot"})",
                                   R"("method":"POST","url":"Patient")"),
                             entry("", kPatient, R"("method":"POST","url":"Patient")"),
                             entry("",
                                   R"({"resourceType":"Flag","status":"lost","code":{"text":"x"},)"
                                   R"("subject":{"reference":"Patient/p"}})",
                                   R"("method":"POST","url":"Flag")"),
                             entry("", R"({"resourceType":"Observation","code":{"text":"WEMWBS"}})",
                                   R"("method":"POST","url":"Observation")")});
  HttpResponse r = post(json);
  EXPECT_EQ(r.status, 422) << r.body;
  std::vector<std::string> where;
  rapidjson::Document outcome = parse(r.body);
  for (const auto& issue : outcome["issue"].GetArray()) {
    if (at(issue, "/severity") == "error") where.push_back(at(issue, "/expression/0"));
  }
  for (const char* entry : {"Bundle.entry[0].resource.gender", "Bundle.entry[2].resource.status",
                            "Bundle.entry[3].resource.status"}) {
    EXPECT_NE(std::find(where.begin(), where.end(), entry), where.end()) << entry << "\n" << r.body;
  }
  for (const auto& w : where) EXPECT_EQ(w.rfind("Bundle.entry[1]", 0), std::string::npos) << w;
  EXPECT_EQ(versionCount(), before);
}

TEST_F(Bundles, TransactionEntryWithIdMismatchFailsWholeTransaction) {
  const std::size_t before = versionCount();
  const std::string json =
      bundle("transaction", {entry("urn:uuid:0d3d0c5e-2b7a-4f43-8a55-7c1d3e000002", kPatient,
                                   R"("method":"POST","url":"Patient")"),
                             entry("", R"({"resourceType":"Patient","id":"tx-ok-1"})",
                                   R"("method":"PUT","url":"Patient/tx-ok-1")"),
                             entry("", R"({"resourceType":"Patient","id":"tx-other"})",
                                   R"("method":"PUT","url":"Patient/tx-mismatch")")});
  HttpResponse r = post(json);
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(at(r.body, "/issue/0/expression/0"), "Bundle.entry[2].resource.id") << r.body;
  EXPECT_EQ(versionCount(), before);
  EXPECT_EQ(client_.get("/Patient/tx-ok-1").status, 404);
  EXPECT_EQ(client_.get("/Patient/tx-mismatch").status, 404);
}

TEST_F(Bundles, TransactionConditionalCreateResolvesToExistingResource) {
  const std::string organisation =
      R"({"resourceType":"Organization","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"TXC001"}],"name":"Walking Friends"})";
  const std::string existing = create("Organization", organisation);
  const std::size_t organisationsBefore =
      arraySize(client_.get("/Organization/_history").body, "/entry");

  const std::string urn = "urn:uuid:9a0b7c3e-1111-4a2b-9c3d-000000000001";
  const std::string json = bundle(
      "transaction",
      {entry(urn, organisation,
             R"("method":"POST","url":"Organization",)"
             R"("ifNoneExist":"identifier=https://fhir.nhs.uk/Id/ods-organization-code|TXC001")"),
       entry("", samples::directoryEntry(urn, "Walks"),
             R"("method":"POST","url":"HealthcareService")")});
  HttpResponse r = post(json);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(at(r.body, "/type"), "transaction-response");
  EXPECT_EQ(entryAt(r.body, 0, "/response/status"), "200 OK") << r.body;
  EXPECT_EQ(idFromLocation(entryAt(r.body, 0, "/response/location")), existing) << r.body;
  EXPECT_EQ(entryAt(r.body, 1, "/response/status"), "201 Created") << r.body;
  const std::string serviceId = idFromLocation(entryAt(r.body, 1, "/response/location"));
  HttpResponse service = client_.get("/HealthcareService/" + serviceId);
  ASSERT_EQ(service.status, 200) << service.body;
  EXPECT_EQ(at(service.body, "/providedBy/reference"), "Organization/" + existing);
  // No second Organization and no new version of the existing one.
  EXPECT_EQ(arraySize(client_.get("/Organization/_history").body, "/entry"), organisationsBefore);
  EXPECT_EQ(at(client_.get("/Organization/" + existing).body, "/meta/versionId"), "1");
}

TEST_F(Bundles, TransactionConditionalCreateWithoutMatchCreates) {
  const std::string urn = "urn:uuid:9a0b7c3e-1111-4a2b-9c3d-000000000002";
  const std::string json = bundle(
      "transaction",
      {entry(
           urn,
           R"({"resourceType":"Organization","identifier":[{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":"TXC002"}]})",
           R"("method":"POST","url":"Organization",)"
           R"("ifNoneExist":"identifier=https://fhir.nhs.uk/Id/ods-organization-code|TXC002")"),
       entry("", samples::directoryEntry(urn), R"("method":"POST","url":"HealthcareService")")});
  HttpResponse r = post(json);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(entryAt(r.body, 0, "/response/status"), "201 Created") << r.body;
  const std::string organisationId = idFromLocation(entryAt(r.body, 0, "/response/location"));
  EXPECT_EQ(client_.get("/Organization/" + organisationId).status, 200);
  const std::string serviceId = idFromLocation(entryAt(r.body, 1, "/response/location"));
  EXPECT_EQ(at(client_.get("/HealthcareService/" + serviceId).body, "/providedBy/reference"),
            "Organization/" + organisationId);
}

TEST_F(Bundles, TransactionChangingOneResourceTwiceIs400) {
  const std::size_t before = versionCount();
  struct Case {
    std::string name;
    std::vector<std::string> entries;
  };
  const std::vector<Case> cases = {
      {"two PUTs",
       {entry("", R"({"resourceType":"Patient","id":"twice-1","gender":"male"})",
              R"("method":"PUT","url":"Patient/twice-1")"),
        entry("", R"({"resourceType":"Patient","id":"twice-1","gender":"female"})",
              R"("method":"PUT","url":"Patient/twice-1")")}},
      {"PUT and DELETE",
       {entry("", R"({"resourceType":"Patient","id":"twice-2"})",
              R"("method":"PUT","url":"Patient/twice-2")"),
        entry("", "", R"("method":"DELETE","url":"Patient/twice-2")")}},
  };
  for (const Case& c : cases) {
    HttpResponse r = post(bundle("transaction", c.entries));
    EXPECT_EQ(r.status, 400) << c.name << "\n" << r.body;
    EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome") << c.name;
    EXPECT_EQ(at(r.body, "/issue/0/code"), "business-rule") << c.name << "\n" << r.body;
    EXPECT_EQ(at(r.body, "/issue/0/expression/0"), "Bundle.entry[1]") << c.name << "\n" << r.body;
  }
  EXPECT_EQ(client_.get("/Patient/twice-1").status, 404);
  EXPECT_EQ(client_.get("/Patient/twice-2").status, 404);
  EXPECT_EQ(versionCount(), before);
}

TEST_F(Bundles, BatchRunsEachEntryOnItsOwn) {
  const std::string json = bundle(
      "batch", {entry("", kPatient, R"("method":"POST","url":"Patient")"),
                entry("", "", R"("method":"GET","url":"Patient/no-such-patient")"),
                entry("", R"({"resourceType":"Unicorn"})", R"("method":"POST","url":"Unicorn")"),
                R"({"resource":{"resourceType":"Patient"}})",  // no request at all
                entry("", R"({"resourceType":"Patient","id":"batch-a"})",
                      R"("method":"PUT","url":"Patient/batch-b")"),
                entry("", R"({"resourceType":"Patient","id":"batch-c"})",
                      R"("method":"PUT","url":"Patient/batch-c")")});
  HttpResponse r = post(json);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(at(r.body, "/type"), "batch-response");
  ASSERT_EQ(arraySize(r.body, "/entry"), 6u) << r.body;

  // 0: created.
  EXPECT_EQ(entryAt(r.body, 0, "/response/status"), "201 Created");
  const std::string created = idFromLocation(entryAt(r.body, 0, "/response/location"));
  ASSERT_EQ(created.size(), 36u) << r.body;
  HttpResponse persisted = client_.get("/Patient/" + created);
  EXPECT_EQ(persisted.status, 200) << persisted.body;
  EXPECT_EQ(at(persisted.body, "/name/0/family"), "Okafor");

  // 1: read of a missing resource.
  EXPECT_EQ(entryAt(r.body, 1, "/response/status"), "404 Not Found");
  EXPECT_EQ(entryAt(r.body, 1, "/response/outcome/resourceType"), "OperationOutcome");
  EXPECT_EQ(entryAt(r.body, 1, "/response/outcome/issue/0/code"), "not-found");

  // 2: unknown resource type, answered like POST /Unicorn.
  EXPECT_EQ(entryAt(r.body, 2, "/response/status"), "404 Not Found");
  EXPECT_EQ(entryAt(r.body, 2, "/response/outcome/resourceType"), "OperationOutcome");
  EXPECT_EQ(
      entryAt(r.body, 2, "/response/outcome/issue/0/expression/0").rfind("Bundle.entry[2]", 0), 0u)
      << r.body;

  // 3: no request.
  EXPECT_EQ(entryAt(r.body, 3, "/response/status"), "400 Bad Request");
  EXPECT_EQ(entryAt(r.body, 3, "/response/outcome/issue/0/code"), "required");
  EXPECT_EQ(entryAt(r.body, 3, "/response/outcome/issue/0/expression/0"),
            "Bundle.entry[3].request");

  // 4: id mismatch, nothing stored under either id.
  EXPECT_EQ(entryAt(r.body, 4, "/response/status"), "400 Bad Request");
  EXPECT_EQ(entryAt(r.body, 4, "/response/outcome/resourceType"), "OperationOutcome");
  EXPECT_EQ(client_.get("/Patient/batch-a").status, 404);
  EXPECT_EQ(client_.get("/Patient/batch-b").status, 404);

  // 5: a good entry after the failures still runs.
  EXPECT_EQ(entryAt(r.body, 5, "/response/status"), "201 Created");
  EXPECT_EQ(client_.get("/Patient/batch-c").status, 200);

  // Successful entries carry no outcome; failed ones carry no location.
  EXPECT_EQ(entryAt(r.body, 0, "/response/outcome/resourceType"), "");
  EXPECT_EQ(entryAt(r.body, 1, "/response/location"), "");
}

TEST_F(Bundles, BatchReadReturnsResourceInEntry) {
  const std::string id = create("Patient", kPatient);
  HttpResponse r =
      post(bundle("batch", {entry("", "", R"("method":"GET","url":"Patient/)" + id + "\"")}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(entryAt(r.body, 0, "/response/status"), "200 OK");
  EXPECT_EQ(entryAt(r.body, 0, "/resource/id"), id);
  EXPECT_EQ(entryAt(r.body, 0, "/resource/name/0/family"), "Okafor");
  EXPECT_EQ(entryAt(r.body, 0, "/response/etag"), "W/\"1\"");
}

TEST_F(Bundles, TransactionPatchEntryWithBinary) {
  const std::string id = create("Patient", kPatient);
  const std::string patch = R"([{"op":"replace","path":"/gender","value":"male"},)"
                            R"({"op":"add","path":"/birthDate","value":"1970-01-02"}])";
  const std::string binary =
      R"({"resourceType":"Binary","contentType":"application/json-patch+json","data":")" +
      base64(patch) + R"("})";
  HttpResponse r = post(bundle("transaction", {entry("", binary,
                                                     R"("method":"PATCH","url":"Patient/)" + id +
                                                         R"(","ifMatch":"W/\"1\"")")}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(at(r.body, "/type"), "transaction-response");
  EXPECT_EQ(entryAt(r.body, 0, "/response/status"), "200 OK") << r.body;
  EXPECT_EQ(entryAt(r.body, 0, "/response/location"), "Patient/" + id + "/_history/2");
  HttpResponse read = client_.get("/Patient/" + id);
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(at(read.body, "/gender"), "male");
  EXPECT_EQ(at(read.body, "/birthDate"), "1970-01-02");
  EXPECT_EQ(at(read.body, "/meta/versionId"), "2");
  EXPECT_EQ(at(read.body, "/name/0/family"), "Okafor");
}

TEST_F(Bundles, TransactionPatchFailuresRollBack) {
  const std::string id = create("Patient", kPatient);
  const std::size_t before = versionCount();
  const std::string failingTest =
      R"({"resourceType":"Binary","contentType":"application/json-patch+json","data":")" +
      base64(R"([{"op":"test","path":"/gender","value":"male"}])") + R"("})";
  HttpResponse r = post(bundle(
      "transaction", {entry("", kPatient, R"("method":"POST","url":"Patient")"),
                      entry("", failingTest, R"("method":"PATCH","url":"Patient/)" + id + "\"")}));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(at(r.body, "/issue/0/expression/0").rfind("Bundle.entry[1]", 0), 0u) << r.body;
  EXPECT_EQ(versionCount(), before);

  // The patch must come as a Binary of the JSON Patch media type.
  HttpResponse notBinary =
      post(bundle("transaction", {entry("", R"([{"op":"replace","path":"/gender","value":"male"}])",
                                        R"("method":"PATCH","url":"Patient/)" + id + "\"")}));
  EXPECT_EQ(notBinary.status, 400) << notBinary.body;
  EXPECT_EQ(at(notBinary.body, "/issue/0/expression/0"), "Bundle.entry[0].resource");
  HttpResponse badBase64 = post(bundle(
      "transaction",
      {entry(
          "",
          R"({"resourceType":"Binary","contentType":"application/json-patch+json","data":"%%%"})",
          R"("method":"PATCH","url":"Patient/)" + id + "\"")}));
  EXPECT_EQ(badBase64.status, 400) << badBase64.body;
  EXPECT_EQ(at(badBase64.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(at(client_.get("/Patient/" + id).body, "/meta/versionId"), "1");
  EXPECT_EQ(versionCount(), before);
}

TEST_F(Bundles, WrongBundleTypeOrNotABundleIs400) {
  const std::size_t before = versionCount();
  HttpResponse collection =
      post(bundle("collection", {entry("", kPatient, R"("method":"POST","url":"Patient")")}));
  EXPECT_EQ(collection.status, 400) << collection.body;
  EXPECT_EQ(at(collection.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(at(collection.body, "/issue/0/expression/0"), "Bundle.type");
  EXPECT_NE(at(collection.body, "/issue/0/diagnostics").find("collection"), std::string::npos)
      << collection.body;

  HttpResponse noType = post(R"({"resourceType":"Bundle","entry":[]})");
  EXPECT_EQ(noType.status, 400) << noType.body;
  EXPECT_EQ(at(noType.body, "/resourceType"), "OperationOutcome");

  HttpResponse patient = post(kPatient);
  EXPECT_EQ(patient.status, 400) << patient.body;
  EXPECT_EQ(at(patient.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(at(patient.body, "/issue/0/expression/0"), "resourceType");

  HttpResponse entryNotArray = post(R"({"resourceType":"Bundle","type":"batch","entry":{}})");
  EXPECT_EQ(entryNotArray.status, 400) << entryNotArray.body;
  EXPECT_EQ(at(entryNotArray.body, "/issue/0/expression/0"), "Bundle.entry");

  // None of the above stored anything.
  EXPECT_EQ(versionCount(), before);
}

TEST_F(Bundles, EmptyTransactionAnswersEmptyResponse) {
  HttpResponse r = post(R"({"resourceType":"Bundle","type":"transaction"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(at(r.body, "/type"), "transaction-response");
  EXPECT_EQ(arraySize(r.body, "/entry"), 0u);
}

TEST_F(Bundles, TransactionFailingReadFailsTheWholeTransaction) {
  const std::size_t before = versionCount();
  HttpResponse r =
      post(bundle("transaction", {entry("", kPatient, R"("method":"POST","url":"Patient")"),
                                  entry("", "", R"("method":"GET","url":"Patient/tx-missing")")}));
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(at(r.body, "/issue/0/code"), "not-found");
  EXPECT_EQ(at(r.body, "/issue/0/expression/0"), "Bundle.entry[1]") << r.body;
  EXPECT_EQ(versionCount(), before);
}

TEST_F(Bundles, TransactionPutFullUrlAndAbsoluteRequestUrls) {
  const std::string base = server_->baseUrl();
  const std::string urn = "urn:uuid:5e2a7c10-0000-4000-8000-000000000001";
  HttpResponse r = post(bundle(
      "transaction", {entry(urn, R"({"resourceType":"Patient","id":"tx-put-1"})",
                            R"("method":"PUT","url":")" + base + R"(/Patient/tx-put-1")"),
                      entry("",
                            R"({"resourceType":"Observation","status":"final","code":{"text":"x"},)"
                            R"("subject":{"reference":")" +
                                urn + R"("}})",
                            R"("method":"POST","url":")" + base + R"(/Observation")")}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(entryAt(r.body, 0, "/response/status"), "201 Created");
  EXPECT_EQ(entryAt(r.body, 0, "/response/location"), "Patient/tx-put-1/_history/1");
  EXPECT_EQ(entryAt(r.body, 1, "/response/status"), "201 Created");
  const std::string observation = idFromLocation(entryAt(r.body, 1, "/response/location"));
  EXPECT_EQ(at(client_.get("/Observation/" + observation).body, "/subject/reference"),
            "Patient/tx-put-1");
  EXPECT_EQ(client_.get("/Patient/tx-put-1").status, 200);
}

TEST_F(Bundles, TransactionReturnsRepresentationWhenPreferred) {
  const std::string urn = "urn:uuid:5e2a7c10-0000-4000-8000-000000000002";
  const std::string json = bundle(
      "transaction",
      {entry(urn, kPatient, R"("method":"POST","url":"Patient")"),
       entry(
           "",
           R"({"resourceType":"Flag","status":"active","code":{"text":"x"},"subject":{"reference":")" +
               urn + R"("}})",
           R"("method":"POST","url":"Flag")")});
  HttpResponse r = client_.send("POST", "/", json, {"Prefer: return=representation"});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string patientId = idFromLocation(entryAt(r.body, 0, "/response/location"));
  EXPECT_EQ(entryAt(r.body, 0, "/resource/id"), patientId) << r.body;
  EXPECT_EQ(entryAt(r.body, 0, "/resource/meta/versionId"), "1");
  EXPECT_EQ(entryAt(r.body, 1, "/resource/subject/reference"), "Patient/" + patientId) << r.body;
  EXPECT_EQ(entryAt(r.body, 0, "/fullUrl"), server_->baseUrl() + "/Patient/" + patientId);
}

TEST_F(Bundles, BatchEntriesCannotNestBundlesOrUseBadPatches) {
  const std::string id = create("Patient", kPatient);
  HttpResponse r = post(bundle(
      "batch",
      {entry("", R"({"resourceType":"Bundle","type":"batch"})", R"("method":"POST","url":"/")"),
       entry("", R"({"resourceType":"Binary","contentType":"text/plain","data":"AA=="})",
             R"("method":"PATCH","url":"Patient/)" + id + "\""),
       entry("", "", R"("method":"GET","url":"metadata")")}));
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_EQ(arraySize(r.body, "/entry"), 3u) << r.body;
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(entryAt(r.body, i, "/response/status"), "400 Bad Request") << i << "\n" << r.body;
    EXPECT_EQ(entryAt(r.body, i, "/response/outcome/resourceType"), "OperationOutcome");
    EXPECT_EQ(entryAt(r.body, i, "/response/outcome/issue/0/expression/0")
                  .rfind("Bundle.entry[" + std::to_string(i) + "]", 0),
              0u)
        << r.body;
  }
  EXPECT_EQ(at(client_.get("/Patient/" + id).body, "/meta/versionId"), "1");
}

TEST_F(Bundles, TransactionResolvesReferencesToConditionalUpdates) {
  const std::string system = "https://fhir.nhs.uk/Id/ods-organization-code";
  const std::string organisation = R"({"resourceType":"Organization","identifier":[{"system":")" +
                                   system + R"(","value":"TXU001"}],"name":"Navigators"})";
  for (int round = 0; round < 2; ++round) {  // the first creates it, the second updates it
    const std::string urn = "urn:uuid:7b0c1d2e-3f40-4a5b-8c6d-00000000000" + std::to_string(round);
    HttpResponse r = post(bundle(
        "transaction",
        {entry(urn, organisation,
               R"("method":"PUT","url":"Organization?identifier=)" + system + R"(|TXU001")"),
         entry("", samples::directoryEntry(urn), R"("method":"POST","url":"HealthcareService")")}));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(entryAt(r.body, 0, "/response/status"), round == 0 ? "201 Created" : "200 OK");
    const std::string organisationId = idFromLocation(entryAt(r.body, 0, "/response/location"));
    ASSERT_FALSE(organisationId.empty()) << r.body;
    const std::string serviceId = idFromLocation(entryAt(r.body, 1, "/response/location"));
    HttpResponse service = client_.get("/HealthcareService/" + serviceId);
    ASSERT_EQ(service.status, 200) << service.body;
    EXPECT_EQ(at(service.body, "/providedBy/reference"), "Organization/" + organisationId)
        << "round " << round;
  }
}

}  // namespace
}  // namespace sp::testing
