// The mapping tables end to end, over mutual TLS so that each partner is who its client
// certificate says (certs/organisations.csv): the maps stored as ConceptMap resources,
// ConceptMap/$translate, partner codes translated at the door (REST and transactions) with the
// warn and refuse policies, partners reading their own words back, identifier spellings, and
// start-up: restarts, two processes at once, and broken map files.
#include <gtest/gtest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "json_helpers.h"

namespace sp::testing {
namespace {

const std::string kBase = "https://fhir.social-prescribing.example.org";
const std::string kSnomed = "http://snomed.info/sct";
const std::string kOds = "https://fhir.nhs.uk/Id/ods-organization-code";
const std::string kVcse = "https://vcse-cases.northvale.example.org/CodeSystem/case-status";
const std::string kCategory =
    "https://vcse-cases.northvale.example.org/CodeSystem/activity-category";
const std::string kBusiness = kBase + "/CodeSystem/task-business-status";
const std::string kCohort = kBase + "/CodeSystem/priority-cohort";
const std::string kServiceCategory = "http://terminology.hl7.org/CodeSystem/service-category";
const std::string kOutcome = "Prefer: return=OperationOutcome";

std::string encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// Every issue of an OperationOutcome as "severity code expression: diagnostics".
std::vector<std::string> issues(const std::string& json) {
  std::vector<std::string> out;
  rapidjson::Document doc = parse(json);
  if (!doc.IsObject() || !doc.HasMember("issue")) return out;
  for (const auto& i : doc["issue"].GetArray()) {
    std::string expression;
    if (i.HasMember("expression") && i["expression"].IsArray() && !i["expression"].Empty()) {
      expression = i["expression"][0].GetString();
    }
    out.push_back(std::string(i["severity"].GetString()) + " " + i["code"].GetString() + " " +
                  expression + ": " +
                  (i.HasMember("diagnostics") ? i["diagnostics"].GetString() : ""));
  }
  return out;
}

bool anyContains(const std::vector<std::string>& lines, const std::string& a,
                 const std::string& b = "") {
  for (const auto& l : lines) {
    if (l.find(a) != std::string::npos && l.find(b) != std::string::npos) return true;
  }
  return false;
}

// The parts of each `match` of a $translate answer, as "equivalence system|code source".
std::vector<std::string> matches(const std::string& parameters) {
  std::vector<std::string> out;
  rapidjson::Document doc = parse(parameters);
  if (!doc.IsObject() || !doc.HasMember("parameter")) return out;
  for (const auto& p : doc["parameter"].GetArray()) {
    if (std::string(p["name"].GetString()) != "match") continue;
    std::string equivalence, concept, source;
    for (const auto& part : p["part"].GetArray()) {
      const std::string name = part["name"].GetString();
      if (name == "equivalence") equivalence = part["valueCode"].GetString();
      if (name == "concept") {
        concept = std::string(part["valueCoding"]["system"].GetString()) + "|" +
                  part["valueCoding"]["code"].GetString();
      }
      if (name == "source") source = part["valueUri"].GetString();
    }
    out.push_back(equivalence + " " + concept + " " + source);
  }
  return out;
}

// The `result` of a $translate answer ("true", "false", or "" when absent).
std::string resultOf(const std::string& parameters) {
  rapidjson::Document doc = parse(parameters);
  if (!doc.IsObject() || !doc.HasMember("parameter")) return "";
  for (const auto& p : doc["parameter"].GetArray()) {
    if (std::string(p["name"].GetString()) == "result") {
      return p["valueBoolean"].GetBool() ? "true" : "false";
    }
  }
  return "";
}

std::string readFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// A copy of the repository's mappings/ folder (with its feeds/) to break, removed afterwards.
class MappingsCopy {
 public:
  MappingsCopy() : dir_(makeTempDir("sp-mappings")) {
    std::filesystem::copy(sourceDir() + "/mappings", dir_,
                          std::filesystem::copy_options::recursive);
  }
  ~MappingsCopy() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  const std::string& dir() const { return dir_; }
  void replace(const std::string& file, const std::string& from, const std::string& to) {
    std::string text = readFile(dir_ + "/" + file);
    const auto at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(dir_ + "/" + file) << text;
  }

 private:
  std::string dir_;
};

// What a server that refuses to start says (empty when it started).
std::string startFailure(const std::string& mappingsDir) {
  try {
    ServerProcess server(PostgresCluster::shared().freshDatabase(),
                         ServerOptions{false, {"--mappings-dir", mappingsDir}});
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

class Mapping : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = PostgresCluster::shared().freshDatabase();
    server_ = std::make_unique<ServerProcess>(database_, ServerOptions{true, {}});
  }
  static void TearDownTestSuite() { server_.reset(); }

  // A client holding the certificate of one organisation of certs/organisations.csv.
  static HttpClient as(const std::string& slug) {
    const Certificates& certs = testCertificates();
    return HttpClient(server_->baseUrl(),
                      TlsOptions{certs.ca(), certs.cert(slug), certs.key(slug)});
  }

  static std::string created(HttpResponse r) {
    EXPECT_EQ(r.status, 201) << r.body;
    return at(r.body, "/id");
  }

  // A patient and a GP referral to social prescribing, with canonical codes.
  static std::string newReferral(HttpClient& gp) {
    const std::string patient = created(gp.send("POST", "/Patient", R"({"resourceType":"Patient",
        "identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000009"}]})"));
    return created(
        gp.send("POST", "/ServiceRequest", referral(patient, kSnomed, "871731000000106")));
  }

  static std::string referral(const std::string& patient, const std::string& system,
                              const std::string& code, const std::string& reason = "",
                              const std::string& patientReference = "") {
    return R"({"resourceType":"ServiceRequest",
      "extension":[{"url":")" +
           kBase + R"(/StructureDefinition/referral-route",
        "valueCoding":{"system":")" +
           kBase + R"(/CodeSystem/referral-route","code":"gp"}}],
      "status":"active","intent":"order",
      "code":{"coding":[{"system":")" +
           system + R"(","code":")" + code + R"("}]},
      "subject":{"reference":")" +
           (patientReference.empty() ? "Patient/" + patient : patientReference) + R"("},
      "requester":{"identifier":{"system":"https://fhir.nhs.uk/id/ods-organization-code","value":"A81001"}})" +
           (reason.empty()
                ? ""
                : R"(,"reasonCode":[{"coding":[{"system":"http://snomed.info/sct","code":")" +
                      reason + R"("}]}])") +
           "}";
  }

  // A referral Task from the GP to a VCSE provider, as its requester creates it.
  static std::string task(const std::string& referralId, const std::string& patient,
                          const std::string& owner, const std::string& extra = "") {
    return R"({"resourceType":"Task","status":"requested","intent":"order",
      "code":{"coding":[{"system":")" +
           kBase + R"(/CodeSystem/task-code","code":"fulfill-referral"}]},
      "focus":{"reference":"ServiceRequest/)" +
           referralId + R"("},
      "for":{"reference":")" +
           patient + R"("},
      "requester":{"identifier":{"system":")" +
           kOds + R"(","value":"A81001"}},
      "owner":{"identifier":{"system":")" +
           kOds + R"(","value":")" + owner + R"("}})" + extra + "}";
  }

  // The same Task as its owner sends it back with its status word (the id inside).
  static std::string withWord(const std::string& taskJson, const std::string& id,
                              const std::string& word, const std::string& extra = "") {
    std::string t = taskJson;
    t.insert(t.find('{') + 1, R"("id":")" + id + R"(",)");
    t.insert(t.rfind('}'), R"(,"businessStatus":{"coding":[{"system":")" + kVcse + R"(","code":")" +
                               word + R"("}]})" + extra);
    return t;
  }

  static std::string database_;
  static std::unique_ptr<ServerProcess> server_;
};

std::string Mapping::database_;
std::unique_ptr<ServerProcess> Mapping::server_;

TEST_F(Mapping, TheMapsAreStoredAsResourcesThatCanBeReadAndSearched) {
  HttpClient client = as("commissioner");
  for (const char* id : {"gp-referral-code", "link-worker-snomed-status", "snomed-priority-cohort",
                         "vcse-case-status", "vcse-service-category", "bars-message-event"}) {
    HttpResponse r = client.get(std::string("/ConceptMap/") + id);
    ASSERT_EQ(r.status, 200) << id << r.body;
    EXPECT_EQ(at(r.body, "/url"), kBase + "/ConceptMap/" + id);
    EXPECT_EQ(at(r.body, "/meta/versionId"), "1");
  }
  EXPECT_EQ(client.get("/NamingSystem/ods-organization-code").status, 200);
  EXPECT_EQ(client.get("/NamingSystem/dos-service-id").status, 200);
  HttpResponse found =
      client.get("/ConceptMap?url=" + encode(kBase + "/ConceptMap/vcse-case-status"));
  ASSERT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(arraySize(found.body, "/entry"), 1u) << found.body;
  EXPECT_EQ(at(found.body, "/entry/0/resource/id"), "vcse-case-status");
}

TEST_F(Mapping, TheCapabilityStatementListsTranslate) {
  HttpResponse r = as("gp").get("/metadata");
  rapidjson::Document doc = parse(r.body);
  bool listed = false;
  for (const auto& resource : doc["rest"][0]["resource"].GetArray()) {
    if (std::string(resource["type"].GetString()) != "ConceptMap") continue;
    for (const auto& op : resource["operation"].GetArray()) {
      listed = listed || std::string(op["name"].GetString()) == "translate";
    }
  }
  EXPECT_TRUE(listed);
}

TEST_F(Mapping, TranslateForwardWithGet) {
  HttpClient client = as("gp");
  HttpResponse r = client.get("/ConceptMap/$translate?system=" + encode(kVcse) +
                              "&code=Contacted&targetsystem=" + encode(kBusiness));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(at(r.body, "/resourceType"), "Parameters");
  EXPECT_EQ(resultOf(r.body), "true");
  EXPECT_EQ(matches(r.body),
            (std::vector<std::string>{"equivalent " + kBusiness + "|first-contact-made " + kBase +
                                      "/ConceptMap/vcse-case-status"}));
  // Without targetsystem, every target system answers; the wider one says why in the message.
  HttpResponse both = client.get("/ConceptMap/vcse-case-status/$translate?system=" + encode(kVcse) +
                                 "&code=Contacted");
  EXPECT_EQ(matches(both.body).size(), 2u) << both.body;
  EXPECT_TRUE(anyContains(matches(both.body), "wider http://hl7.org/fhir/task-status|in-progress"));
  EXPECT_NE(both.body.find("In progress also covers"), std::string::npos) << both.body;
}

TEST_F(Mapping, TranslateReverse) {
  HttpClient client = as("gp");
  HttpResponse r =
      client.get("/ConceptMap/vcse-case-status/$translate?system=" + encode(kBusiness) +
                 "&code=did-not-attend&reverse=true");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(resultOf(r.body), "true");
  EXPECT_EQ(matches(r.body),
            (std::vector<std::string>{"equivalent " + kVcse + "|Closed - did not attend " + kBase +
                                      "/ConceptMap/vcse-case-status"}));
  // Two words map to in-progress, each `wider`: seen from the target they are narrower.
  HttpResponse two =
      client.get("/ConceptMap/vcse-case-status/$translate?system=" +
                 encode("http://hl7.org/fhir/task-status") + "&code=in-progress&reverse=true");
  EXPECT_EQ(matches(two.body),
            (std::vector<std::string>{
                "narrower " + kVcse + "|Contacted " + kBase + "/ConceptMap/vcse-case-status",
                "narrower " + kVcse + "|Engaged " + kBase + "/ConceptMap/vcse-case-status"}));
}

TEST_F(Mapping, TranslateUnmapped) {
  HttpClient client = as("gp");
  HttpResponse none =
      client.get("/ConceptMap/$translate?url=" + encode(kBase + "/ConceptMap/vcse-case-status") +
                 "&system=" + encode(kVcse) + "&code=" + encode("On the waiting list"));
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(resultOf(none.body), "false");
  EXPECT_TRUE(matches(none.body).empty());
  EXPECT_NE(none.body.find("No translation of"), std::string::npos) << none.body;
  // Listed as unmatched: a match that does not translate, so result false.
  HttpResponse unmatched =
      client.get("/ConceptMap/vcse-service-category/$translate?system=" + encode(kCategory) +
                 "&code=" + encode("Nature and green spaces"));
  EXPECT_EQ(resultOf(unmatched.body), "false");
  EXPECT_EQ(
      matches(unmatched.body),
      (std::vector<std::string>{"unmatched  " + kBase + "/ConceptMap/vcse-service-category"}));
  // A system no map knows.
  HttpResponse nowhere = client.get("/ConceptMap/$translate?system=http%3A%2F%2Fnowhere&code=x");
  EXPECT_EQ(resultOf(nowhere.body), "false");
}

TEST_F(Mapping, TranslateSeveralMatchesAndDependenciesWithPost) {
  HttpClient client = as("spor");
  const std::string event = R"({"name":"coding","valueCoding":{
      "system":"https://fhir.nhs.uk/CodeSystem/message-events-bars","code":"servicerequest-request"}})";
  HttpResponse all = client.send("POST", "/ConceptMap/$translate",
                                 R"({"resourceType":"Parameters","parameter":[)" + event + "]}");
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(resultOf(all.body), "true");
  const auto found = matches(all.body);
  ASSERT_EQ(found.size(), 4u) << all.body;  // referral-request and three cancellations
  EXPECT_EQ(found[0], "narrower " + kBase + "/CodeSystem/message-event|referral-request " + kBase +
                          "/ConceptMap/bars-message-event");
  EXPECT_TRUE(anyContains(found, "|cancellation"));

  HttpResponse chosen = client.send("POST", "/ConceptMap/bars-message-event/$translate",
                                    R"({"resourceType":"Parameters","parameter":[)" + event + R"(,
        {"name":"dependency","part":[{"name":"element","valueUri":"MessageHeader.reason"},
          {"name":"concept","valueCodeableConcept":{"coding":[{
            "system":"https://fhir.nhs.uk/CodeSystem/message-reason-bars","code":"delete"}]}}]}]})");
  EXPECT_EQ(
      matches(chosen.body),
      (std::vector<std::string>{"narrower " + kBase + "/CodeSystem/message-event|cancellation " +
                                kBase + "/ConceptMap/bars-message-event"}))
      << chosen.body;

  // A codeableConcept: every coding is translated.
  HttpResponse cc = client.send("POST", "/ConceptMap/$translate", R"({"resourceType":"Parameters",
      "parameter":[{"name":"codeableConcept","valueCodeableConcept":{"coding":[
        {"system":"http://snomed.info/sct","code":"35489007"},
        {"system":"http://snomed.info/sct","code":"407542009"}]}},
        {"name":"targetsystem","valueUri":")" + kCohort + R"("}]})");
  EXPECT_EQ(matches(cc.body),
            (std::vector<std::string>{"wider " + kCohort + "|mental-health-wellbeing " + kBase +
                                          "/ConceptMap/snomed-priority-cohort",
                                      "equivalent " + kCohort + "|carers " + kBase +
                                          "/ConceptMap/snomed-priority-cohort"}))
      << cc.body;
}

TEST_F(Mapping, TranslateWithAMapGivenInline) {
  HttpResponse r = as("gp").send("POST", "/ConceptMap/$translate", R"({"resourceType":"Parameters",
      "parameter":[{"name":"conceptMap","resource":{"resourceType":"ConceptMap","status":"draft",
        "url":"https://example.org/ConceptMap/inline","group":[{"source":"http://a","target":"http://b",
          "element":[{"code":"x","target":[{"code":"y","equivalence":"equal"}]}]}]}},
        {"name":"system","valueUri":"http://a"},{"name":"code","valueCode":"x"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(matches(r.body),
            (std::vector<std::string>{"equal http://b|y https://example.org/ConceptMap/inline"}));
}

TEST_F(Mapping, TranslateRefusesBadRequests) {
  HttpClient client = as("gp");
  EXPECT_EQ(client.get("/ConceptMap/$translate?code=x").status, 400);  // no system
  EXPECT_EQ(client.get("/ConceptMap/$translate").status, 400);         // nothing to translate
  EXPECT_EQ(client.get("/ConceptMap/$translate?system=a&code=x&coding=a%7Cy").status, 400);
  EXPECT_EQ(client.get("/ConceptMap/$translate?system=a&code=x&reverse=maybe").status, 400);
  HttpResponse unknown =
      client.get("/ConceptMap/$translate?url=https%3A%2F%2Fnowhere&system=a&code=x");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(client.get("/ConceptMap/no-such-map/$translate?system=a&code=x").status, 404);
  EXPECT_EQ(client.send("POST", "/ConceptMap/$translate", R"({"resourceType":"Patient"})").status,
            400);
  HttpResponse wrongMethod = client.request("DELETE", "/ConceptMap/$translate");
  EXPECT_EQ(wrongMethod.status, 405);
  EXPECT_EQ(wrongMethod.header("allow"), "GET, POST");
}

TEST_F(Mapping, AGpReferralIsStoredWithBothCodingsAndTheCallerIsTold) {
  HttpClient gp = as("gp");
  const std::string patient = created(gp.send("POST", "/Patient", R"({"resourceType":"Patient"})"));
  HttpResponse r = gp.send("POST", "/ServiceRequest",
                           referral(patient, kSnomed, "390893007", "422650009"), {kOutcome});
  ASSERT_EQ(r.status, 201) << r.body;
  const auto said = issues(r.body);
  EXPECT_TRUE(anyContains(said, "information informational ServiceRequest.code:", "'inexact'"))
      << ::testing::PrintToString(said);
  EXPECT_TRUE(anyContains(said, "ServiceRequest.reasonCode[0]:", "'wider'"));
  EXPECT_TRUE(
      anyContains(said, "ServiceRequest.requester.identifier.system:", "is spelled " + kOds));
  const std::string id =
      r.header("location")
          .substr(r.header("location").find("ServiceRequest/") + 15, std::string::npos);
  HttpResponse stored = gp.get("/ServiceRequest/" + id.substr(0, id.find('/')));
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(codings(stored.body, "/code"),
            (std::vector<std::string>{kSnomed + "|390893007", kSnomed + "|871731000000106"}));
  EXPECT_EQ(
      codings(stored.body, "/reasonCode/0"),
      (std::vector<std::string>{kSnomed + "|422650009", kCohort + "|social-isolation-loneliness"}));
  EXPECT_EQ(at(stored.body, "/requester/identifier/system"), kOds);
}

// Liberal in (#17): a code the GP's map cannot translate is kept as sent, with a warning naming
// the code and the map, and the hub adds the social prescribing code beside it, saying so.
TEST_F(Mapping, AnUntranslatedCodeIsKeptWithAWarningAndTheSocialPrescribingCodeBesideIt) {
  HttpClient gp = as("gp");
  const std::string patient = created(gp.send("POST", "/Patient", R"({"resourceType":"Patient"})"));
  HttpResponse r =
      gp.send("POST", "/ServiceRequest", referral(patient, kSnomed, "183444007"), {kOutcome});
  ASSERT_EQ(r.status, 201) << r.body;
  const auto said = issues(r.body);
  EXPECT_TRUE(anyContains(said, "warning code-invalid ServiceRequest.code:", "'183444007'"))
      << r.body;
  EXPECT_TRUE(anyContains(said, kBase + "/ConceptMap/gp-referral-code"));
  EXPECT_TRUE(
      anyContains(said, "information informational ServiceRequest.code:", "Derived by the hub"))
      << r.body;
  const std::string location = r.header("location");
  const std::string id = location.substr(location.find("ServiceRequest/") + 15);
  HttpResponse stored = gp.get("/ServiceRequest/" + id.substr(0, id.find('/')));
  EXPECT_EQ(codings(stored.body, "/code"),
            (std::vector<std::string>{kSnomed + "|183444007", kSnomed + "|871731000000106"}));
}

TEST_F(Mapping, AnUnmappedCodeOfAWarningMapIsKeptWithAWarning) {
  HttpClient gp = as("gp");
  const std::string patient = created(gp.send("POST", "/Patient", R"({"resourceType":"Patient"})"));
  HttpResponse r = gp.send("POST", "/ServiceRequest",
                           referral(patient, kSnomed, "871731000000106", "160903007"), {kOutcome});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_TRUE(anyContains(issues(r.body), "warning code-invalid ServiceRequest.reasonCode[0]:",
                          kBase + "/ConceptMap/snomed-priority-cohort"))
      << r.body;
}

TEST_F(Mapping, ATransactionCarryingPartnerCodesIsStoredWithBothCodings) {
  HttpClient gp = as("gp");
  const std::string bundle =
      R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:0a0a0a0a-0000-4000-8000-000000000001",
     "resource":{"resourceType":"Patient"},"request":{"method":"POST","url":"Patient"}},
    {"fullUrl":"urn:uuid:0a0a0a0a-0000-4000-8000-000000000002",
     "resource":)" +
      referral("", "https://fhir.riverside-medical.example.org/CodeSystem/local-codes", "RMP-SP01",
               "197480006", "urn:uuid:0a0a0a0a-0000-4000-8000-000000000001") +
      R"(,"request":{"method":"POST","url":"ServiceRequest"}}]})";
  HttpResponse r = gp.send("POST", "/", bundle);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string location = at(r.body, "/entry/1/response/location");
  HttpResponse stored = gp.get("/" + location.substr(0, location.find("/_history")));
  ASSERT_EQ(stored.status, 200) << stored.body;
  EXPECT_EQ(codings(stored.body, "/code").back(), kSnomed + "|871731000000106");
  EXPECT_EQ(codings(stored.body, "/reasonCode/0").back(), kCohort + "|mental-health-wellbeing");
  // The entry's outcome tells the caller how the reason was translated.
  rapidjson::Document answer = parse(r.body);
  const rapidjson::Value* outcome = rapidjson::Pointer("/entry/1/response/outcome").Get(answer);
  ASSERT_NE(outcome, nullptr) << r.body;
  EXPECT_NE(r.body.find("equivalence 'wider'"), std::string::npos) << r.body;
}

TEST_F(Mapping, AVcseStatusWordMovesTheTaskAndAnUnknownOneIsRefused) {
  HttpClient gp = as("gp");
  HttpClient vcse = as("vcse-walking");  // VCS0001
  const std::string referralId = newReferral(gp);
  const std::string patient =
      at(gp.get("/ServiceRequest/" + referralId).body, "/subject/reference");
  const std::string taskJson = task(referralId, patient, "VCS0001");
  const std::string id = created(gp.send("POST", "/Task", taskJson));

  HttpResponse unknown =
      vcse.send("PUT", "/Task/" + id, withWord(taskJson, id, "On the waiting list"));
  EXPECT_EQ(unknown.status, 422) << unknown.body;
  EXPECT_TRUE(anyContains(issues(unknown.body), "error code-invalid Task.businessStatus:",
                          kBase + "/ConceptMap/vcse-case-status"))
      << unknown.body;

  HttpResponse received =
      vcse.send("PUT", "/Task/" + id, withWord(taskJson, id, "Referral received"), {kOutcome});
  ASSERT_EQ(received.status, 200) << received.body;
  EXPECT_TRUE(anyContains(issues(received.body),
                          "Task.status:", "Task.status is 'received' (not 'requested' as sent)"))
      << received.body;
  HttpResponse stored = gp.get("/Task/" + id);
  EXPECT_EQ(at(stored.body, "/status"), "received");
  EXPECT_EQ(codings(stored.body, "/businessStatus"),
            (std::vector<std::string>{kVcse + "|Referral received", kBusiness + "|received"}));

  // In a transaction the refusal names the entry.
  HttpResponse refused = vcse.send("POST", "/",
                                   R"({"resourceType":"Bundle","type":"transaction",
      "entry":[{"resource":)" + withWord(taskJson, id, "Parked") +
                                       R"(,"request":{"method":"PUT","url":"Task/)" + id +
                                       R"("}}]})");
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_TRUE(
      anyContains(issues(refused.body), "Bundle.entry[0].resource.businessStatus:", "'Parked'"))
      << refused.body;

  HttpResponse declined =
      vcse.send("POST", "/",
                R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":)" +
                    withWord(taskJson, id, "Closed - declined",
                             R"(,"statusReason":{"text":"Does not want to join a group"})") +
                    R"(,"request":{"method":"PUT","url":"Task/)" + id + R"("}}]})");
  ASSERT_EQ(declined.status, 200) << declined.body;
  EXPECT_NE(declined.body.find("Task.status is 'cancelled'"), std::string::npos) << declined.body;
  stored = gp.get("/Task/" + id);
  EXPECT_EQ(at(stored.body, "/status"), "cancelled");
  EXPECT_EQ(codings(stored.body, "/businessStatus").back(), kBusiness + "|declined-by-person");
}

TEST_F(Mapping, APartnerReadsItsOwnWordsBack) {
  HttpClient gp = as("gp");
  HttpClient carers = as("vcse-carers");  // VCS0002, same case system as VCS0001
  const std::string referralId = newReferral(gp);
  const std::string patient =
      at(gp.get("/ServiceRequest/" + referralId).body, "/subject/reference");
  const std::string taskJson = task(referralId, patient, "VCS0002");
  const std::string id = created(gp.send("POST", "/Task", taskJson));
  // The owner reports the step with the project's code only (its system speaks FHIR too).
  std::string canonical = taskJson;
  canonical.insert(canonical.find('{') + 1, R"("id":")" + id + R"(",)");
  canonical.insert(canonical.rfind('}'), R"(,"businessStatus":{"coding":[{"system":")" + kBusiness +
                                             R"(","code":"received"}]})");
  canonical.replace(canonical.find(R"("status":"requested")"), 20, R"("status":"received")");
  HttpResponse put = carers.send("PUT", "/Task/" + id, canonical);
  ASSERT_EQ(put.status, 200) << put.body;

  HttpResponse own = carers.get("/Task/" + id);
  ASSERT_EQ(own.status, 200) << own.body;
  EXPECT_EQ(codings(own.body, "/businessStatus"),
            (std::vector<std::string>{kBusiness + "|received", kVcse + "|Referral received"}));
  HttpResponse theirs = gp.get("/Task/" + id);
  EXPECT_EQ(codings(theirs.body, "/businessStatus"),
            (std::vector<std::string>{kBusiness + "|received"}));
  EXPECT_EQ(own.header("etag"), theirs.header("etag"));  // one stored version, two views
  HttpResponse vread = carers.get("/Task/" + id + "/_history/" + at(own.body, "/meta/versionId"));
  EXPECT_EQ(codings(vread.body, "/businessStatus").back(), kVcse + "|Referral received");
}

// Issue 19: a VCSE system reads its Task (the hub adds its own status word), sets a new status
// and writes the Task back with that word still in it: the new status is what it changed, and
// the word it was shown does not override it.
TEST_F(Mapping, ATaskReadChangedAndWrittenBackMeansTheChange) {
  HttpClient gp = as("gp");
  HttpClient carers = as("vcse-carers");  // VCS0002, with the case-status words
  const std::string referralId = newReferral(gp);
  const std::string patient =
      at(gp.get("/ServiceRequest/" + referralId).body, "/subject/reference");
  const std::string taskJson = task(referralId, patient, "VCS0002");
  const std::string id = created(gp.send("POST", "/Task", taskJson));
  std::string canonical = taskJson;
  canonical.insert(canonical.find('{') + 1, R"("id":")" + id + R"(",)");
  canonical.insert(canonical.rfind('}'), R"(,"businessStatus":{"coding":[{"system":")" + kBusiness +
                                             R"(","code":"received"}]})");
  canonical.replace(canonical.find(R"("status":"requested")"), 20, R"("status":"received")");
  ASSERT_EQ(carers.send("PUT", "/Task/" + id, canonical).status, 200);

  HttpResponse read = carers.get("/Task/" + id);
  ASSERT_EQ(read.status, 200) << read.body;
  ASSERT_EQ(codings(read.body, "/businessStatus").back(), kVcse + "|Referral received");
  std::string changed = read.body;
  const std::size_t status = changed.find(R"("status":"received")");
  ASSERT_NE(status, std::string::npos) << changed;
  changed.replace(status, 19, R"("status":"accepted")");
  HttpResponse put = carers.send("PUT", "/Task/" + id, changed, {kOutcome});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body.find("Task.status is 'received'"), std::string::npos) << put.body;
  HttpResponse stored = gp.get("/Task/" + id);
  EXPECT_EQ(at(stored.body, "/status"), "accepted") << stored.body;

  // A word the system does change still moves the Task (the status it names wins).
  HttpResponse again = carers.get("/Task/" + id);
  std::string worded = again.body;
  const std::size_t word = worded.find("Referral received");
  ASSERT_NE(word, std::string::npos) << worded;
  worded.replace(word, 17, "Engaged");
  HttpResponse engaged = carers.send("PUT", "/Task/" + id, worded);
  ASSERT_EQ(engaged.status, 200) << engaged.body;
  EXPECT_EQ(at(gp.get("/Task/" + id).body, "/status"), "in-progress");
}

TEST_F(Mapping, ADirectoryEntryIsReadBackInTheProvidersCategories) {
  const std::string entry =
      readFile(sourceDir() +
               "/tests/data/validation/valid/HealthcareService-hs-walk-and-talk-alderton.json");
  rapidjson::Document doc = parse(entry);
  doc.RemoveMember("id");
  // Provided by the walking group, which may then update its own entry.
  doc["providedBy"].RemoveMember("reference");
  rapidjson::Value ods(rapidjson::kObjectType);
  ods.AddMember("system", rapidjson::Value(kOds.c_str(), doc.GetAllocator()), doc.GetAllocator());
  ods.AddMember("value", "VCS0001", doc.GetAllocator());
  doc["providedBy"].AddMember("identifier", ods, doc.GetAllocator());
  rapidjson::StringBuffer text;
  rapidjson::Writer<rapidjson::StringBuffer> writer(text);
  doc.Accept(writer);
  HttpClient admin = as("admin");
  const std::string id = created(admin.send("POST", "/HealthcareService", text.GetString()));
  HttpResponse provider = as("vcse-walking").get("/HealthcareService/" + id);
  EXPECT_EQ(codings(provider.body, "/category/0"),
            (std::vector<std::string>{kServiceCategory + "|23", kCategory + "|Physical activity"}));
  EXPECT_EQ(codings(admin.get("/HealthcareService/" + id).body, "/category/0").size(), 1u);

  // A provider's own category coming in (it updates its entry) gets the HL7 one beside it.
  std::string own = text.GetString();
  own.insert(own.find('{') + 1, R"("id":")" + id + R"(",)");
  own.replace(own.find(R"("system":")" + kServiceCategory + R"(","code":"23")"),
              std::string(R"("system":")" + kServiceCategory + R"(","code":"23")").size(),
              R"("system":")" + kCategory + R"(","code":"Walking groups")");
  HttpResponse updated = as("vcse-walking").send("PUT", "/HealthcareService/" + id, own);
  ASSERT_EQ(updated.status, 200) << updated.body;
  HttpResponse stored = admin.get("/HealthcareService/" + id);
  EXPECT_EQ(codings(stored.body, "/category/0"),
            (std::vector<std::string>{kCategory + "|Walking groups", kServiceCategory + "|23"}));
}

TEST_F(Mapping, IdentifierSpellingsAreStoredCanonicalAndFoundByTheCanonicalSpelling) {
  HttpClient client = as("admin");  // the directory's keeper
  HttpClient spor = as("spor");
  HttpResponse r = client.send("POST", "/Organization", R"({"resourceType":"Organization",
      "identifier":[{"system":"https://fhir.nhs.uk/id/ods-organization-code","value":"MAP0001"}],
      "name":"Spelling Test Practice"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(at(r.body, "/identifier/0/system"), kOds);
  // A conditional create with the canonical spelling finds it.
  HttpResponse again = client.send("POST", "/Organization", R"({"resourceType":"Organization",
      "identifier":[{"system":")" + kOds + R"(","value":"MAP0001"}]})",
                                   {"If-None-Exist: identifier=" + kOds + "|MAP0001"});
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(at(again.body, "/id"), at(r.body, "/id"));

  HttpResponse header = spor.send("POST", "/MessageHeader", R"({"resourceType":"MessageHeader",
      "eventCoding":{"system":"https://fhir.nhs.uk/CodeSystem/message-events-bars","code":"servicerequest-request"},
      "reason":{"coding":[{"system":"https://fhir.nhs.uk/CodeSystem/message-reason-bars","code":"new"}]},
      "source":{"endpoint":"http://fhir.nhs.uk/Id/dos-service-id|2000072489"}})");
  ASSERT_EQ(header.status, 201) << header.body;
  EXPECT_EQ(at(header.body, "/source/endpoint"),
            "https://fhir.nhs.uk/Id/dos-service-id|2000072489");
  EXPECT_EQ(at(header.body, "/eventCoding/code"), "servicerequest-request");
  EXPECT_EQ(at(header.body, "/eventCoding/extension/0/valueCoding/code"), "referral-request");
}

TEST_F(Mapping, ARestartStoresNothingNew) {
  {
    ServerProcess again(database_, ServerOptions{false, {}});
    HttpClient client(again.baseUrl());
    EXPECT_EQ(at(client.get("/ConceptMap/vcse-case-status").body, "/meta/versionId"), "1");
    again.stop();
    EXPECT_NE(again.log().find("(stored: 0 created, 0 updated, 11 unchanged)"), std::string::npos)
        << again.log();
  }
  EXPECT_EQ(at(as("gp").get("/ConceptMap/gp-referral-code").body, "/meta/versionId"), "1");
}

TEST_F(Mapping, TwoServersStartingAtOnceBothServeTheSameMaps) {
  const std::string database = PostgresCluster::shared().freshDatabase();
  std::unique_ptr<ServerProcess> first;
  std::unique_ptr<ServerProcess> second;
  std::string failure;
  std::thread other([&] {
    try {
      second = std::make_unique<ServerProcess>(database, ServerOptions{false, {"--quiet"}});
    } catch (const std::exception& e) {
      failure = e.what();
    }
  });
  first = std::make_unique<ServerProcess>(database, ServerOptions{false, {"--quiet"}});
  other.join();
  ASSERT_TRUE(failure.empty()) << failure;
  HttpClient client(first->baseUrl());
  const std::string wanted = readFile(sourceDir() + "/mappings/ConceptMap-vcse-case-status.json");
  for (const char* id : {"gp-referral-code", "vcse-case-status", "bars-message-event"}) {
    HttpResponse r = client.get(std::string("/ConceptMap/") + id);
    ASSERT_EQ(r.status, 200) << r.body;
    // Both may have created it at the same instant; neither writes it a third time.
    EXPECT_LE(std::stoi(at(r.body, "/meta/versionId")), 2) << id;
  }
  HttpResponse stored = client.get("/ConceptMap/vcse-case-status");
  EXPECT_EQ(at(stored.body, "/title"), at(wanted, "/title"));
  first.reset();
  second.reset();
  ServerProcess third(database, ServerOptions{false, {}});
  third.stop();
  EXPECT_NE(third.log().find("(stored: 0 created, 0 updated, 11 unchanged)"), std::string::npos)
      << third.log();
}

TEST(MappingStart, ABrokenMapFileStopsTheServerNamingTheFile) {
  MappingsCopy copy;
  copy.replace("ConceptMap-vcse-case-status.json", R"("equivalence": "wider")",
               R"("equivalence": "broader")");
  const std::string failure = startFailure(copy.dir());
  ASSERT_FALSE(failure.empty()) << "the server started with a broken map";
  EXPECT_NE(failure.find("server exited at start"), std::string::npos) << failure;
  EXPECT_NE(failure.find(copy.dir() + "/ConceptMap-vcse-case-status.json"), std::string::npos)
      << failure;
  EXPECT_NE(failure.find("unknown equivalence 'broader'"), std::string::npos) << failure;
}

TEST(MappingStart, AMapTheServerDoesNotValidateStopsItNamingTheFile) {
  MappingsCopy copy;
  copy.replace("ConceptMap-bars-message-event.json", R"("status": "active")",
               R"("status": "live")");
  const std::string failure = startFailure(copy.dir());
  ASSERT_FALSE(failure.empty()) << "the server started with an invalid map";
  EXPECT_NE(failure.find("mapping file ConceptMap-bars-message-event.json was refused"),
            std::string::npos)
      << failure;
  EXPECT_NE(failure.find("ConceptMap.status"), std::string::npos) << failure;
}

TEST(MappingStart, MalformedJsonAndABadConfigurationStopTheServer) {
  {
    MappingsCopy copy;
    copy.replace("NamingSystem-dos-service-id.json", "{", "[");
    const std::string failure = startFailure(copy.dir());
    EXPECT_NE(failure.find("NamingSystem-dos-service-id.json"), std::string::npos) << failure;
    EXPECT_NE(failure.find("not valid JSON"), std::string::npos) << failure;
  }
  {
    MappingsCopy copy;
    copy.replace("partners.json", "\"A81001\"", "\"\"");
    const std::string failure = startFailure(copy.dir());
    EXPECT_NE(failure.find("partners.json"), std::string::npos) << failure;
  }
  EXPECT_NE(startFailure("/nonexistent/mappings").find("/nonexistent/mappings"), std::string::npos);
}

}  // namespace
}  // namespace sp::testing
