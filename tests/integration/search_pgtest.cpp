// FHIR search over real HTTP against a real PostgreSQL: every parameter type with its modifiers
// and prefixes, common parameters, chains, _has, includes, sorting, paging (also while the set
// changes), _total, _summary, _elements, unknown and malformed parameters, system search, place
// search, the project's own parameters and the CapabilityStatement.
//
// One server (and database) serves the suite. Every resource a test writes carries the tag
// urn:sp-search-test|<test name> and an id that starts with the test name, and find() adds that
// tag to the query, so tests never see each other's data.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"
#include "json_helpers.h"
#include "sample_resources.h"

namespace sp::testing {
namespace {

using Names = std::set<std::string>;
using List = std::vector<std::string>;

const std::string kTagSystem = "urn:sp-search-test";
const std::string kNhs = "https://fhir.nhs.uk/Id/nhs-number";
const std::string kSd = samples::kProfileBase;
const std::string kCs = samples::kCodeSystemBase;

// ---- test data: conforming resources (sp-referral, sp-referral-task, sp-directory-entry) ----

// An sp-referral-task Task; `status` "requested" unless overridden.
std::string task(const std::string& focus, const std::string& forRef) {
  return R"({"resourceType":"Task","status":"requested","intent":"order",)"
         R"("code":{"coding":[{"system":")" +
         kCs + R"(task-code","code":"fulfill-referral"}]},"focus":{"reference":")" + focus +
         R"("},"for":{"reference":")" + forRef +
         R"("},"requester":{"reference":"PractitionerRole/prr-gp-osei"}})";
}

// An sp-directory-entry HealthcareService: `free` places (has-capacity), governance tier,
// service-category code and cohorts served.
std::string service(const std::string& name, int free = 4, const std::string& tier = "tier-1",
                    const std::string& category = "23",
                    const std::vector<std::string>& cohorts = {}) {
  std::string ext = R"([{"url":")" + kSd +
                    R"(capacity","extension":[{"url":"total","valueUnsignedInt":20},)"
                    R"({"url":"free","valueUnsignedInt":)" +
                    std::to_string(free) + R"(},{"url":"status","valueCode":")" +
                    (free > 0 ? "capacity" : "no-capacity") + R"("}]})";
  for (const auto& c : cohorts) {
    ext += R"(,{"url":")" + kSd + R"(cohorts-served","valueCoding":{"system":")" + kCs +
           R"(priority-cohort","code":")" + c + R"("}})";
  }
  ext += R"(,{"url":")" + kSd + R"(governance-tier","valueCoding":{"system":")" + kCs +
         R"(governance-tier","code":")" + tier + R"("}})";
  ext += R"(,{"url":")" + kSd + R"(last-reviewed","valueDate":"2026-10-14"}])";
  return R"({"resourceType":"HealthcareService","extension":)" + ext +
         R"(,"active":true,"providedBy":{"reference":"Organization/org-greenway"},)"
         R"("category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/service-category","code":")" +
         category + R"("}]}],"name":")" + name + R"("})";
}

std::string patientJson(const std::string& family, const std::string& given = "Ada") {
  return R"({"resourceType":"Patient","name":[{"family":")" + family + R"(","given":[")" + given +
         R"("]}]})";
}

std::string location(const std::string& name, double lat, double lon,
                     const std::string& postcode = "") {
  std::string json = R"({"resourceType":"Location","status":"active","name":")" + name +
                     R"(","position":{"latitude":)" + std::to_string(lat) + R"(,"longitude":)" +
                     std::to_string(lon) + "}";
  if (!postcode.empty()) json += R"(,"address":{"postalCode":")" + postcode + R"("})";
  return json + "}";
}

// The start of a long answer, for failure messages.
std::string brief(const std::string& body) {
  return body.size() > 700 ? body.substr(0, 700) + "... (" + std::to_string(body.size()) + " bytes)"
                           : body;
}

// Whether the JSON object `json` has a top-level member `name`.
bool hasMember(const std::string& json, const char* name) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  return !doc.HasParseError() && doc.IsObject() && doc.HasMember(name);
}

// ---- a search answer, read ----

struct Found {
  long status = 0;
  std::string body;
  List matches;                              // "Type/id" of search.mode match, in order
  List includes;                             // search.mode include
  List outcomes;                             // diagnostics of the outcome entries' issues
  std::map<std::string, std::string> links;  // relation -> url
  std::optional<long long> total;
  std::vector<std::string> entryJson;  // each entry's resource, as JSON

  std::string link(const std::string& relation) const {
    auto it = links.find(relation);
    return it == links.end() ? "" : it->second;
  }
};

Found readFound(const HttpResponse& r) {
  Found f;
  f.status = r.status;
  f.body = r.body;
  rapidjson::Document doc;
  doc.Parse(r.body.c_str(), r.body.size());
  if (doc.HasParseError() || !doc.IsObject()) return f;
  if (doc.HasMember("total") && doc["total"].IsInt64()) f.total = doc["total"].GetInt64();
  if (doc.HasMember("link") && doc["link"].IsArray()) {
    for (const auto& l : doc["link"].GetArray()) f.links[at(l, "/relation")] = at(l, "/url");
  }
  if (doc.HasMember("entry") && doc["entry"].IsArray()) {
    for (const auto& e : doc["entry"].GetArray()) {
      const std::string mode = at(e, "/search/mode");
      const std::string key = at(e, "/resource/resourceType") + "/" + at(e, "/resource/id");
      if (e.HasMember("resource")) f.entryJson.push_back(write(e["resource"]));
      if (mode == "match") {
        f.matches.push_back(key);
      } else if (mode == "include") {
        f.includes.push_back(key);
      } else if (mode == "outcome") {
        const rapidjson::Value* issues = rapidjson::Pointer("/resource/issue").Get(e);
        if (issues && issues->IsArray()) {
          for (const auto& i : issues->GetArray()) f.outcomes.push_back(at(i, "/diagnostics"));
        }
      }
    }
  }
  return f;
}

class Search : public ::testing::Test {
 protected:
  static constexpr int kMaxPageSize = 25;

  static void SetUpTestSuite() {
    ServerOptions options;
    options.extraArgs = {"--max-page-size", std::to_string(kMaxPageSize)};
    server_ = std::make_unique<ServerProcess>(PostgresCluster::shared().freshDatabase(), options);
  }
  static void TearDownTestSuite() { server_.reset(); }

  void TearDown() override {
    if (HasFailure()) {
      const std::string log = server_->log();
      std::cerr << "---- server log (last 3000 characters) ----\n"
                << log.substr(log.size() > 3000 ? log.size() - 3000 : 0) << "\n";
    }
  }

  // The test's name as an id prefix: lower case, letters, digits and '-'.
  static std::string makeScope() {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::string out;
    for (char c : name) {
      if (std::isupper(static_cast<unsigned char>(c)) && !out.empty()) out += '-';
      out += static_cast<char>(std::isalnum(static_cast<unsigned char>(c))
                                   ? std::tolower(static_cast<unsigned char>(c))
                                   : '-');
    }
    return out.substr(0, 40);
  }

  std::string id(const std::string& local) const { return scope_ + "-" + local; }
  std::string ref(const std::string& type, const std::string& local) const {
    return type + "/" + id(local);
  }

  // Writes `json` (merged with the top-level members of `overrides`) as type/<scope>-local,
  // with a narrative when it has none and the scope's tag; expects 201. Returns "Type/id".
  std::string put(const std::string& type, const std::string& local, const std::string& json,
                  const std::string& overrides = "{}") {
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    EXPECT_FALSE(doc.HasParseError()) << json;
    auto& a = doc.GetAllocator();
    rapidjson::Document more;
    more.Parse(overrides.c_str());
    EXPECT_FALSE(more.HasParseError()) << overrides;
    for (auto& m : more.GetObject()) {
      if (doc.HasMember(m.name)) doc.RemoveMember(m.name);
      doc.AddMember(rapidjson::Value(m.name, a), rapidjson::Value(m.value, a), a);
    }
    const std::string fullId = id(local);
    if (doc.HasMember("id")) doc.RemoveMember("id");
    doc.AddMember("id", rapidjson::Value(fullId.c_str(), a), a);
    if (!doc.HasMember("text")) {
      rapidjson::Document narrative;
      const std::string words = type + " " + local;
      narrative.Parse(("{" + samples::narrative(words) + "\"x\":0}").c_str());
      doc.AddMember("text", rapidjson::Value(narrative["text"], a), a);
    }
    if (!doc.HasMember("meta")) doc.AddMember("meta", rapidjson::Value(rapidjson::kObjectType), a);
    rapidjson::Value& meta = doc["meta"];
    if (!meta.HasMember("tag")) meta.AddMember("tag", rapidjson::Value(rapidjson::kArrayType), a);
    rapidjson::Value tag(rapidjson::kObjectType);
    tag.AddMember("system", rapidjson::Value(kTagSystem.c_str(), a), a);
    tag.AddMember("code", rapidjson::Value(scope_.c_str(), a), a);
    meta["tag"].PushBack(tag, a);
    const HttpResponse r = client_.send("PUT", "/" + type + "/" + fullId, write(doc));
    EXPECT_TRUE(r.status == 201 || r.status == 200)
        << type << "/" << fullId << ": " << r.status << " " << brief(r.body);
    return type + "/" + fullId;
  }

  void remove(const std::string& typeAndId) {
    EXPECT_EQ(client_.request("DELETE", "/" + typeAndId).status, 204) << typeAndId;
  }

  std::string scopeTag() const { return "_tag=" + kTagSystem + "%7C" + scope_; }

  // GET `pathAndQuery` with the scope's tag added.
  Found find(const std::string& pathAndQuery, const std::vector<std::string>& headers = {}) {
    const char sep = pathAndQuery.find('?') == std::string::npos ? '?' : '&';
    return findRaw(pathAndQuery + sep + scopeTag(), headers);
  }

  // GET exactly `pathAndQuery` (a path, or an absolute URL of this server).
  Found findRaw(std::string pathAndQuery, const std::vector<std::string>& headers = {}) {
    const std::string base = server_->baseUrl();
    if (pathAndQuery.rfind(base, 0) == 0) pathAndQuery = pathAndQuery.substr(base.size());
    return readFound(client_.get(pathAndQuery, headers));
  }

  // POST [type]/_search with a form body (the scope's tag added).
  Found postSearch(const std::string& type, const std::string& form,
                   const std::vector<std::string>& headers = {}) {
    std::vector<std::string> h = headers;
    h.push_back("Content-Type: application/x-www-form-urlencoded");
    const std::string body = form + (form.empty() ? "" : "&") + scopeTag();
    return readFound(client_.request("POST", "/" + type + "/_search", body, h));
  }

  // The ids of `keys` ("Type/<scope>-x") without type and scope: {"x", ...}.
  Names names(const List& keys) const {
    Names out;
    for (const auto& k : keys) out.insert(local(k));
    return out;
  }
  List ordered(const List& keys) const {
    List out;
    for (const auto& k : keys) out.push_back(local(k));
    return out;
  }
  std::string local(const std::string& key) const {
    const auto slash = key.find('/');
    std::string idPart = slash == std::string::npos ? key : key.substr(slash + 1);
    const std::string prefix = scope_ + "-";
    return idPart.rfind(prefix, 0) == 0 ? idPart.substr(prefix.size()) : key;
  }
  // The matched local ids of a scoped GET.
  Names matchNames(const std::string& pathAndQuery) {
    const Found f = find(pathAndQuery);
    EXPECT_EQ(f.status, 200) << pathAndQuery << "\n" << brief(f.body);
    return names(f.matches);
  }

  static std::unique_ptr<ServerProcess> server_;
  HttpClient client_{server_->baseUrl()};
  std::string scope_ = makeScope();
};

std::unique_ptr<ServerProcess> Search::server_;

// ---- token ----

TEST_F(Search, TokenSystemAndCodeForms) {
  put("Patient", "a", patientJson("Token"),
      R"({"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000009"}]})");
  put("Patient", "b", patientJson("Token"),
      R"({"identifier":[{"system":"https://hospital.example.org/mrn","value":"9000000009"}]})");
  put("Patient", "c", patientJson("Token"), R"({"identifier":[{"value":"9000000009"}]})");
  put("Patient", "d", patientJson("Token"),
      R"({"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000017"}]})");

  EXPECT_EQ(matchNames("/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C9000000009"),
            (Names{"a"}));
  EXPECT_EQ(matchNames("/Patient?identifier=9000000009"), (Names{"a", "b", "c"}));
  EXPECT_EQ(matchNames("/Patient?identifier=%7C9000000009"), (Names{"c"})) << "|code: no system";
  EXPECT_EQ(matchNames("/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C"),
            (Names{"a", "d"}))
      << "system|: any code in the system";
  EXPECT_EQ(matchNames("/Patient?identifier=9000000009,9000000017"), (Names{"a", "b", "c", "d"}));
  EXPECT_EQ(matchNames("/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number%7C9999999999"),
            Names{});
}

// The first version's index rows are written without deleting (there are none); every later
// version replaces them: the old values stop matching, and no row is left twice.
TEST_F(Search, AnUpdateReplacesTheIndexRowsOfTheEarlierVersion) {
  put("Patient", "a", patientJson("Replace"),
      R"({"gender":"female","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000009"}]})");
  EXPECT_EQ(matchNames("/Patient?gender=female"), (Names{"a"}));
  put("Patient", "a", patientJson("Replace"),
      R"({"gender":"male","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000017"}]})");
  put("Patient", "a", patientJson("Replace"),
      R"({"gender":"male","identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000017"}]})");
  EXPECT_EQ(matchNames("/Patient?gender=female"), Names{});
  EXPECT_EQ(matchNames("/Patient?gender=male"), (Names{"a"}));
  EXPECT_EQ(matchNames("/Patient?identifier=9000000009"), Names{});
  const Found f = find("/Patient?identifier=9000000017");
  EXPECT_EQ(f.status, 200) << brief(f.body);
  EXPECT_EQ(f.matches.size(), 1u) << "one match, not one per version written";
}

TEST_F(Search, TokenBarUnencodedInTheUrl) {
  put("Patient", "a", patientJson("Bar"),
      R"({"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000009"}]})");
  EXPECT_EQ(matchNames("/Patient?identifier=https://fhir.nhs.uk/Id/nhs-number|9000000009"),
            (Names{"a"}));
}

TEST_F(Search, TokenNotIncludesResourcesWithoutTheElement) {
  put("Patient", "f", patientJson("Not"), R"({"gender":"female"})");
  put("Patient", "m", patientJson("Not"), R"({"gender":"male"})");
  put("Patient", "none", patientJson("Not"));
  EXPECT_EQ(matchNames("/Patient?gender=female"), (Names{"f"}));
  EXPECT_EQ(matchNames("/Patient?gender:not=female"), (Names{"m", "none"}));
  EXPECT_EQ(matchNames("/Patient?gender=female,male"), (Names{"f", "m"}));
}

TEST_F(Search, TokenTextMatchesTextAndDisplayIgnoringCase) {
  put("HealthcareService", "walk", service("Walk one"),
      R"({"type":[{"text":"Led walking group"}]})");
  put("HealthcareService", "friend", service("Befriend"),
      R"({"type":[{"coding":[{"system":"http://snomed.info/sct","code":"1234567","display":"Befriending service"}]}]})");
  EXPECT_EQ(matchNames("/HealthcareService?service-type:text=led%20walk"), (Names{"walk"}));
  EXPECT_EQ(matchNames("/HealthcareService?service-type:text=LED"), (Names{"walk"}));
  EXPECT_EQ(matchNames("/HealthcareService?service-type:text=befriending"), (Names{"friend"}));
  EXPECT_EQ(matchNames("/HealthcareService?service-type=http://snomed.info/sct%7C1234567"),
            (Names{"friend"}));
}

TEST_F(Search, TokenIdentifierOfType) {
  put("Patient", "mr", patientJson("OfType"),
      R"({"identifier":[{"type":{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/v2-0203","code":"MR"}]},"system":"https://hospital.example.org/mrn","value":"K12345"}]})");
  put("Patient", "other", patientJson("OfType"),
      R"({"identifier":[{"system":"https://hospital.example.org/mrn","value":"K12345"}]})");
  const Found f = find(
      "/Patient?identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203%7CMR%7CK12345");
  EXPECT_EQ(f.status, 200) << "the issue asks for :of-type on identifiers\n" << brief(f.body);
  EXPECT_EQ(names(f.matches), (Names{"mr"}));
}

TEST_F(Search, TokenOnABooleanAndACode) {
  put("HealthcareService", "on", service("Open"));
  put("HealthcareService", "off", service("Closed"), R"({"active":false})");
  EXPECT_EQ(matchNames("/HealthcareService?active=true"), (Names{"on"}));
  EXPECT_EQ(matchNames("/HealthcareService?active=false"), (Names{"off"}));
  EXPECT_EQ(matchNames("/HealthcareService?service-category=23"), (Names{"on", "off"}));
  EXPECT_EQ(matchNames("/HealthcareService?service-category=http://terminology.hl7.org/"
                       "CodeSystem/service-category%7C23"),
            (Names{"on", "off"}));
}

// ---- string ----

TEST_F(Search, StringPrefixCaseAndAccentInsensitive) {
  put("Patient", "zoe", patientJson("Zoë", "Ada"));
  put("Patient", "zoeller", patientJson("Zoeller", "Bea"));
  put("Patient", "kozoe", patientJson("Kozoe", "Cy"));

  EXPECT_EQ(matchNames("/Patient?family=zoe"), (Names{"zoe", "zoeller"}));
  EXPECT_EQ(matchNames("/Patient?family=ZOE"), (Names{"zoe", "zoeller"}));
  EXPECT_EQ(matchNames("/Patient?family=Zo%C3%AB"), (Names{"zoe", "zoeller"})) << "Zoë";
  EXPECT_EQ(matchNames("/Patient?family=ZO%C3%8B"), (Names{"zoe", "zoeller"})) << "ZOË";
  EXPECT_EQ(matchNames("/Patient?family=oe"), Names{}) << "a prefix, not a substring";
  EXPECT_EQ(matchNames("/Patient?name=ada"), (Names{"zoe"})) << "name covers given names";
  EXPECT_EQ(matchNames("/Patient?family=zoe&given=bea"), (Names{"zoeller"}));
}

TEST_F(Search, StringExactAndContains) {
  put("Patient", "zoe", patientJson("Zoë"));
  put("Patient", "zoeller", patientJson("Zoeller"));
  put("Patient", "kozoe", patientJson("Kozoe"));

  EXPECT_EQ(matchNames("/Patient?family:exact=Zo%C3%AB"), (Names{"zoe"}));
  EXPECT_EQ(matchNames("/Patient?family:exact=zo%C3%AB"), Names{}) << ":exact is case sensitive";
  EXPECT_EQ(matchNames("/Patient?family:exact=Zoe"), Names{}) << ":exact keeps accents";
  EXPECT_EQ(matchNames("/Patient?family:exact=Zo"), Names{}) << ":exact is no prefix";
  EXPECT_EQ(matchNames("/Patient?family:contains=oe"), (Names{"zoe", "zoeller", "kozoe"}));
  EXPECT_EQ(matchNames("/Patient?family:contains=O%C3%8B"), (Names{"zoe", "zoeller", "kozoe"}));
  EXPECT_EQ(matchNames("/Patient?family:contains=ell"), (Names{"zoeller"}));
}

TEST_F(Search, StringValuesEscapeCommas) {
  put("HealthcareService", "comma", service("Tea, Talk"));
  put("HealthcareService", "tea", service("Tea"));
  EXPECT_EQ(matchNames("/HealthcareService?name:exact=Tea%5C,%20Talk"), (Names{"comma"}))
      << "\\, is a comma inside one value";
  EXPECT_EQ(matchNames("/HealthcareService?name:exact=Tea,Nothing"), (Names{"tea"}));
}

// ---- reference ----

TEST_F(Search, ReferenceForms) {
  const std::string base = server_->baseUrl();
  put("Task", "local", task("ServiceRequest/sr", ref("Patient", "p1")),
      R"({"owner":{"reference":")" + ref("HealthcareService", "hs1") + R"("}})");
  put("Task", "org", task("ServiceRequest/sr", ref("Patient", "p3")),
      R"({"owner":{"reference":")" + ref("Organization", "hs1") + R"("}})");
  put("Task", "absolute", task("ServiceRequest/sr", ref("Patient", "p2")),
      R"({"owner":{"reference":")" + base + "/" + ref("HealthcareService", "hs2") + R"("}})");
  put("Task", "external", task("ServiceRequest/sr", ref("Patient", "p2")),
      R"({"owner":{"reference":"https://directory.example.org/fhir/HealthcareService/)" +
          id("ext1") + R"("}})");
  put("Task", "logical", task("ServiceRequest/sr", ref("Patient", "p2")),
      R"({"owner":{"identifier":{"system":"https://fhir.nhs.uk/Id/ods-organization-code","value":")" +
          id("RR8") + R"("}}})");

  EXPECT_EQ(matchNames("/Task?owner=" + ref("HealthcareService", "hs1")), (Names{"local"}));
  EXPECT_EQ(matchNames("/Task?owner=" + id("hs1")), (Names{"local", "org"})) << "id: any type";
  EXPECT_EQ(matchNames("/Task?owner:HealthcareService=" + id("hs1")), (Names{"local"}));
  EXPECT_EQ(matchNames("/Task?owner:Organization=" + id("hs1")), (Names{"org"}));
  EXPECT_EQ(matchNames("/Task?owner=" + base + "/" + ref("HealthcareService", "hs1")),
            (Names{"local"}))
      << "an absolute URL on this server means Type/id";
  EXPECT_EQ(matchNames("/Task?owner=" + ref("HealthcareService", "hs2")), (Names{"absolute"}))
      << "a stored absolute URL of this server is the local resource";
  EXPECT_EQ(
      matchNames("/Task?owner=https://directory.example.org/fhir/HealthcareService/" + id("ext1")),
      (Names{"external"}));
  EXPECT_EQ(matchNames("/Task?owner:identifier=https://fhir.nhs.uk/Id/ods-organization-code%7C" +
                       id("RR8")),
            (Names{"logical"}));
  EXPECT_EQ(matchNames("/Task?owner:identifier=" + id("RR8")), (Names{"logical"}));
  EXPECT_EQ(matchNames("/Task?subject:Patient=" + id("p1")), (Names{"local"}));
  EXPECT_EQ(matchNames("/Task?subject:Patient=" + id("p1") + "," + id("p3")),
            (Names{"local", "org"}));
  EXPECT_EQ(matchNames("/Task?patient=" + id("p1")), (Names{"local"}))
      << "patient = Task.for.where(resolve() is Patient)";
  EXPECT_EQ(matchNames("/Task?owner=" + ref("HealthcareService", "hs1") + "," +
                       ref("HealthcareService", "hs2")),
            (Names{"local", "absolute"}));
  EXPECT_EQ(matchNames("/Task?owner=HealthcareService/" + id("hs1") + "/_history/3"),
            (Names{"local"}))
      << "a versioned reference matches the resource";
}

TEST_F(Search, ReferenceAbsoluteUrlOfAnotherServerDoesNotMatchLocalReference) {
  put("Task", "local", task("ServiceRequest/sr", "Patient/p"),
      R"({"owner":{"reference":")" + ref("HealthcareService", "hs1") + R"("}})");
  EXPECT_EQ(
      matchNames("/Task?owner=https://elsewhere.example.org/fhir/HealthcareService/" + id("hs1")),
      Names{})
      << "a URL of another server names another resource";
}

// ---- date ----

class SearchDates : public Search {
 protected:
  // Patients born on one day each; Tasks with execution periods.
  void SetUp() override {
    put("Patient", "d0310", patientJson("Date"), R"({"birthDate":"2026-03-10"})");
    put("Patient", "d0320", patientJson("Date"), R"({"birthDate":"2026-03-20"})");
    put("Patient", "d0405", patientJson("Date"), R"({"birthDate":"2026-04-05"})");
    put("Patient", "d1231", patientJson("Date"), R"({"birthDate":"2025-12-31"})");
    put("Patient", "none", patientJson("Date"));
  }
};

TEST_F(SearchDates, EveryPrefixOnDays) {
  EXPECT_EQ(matchNames("/Patient?birthdate=2026-03-10"), (Names{"d0310"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=eq2026-03-10"), (Names{"d0310"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=ne2026-03-10"), (Names{"d0320", "d0405", "d1231"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=gt2026-03-10"), (Names{"d0320", "d0405"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=lt2026-03-20"), (Names{"d0310", "d1231"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=ge2026-03-20"), (Names{"d0320", "d0405"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=le2026-03-10"), (Names{"d0310", "d1231"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=sa2026-03-10"), (Names{"d0320", "d0405"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=eb2026-03-20"), (Names{"d0310", "d1231"}));
  const Names ap = matchNames("/Patient?birthdate=ap2026-03-19");
  EXPECT_EQ(ap.count("d0320"), 1u) << "ap: approximately the same day";
  EXPECT_EQ(ap.count("d0310") + ap.count("d0405") + ap.count("d1231"), 0u);
}

TEST_F(SearchDates, PartialDatesAreRanges) {
  EXPECT_EQ(matchNames("/Patient?birthdate=2026"), (Names{"d0310", "d0320", "d0405"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=2026-03"), (Names{"d0310", "d0320"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=ne2026-03"), (Names{"d0405", "d1231"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=lt2026"), (Names{"d1231"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=ge2026-04"), (Names{"d0405"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=gt2026-03"), (Names{"d0405"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=le2025"), (Names{"d1231"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=2026-03-10T12:00:00Z"), Names{})
      << "a day does not lie within one second";
  EXPECT_EQ(matchNames("/Patient?birthdate=ap2026-03-10T12:00:00Z").count("d0310"), 1u);
  EXPECT_EQ(matchNames("/Patient?birthdate=ge2026-03-10T12:00:00Z"),
            (Names{"d0310", "d0320", "d0405"}))
      << "the day's range reaches past noon";
}

TEST_F(SearchDates, DateTimesWithZones) {
  put("Task", "morning", task("ServiceRequest/sr", "Patient/p"),
      R"({"authoredOn":"2026-03-05T09:30:00+00:00"})");
  put("Task", "evening", task("ServiceRequest/sr", "Patient/p"),
      R"({"authoredOn":"2026-03-05T23:30:00-02:00"})");  // 2026-03-06T01:30Z
  EXPECT_EQ(matchNames("/Task?authored-on=2026-03-05"), (Names{"morning"}));
  EXPECT_EQ(matchNames("/Task?authored-on=2026-03-06"), (Names{"evening"}));
  EXPECT_EQ(matchNames("/Task?authored-on=ge2026-03-05T10:00:00%2B00:00"), (Names{"evening"}))
      << "%2B is a plus in the zone";
  EXPECT_EQ(matchNames("/Task?authored-on=lt2026-03-05T11:00:00%2B01:00"), (Names{"morning"}));
  EXPECT_EQ(matchNames("/Task?authored-on=2026-03-05T09:30:00Z"), (Names{"morning"}));
  EXPECT_EQ(matchNames("/Task?authored-on=2026-03-05T09:30Z"), (Names{"morning"}))
      << "to the minute";
}

TEST_F(SearchDates, Periods) {
  put("Task", "march", task("ServiceRequest/sr", "Patient/p"),
      R"({"executionPeriod":{"start":"2026-03-01T09:00:00+00:00","end":"2026-03-31T17:00:00+00:00"}})");
  put("Task", "open", task("ServiceRequest/sr", "Patient/p"),
      R"({"executionPeriod":{"start":"2026-05-01T09:00:00+00:00"}})");
  put("Task", "january", task("ServiceRequest/sr", "Patient/p"),
      R"({"executionPeriod":{"start":"2026-01-05","end":"2026-01-30"}})");
  EXPECT_EQ(matchNames("/Task?period=2026-03"), (Names{"march"}))
      << "eq: the period lies within March";
  EXPECT_EQ(matchNames("/Task?period=2026"), (Names{"march", "january"}))
      << "an open end does not lie within 2026";
  EXPECT_EQ(matchNames("/Task?period=ge2026-04-01"), (Names{"open"}));
  EXPECT_EQ(matchNames("/Task?period=ge2027-06-01"), (Names{"open"})) << "open end: for ever";
  EXPECT_EQ(matchNames("/Task?period=lt2026-02-15"), (Names{"january"}));
  EXPECT_EQ(matchNames("/Task?period=le2026-03-01"), (Names{"march", "january"}));
  EXPECT_EQ(matchNames("/Task?period=sa2026-02-15"), (Names{"march", "open"}));
  EXPECT_EQ(matchNames("/Task?period=eb2026-04-01"), (Names{"march", "january"}));
  EXPECT_EQ(matchNames("/Task?period=gt2026-03-31"), (Names{"open"}));
  EXPECT_EQ(matchNames("/Task?period=ne2026-03"), (Names{"open", "january"}));
  EXPECT_EQ(names(postSearch("Task", "period=ge2026-03-15&period=le2026-03-16").matches),
            (Names{"march"}))
      << "two bounds (repeated parameter, POST): the period overlaps 15-16 March";
}

// ---- number and quantity ----

TEST_F(Search, NumberPrefixesAndPrecision) {
  auto risk = [&](const std::string& local, const std::string& p) {
    put("RiskAssessment", local,
        R"({"resourceType":"RiskAssessment","status":"final","subject":{"reference":"Patient/p"},)"
        R"("prediction":[{"probabilityDecimal":)" +
            p + "}]}");
  };
  risk("low", "0.2");
  risk("mid", "0.5");
  risk("high", "0.85");
  EXPECT_EQ(matchNames("/RiskAssessment?probability=0.5"), (Names{"mid"}));
  EXPECT_EQ(matchNames("/RiskAssessment?probability=eq0.5"), (Names{"mid"}));
  EXPECT_EQ(matchNames("/RiskAssessment?probability=0.7"), Names{}) << "0.7 means [0.65, 0.75)";
  EXPECT_EQ(matchNames("/RiskAssessment?probability=0.86"), Names{}) << "0.86 means [0.855, 0.865)";
  EXPECT_EQ(matchNames("/RiskAssessment?probability=0.85"), (Names{"high"}));
  EXPECT_EQ(matchNames("/RiskAssessment?probability=1"), (Names{"mid", "high"}))
      << "1 means [0.5, 1.5)";
  EXPECT_EQ(matchNames("/RiskAssessment?probability=ne0.5"), (Names{"low", "high"}));
  EXPECT_EQ(matchNames("/RiskAssessment?probability=gt0.5"), (Names{"high"}));
  EXPECT_EQ(matchNames("/RiskAssessment?probability=lt0.5"), (Names{"low"}));
  EXPECT_EQ(matchNames("/RiskAssessment?probability=ge0.5"), (Names{"mid", "high"}));
  EXPECT_EQ(matchNames("/RiskAssessment?probability=le0.5"), (Names{"low", "mid"}));
  EXPECT_EQ(matchNames("/RiskAssessment?probability=sa0.5"), (Names{"high"}));
  EXPECT_EQ(matchNames("/RiskAssessment?probability=eb0.5"), (Names{"low"}));
  EXPECT_EQ(matchNames("/RiskAssessment?probability=ap0.52"), (Names{"mid"}));
  EXPECT_EQ(names(postSearch("RiskAssessment", "probability=ge2e-1&probability=lt6e-1").matches),
            (Names{"low", "mid"}))
      << "repeated (POST: see RepeatedQueryParameterIsAndOverGet for GET)";
}

TEST_F(Search, QuantityWithUnits) {
  auto weight = [&](const std::string& local, const std::string& value, const std::string& code) {
    put("Observation", local,
        R"({"resourceType":"Observation","status":"final","code":{"text":"Body weight"},)"
        R"("subject":{"reference":"Patient/p"},"valueQuantity":{"value":)" +
            value + R"(,"unit":")" + code + R"(","system":"http://unitsofmeasure.org","code":")" +
            code + R"("}})");
  };
  weight("kg72", "72.5", "kg");
  weight("kg90", "90", "kg");
  weight("lb72", "72.5", "[lb_av]");
  EXPECT_EQ(matchNames("/Observation?value-quantity=72.5"), (Names{"kg72", "lb72"}));
  EXPECT_EQ(matchNames("/Observation?value-quantity=72.5%7Chttp://unitsofmeasure.org%7Ckg"),
            (Names{"kg72"}));
  EXPECT_EQ(matchNames("/Observation?value-quantity=72.5%7C%7Ckg"), (Names{"kg72"}))
      << "number||code: any system";
  EXPECT_EQ(matchNames("/Observation?value-quantity=gt80%7Chttp://unitsofmeasure.org%7Ckg"),
            (Names{"kg90"}));
  EXPECT_EQ(matchNames("/Observation?value-quantity=le80%7C%7Ckg"), (Names{"kg72"}));
  EXPECT_EQ(matchNames("/Observation?value-quantity=lt100"), (Names{"kg72", "kg90", "lb72"}));
  EXPECT_EQ(matchNames("/Observation?value-quantity=ap88%7C%7Ckg"), (Names{"kg90"}));
}

// ---- uri ----

TEST_F(Search, UriExactBelowAndAbove) {
  const std::string root = "https://forms.example.org/" + scope_ + "/Questionnaire/";
  auto form = [&](const std::string& local, const std::string& url) {
    put("Questionnaire", local,
        R"({"resourceType":"Questionnaire","status":"active","url":")" + url + R"("})");
  };
  form("wellbeing", root + "wellbeing");
  form("v2", root + "wellbeing/v2");
  form("extended", root + "wellbeing-extended");
  form("other", root + "other");
  EXPECT_EQ(matchNames("/Questionnaire?url=" + root + "wellbeing"), (Names{"wellbeing"}));
  EXPECT_EQ(matchNames("/Questionnaire?url:below=" + root + "wellbeing").count("v2"), 1u);
  EXPECT_EQ(matchNames("/Questionnaire?url:below=" + root),
            (Names{"wellbeing", "v2", "extended", "other"}));
  EXPECT_EQ(matchNames("/Questionnaire?url:above=" + root + "wellbeing/v2/draft"),
            (Names{"wellbeing", "v2"}));
  EXPECT_EQ(matchNames("/Questionnaire?url:below=" + root + "wellbeing"),
            (Names{"wellbeing", "v2"}))
      << ":below works on path segments: wellbeing-extended is not below wellbeing";
}

// ---- :missing ----

TEST_F(Search, MissingTrueAndFalse) {
  put("Patient", "born", patientJson("Missing"), R"({"birthDate":"1950-01-01"})");
  put("Patient", "unborn", patientJson("Missing"));
  put("Task", "owned", task("ServiceRequest/sr", "Patient/p"),
      R"({"owner":{"reference":"Organization/o"}})");
  put("Task", "unowned", task("ServiceRequest/sr", "Patient/p"));
  put("HealthcareService", "typed", service("T"), R"({"type":[{"text":"Walking"}]})");
  put("HealthcareService", "untyped", service("U"));
  EXPECT_EQ(matchNames("/Patient?birthdate:missing=true"), (Names{"unborn"}));
  EXPECT_EQ(matchNames("/Patient?birthdate:missing=false"), (Names{"born"}));
  EXPECT_EQ(matchNames("/Task?owner:missing=true"), (Names{"unowned"}));
  EXPECT_EQ(matchNames("/Task?owner:missing=false"), (Names{"owned"}));
  EXPECT_EQ(matchNames("/HealthcareService?service-type:missing=true"), (Names{"untyped"}));
  EXPECT_EQ(matchNames("/Patient?family:missing=false"), (Names{"born", "unborn"}));
  put("RiskAssessment", "scored",
      R"({"resourceType":"RiskAssessment","status":"final","subject":{"reference":"Patient/p"},)"
      R"("prediction":[{"probabilityDecimal":0.3}]})");
  put("RiskAssessment", "unscored",
      R"({"resourceType":"RiskAssessment","status":"final","subject":{"reference":"Patient/p"},)"
      R"("prediction":[{"outcome":{"text":"Isolation"}}]})");
  EXPECT_EQ(matchNames("/RiskAssessment?probability:missing=true"), (Names{"unscored"}));
  EXPECT_EQ(matchNames("/RiskAssessment?probability:missing=false"), (Names{"scored"}));
  put("Questionnaire", "addressed",
      R"({"resourceType":"Questionnaire","status":"active","url":"https://forms.example.org/)" +
          id("q") + R"("})");
  put("Questionnaire", "unaddressed", R"({"resourceType":"Questionnaire","status":"draft"})");
  EXPECT_EQ(matchNames("/Questionnaire?url:missing=true"), (Names{"unaddressed"}));
  EXPECT_EQ(matchNames("/Questionnaire?url:missing=false"), (Names{"addressed"}));
  EXPECT_EQ(find("/Patient?birthdate:missing=maybe").status, 400);
}

// ---- OR and AND ----

TEST_F(Search, CommaIsOrAcrossValues) {
  put("Patient", "a", patientJson("Alpha"));
  put("Patient", "b", patientJson("Beta"));
  put("Patient", "c", patientJson("Gamma"));
  EXPECT_EQ(matchNames("/Patient?family=alpha,beta"), (Names{"a", "b"}));
  EXPECT_EQ(matchNames("/Patient?_id=" + id("a") + "," + id("c")), (Names{"a", "c"}));
}

// The server must see a repeated query parameter twice: ?birthdate=ge..&birthdate=lt.. is AND.
TEST_F(Search, RepeatedQueryParameterIsAndOverGet) {
  put("Patient", "jan", patientJson("Repeat"), R"({"birthDate":"2026-01-15"})");
  put("Patient", "mar", patientJson("Repeat"), R"({"birthDate":"2026-03-15"})");
  put("Patient", "may", patientJson("Repeat"), R"({"birthDate":"2026-05-15"})");
  EXPECT_EQ(matchNames("/Patient?birthdate=ge2026-02-01&birthdate=lt2026-04-01"), (Names{"mar"}));
  EXPECT_EQ(matchNames("/Patient?birthdate=lt2026-04-01&birthdate=ge2026-02-01"), (Names{"mar"}));
  const Found f = find("/Patient?family=rep&family=xyz");
  EXPECT_EQ(names(f.matches), Names{}) << "family=rep AND family=xyz matches nothing";
  EXPECT_NE(f.link("self").find("family=xyz"), std::string::npos)
      << "the self link keeps both values: " << f.link("self");
}

TEST_F(Search, RepeatedFormParameterIsAndOverPost) {
  put("Patient", "jan", patientJson("Repeat"), R"({"birthDate":"2026-01-15"})");
  put("Patient", "mar", patientJson("Repeat"), R"({"birthDate":"2026-03-15"})");
  put("Patient", "may", patientJson("Repeat"), R"({"birthDate":"2026-05-15"})");
  const Found f = postSearch("Patient", "birthdate=ge2026-02-01&birthdate=lt2026-04-01");
  ASSERT_EQ(f.status, 200) << brief(f.body);
  EXPECT_EQ(names(f.matches), (Names{"mar"}));
  EXPECT_EQ(names(postSearch("Patient", "family=rep&family=xyz").matches), Names{});
  EXPECT_EQ(names(postSearch("Patient", "family=rep&birthdate=2026-05").matches), (Names{"may"}));
}

TEST_F(Search, PostSearchAnswersLikeGet) {
  put("Patient", "a", patientJson("Post"), R"({"gender":"female"})");
  put("Patient", "b", patientJson("Post"), R"({"gender":"male"})");
  const Found get = find("/Patient?gender=female");
  const Found post = postSearch("Patient", "gender=female");
  ASSERT_EQ(post.status, 200) << brief(post.body);
  EXPECT_EQ(names(post.matches), (Names{"a"}));
  EXPECT_EQ(post.matches, get.matches);
  EXPECT_NE(post.link("self").find("/Patient?"), std::string::npos)
      << "the self link is a GET form: " << post.link("self");
  const Found encoded = postSearch("Patient", "family=p%6Fst&gender=male");
  EXPECT_EQ(names(encoded.matches), (Names{"b"})) << "form values are percent-decoded";
  const Found strict = postSearch("Patient", "nonsense=1", {"Prefer: handling=strict"});
  EXPECT_EQ(strict.status, 400);
}

// ---- common parameters ----

TEST_F(Search, IdAndLastUpdated) {
  put("Patient", "a", patientJson("Common"));
  const HttpResponse read = client_.get("/Patient/" + id("a"));
  const std::string lastUpdated = at(read.body, "/meta/lastUpdated");
  ASSERT_FALSE(lastUpdated.empty()) << brief(read.body);
  put("Patient", "b", patientJson("Common"));
  EXPECT_EQ(matchNames("/Patient?_id=" + id("a")), (Names{"a"}));
  EXPECT_EQ(matchNames("/Patient?_id=" + id("a") + "," + id("b")), (Names{"a", "b"}));
  EXPECT_EQ(matchNames("/Patient?_id=nothing-" + id("a")), Names{});
  EXPECT_EQ(matchNames("/Patient?_lastUpdated=" + lastUpdated), (Names{"a"}))
      << "eq at millisecond precision: " << lastUpdated;
  EXPECT_EQ(matchNames("/Patient?_lastUpdated=gt" + lastUpdated), (Names{"b"}));
  EXPECT_EQ(matchNames("/Patient?_lastUpdated=le" + lastUpdated), (Names{"a"}));
  EXPECT_EQ(matchNames("/Patient?_lastUpdated=ge2000-01-01"), (Names{"a", "b"}));
  EXPECT_EQ(matchNames("/Patient?_lastUpdated=lt2000-01-01"), Names{});
  EXPECT_EQ(matchNames("/Patient?_lastUpdated=" + lastUpdated.substr(0, 4)), (Names{"a", "b"}))
      << "this year";
}

TEST_F(Search, TagProfileAndSecurity) {
  const std::string handover = kSd + "sp-handover-task";
  const std::string referral = kSd + "sp-referral-task";
  // Unscoped queries: the tag of the test is itself what is searched.
  put("Task", "referral", task("ServiceRequest/sr", "Patient/p"),
      R"({"meta":{"profile":[")" + referral +
          R"("],"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]}})");
  put("Task", "handover", task("ServiceRequest/sr", "Patient/p"),
      R"({"meta":{"profile":[")" + handover +
          R"("],"tag":[{"system":"https://sp.example.org/tags","code":"urgent"}]},)"
          R"("code":{"coding":[{"system":")" +
          kCs +
          R"(task-code","code":"warm-handover"}]},)"
          R"("owner":{"reference":"PractitionerRole/prr-linkworker-hale"},)"
          R"("input":[{"type":{"text":"Handover note"},"valueString":"Prefers mornings."}]})");
  const std::string scope = kTagSystem + "%7C" + scope_;
  auto names2 = [&](const std::string& q) {
    const Found f = findRaw(q);
    EXPECT_EQ(f.status, 200) << q << "\n" << brief(f.body);
    return names(f.matches);
  };
  EXPECT_EQ(names2("/Task?_tag=" + scope), (Names{"referral", "handover"}));
  EXPECT_EQ(names2("/Task?_tag=" + scope_), (Names{"referral", "handover"})) << "code only";
  EXPECT_EQ(names2("/Task?_id=" + id("referral") + "," + id("handover") +
                   "&_tag=https://sp.example.org/tags%7Curgent"),
            (Names{"handover"}));
  EXPECT_EQ(names2("/Task?_id=" + id("referral") + "," + id("handover") + "&_profile=" + handover),
            (Names{"handover"}));
  EXPECT_EQ(names2("/Task?_id=" + id("referral") + "," + id("handover") + "&_profile=" + referral),
            (Names{"referral"}));
  EXPECT_EQ(names2("/Task?_id=" + id("referral") + "," + id("handover") +
                   "&_security=http://terminology.hl7.org/CodeSystem/v3-Confidentiality%7CR"),
            (Names{"referral"}));
  EXPECT_EQ(names2("/Task?_id=" + id("referral") + "," + id("handover") + "&_security:not=R"),
            (Names{"handover"}));
}

// ---- chains ----

class SearchReferrals : public Search {
 protected:
  // Two people, their referrals and the Tasks acting on them.
  void SetUp() override {
    put("Patient", "p9", patientJson("Chain" + scope_.substr(0, 5), "Nine"),
        R"({"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000009"}]})");
    put("Patient", "p17", patientJson("Other", "Seventeen"),
        R"({"identifier":[{"system":"https://fhir.nhs.uk/Id/nhs-number","value":"9000000017"}]})");
    put("ServiceRequest", "sr9", samples::referral(ref("Patient", "p9")));
    put("ServiceRequest", "sr9b",
        samples::referral(ref("Patient", "p9"), "PractitionerRole/prr-gp-osei",
                          "self-referral-web"));
    put("ServiceRequest", "sr17", samples::referral(ref("Patient", "p17")));
    put("Task", "t9", task(ref("ServiceRequest", "sr9"), ref("Patient", "p9")),
        R"({"owner":{"reference":")" + ref("HealthcareService", "hs") + R"("}})");
    put("Task", "t9b", task(ref("ServiceRequest", "sr9b"), ref("Patient", "p9")),
        R"({"status":"accepted"})");
    put("Task", "t17", task(ref("ServiceRequest", "sr17"), ref("Patient", "p17")),
        R"({"status":"completed","businessStatus":{"coding":[{"system":")" + kCs +
            R"(task-business-status","code":"discharged"}]}})");
  }
};

TEST_F(SearchReferrals, ChainThroughTwoReferences) {
  EXPECT_EQ(
      matchNames("/Task?focus:ServiceRequest.subject:Patient.identifier=" + kNhs + "%7C9000000009"),
      (Names{"t9", "t9b"}));
  EXPECT_EQ(
      matchNames("/Task?focus:ServiceRequest.subject:Patient.identifier=" + kNhs + "|9000000017"),
      (Names{"t17"}));
  EXPECT_EQ(matchNames("/Task?focus:ServiceRequest.subject:Patient.identifier=9000000009"),
            (Names{"t9", "t9b"}));
  EXPECT_EQ(matchNames("/Task?focus:ServiceRequest.route=self-referral-web"), (Names{"t9b"}));
  EXPECT_EQ(matchNames("/Task?patient.family=chain" + scope_.substr(0, 5)), (Names{"t9", "t9b"}));
  EXPECT_EQ(matchNames("/Task?subject:Patient.name=seventeen"), (Names{"t17"}));
  EXPECT_EQ(matchNames("/Task?focus:ServiceRequest._id=" + id("sr9")), (Names{"t9"}));
  EXPECT_EQ(matchNames("/Task?focus:ServiceRequest.subject:Patient.identifier=" + kNhs +
                       "%7C9000000009&status=accepted"),
            (Names{"t9b"}));
}

TEST_F(SearchReferrals, ChainErrors) {
  EXPECT_EQ(find("/Task?status.code=x").status, 400) << "a token cannot be chained";
  EXPECT_EQ(find("/Task?focus:ServiceRequest.nonsense=x").status, 400);
}

TEST_F(SearchReferrals, ReverseChainHas) {
  EXPECT_EQ(matchNames("/Patient?_has:Task:patient:status=requested"), (Names{"p9"}));
  EXPECT_EQ(matchNames("/Patient?_has:Task:subject:status=completed"), (Names{"p17"}));
  EXPECT_EQ(matchNames("/Patient?_has:Task:patient:status=requested,completed"),
            (Names{"p9", "p17"}));
  EXPECT_EQ(matchNames("/Patient?_has:ServiceRequest:subject:route=self-referral-web"),
            (Names{"p9"}));
  EXPECT_EQ(matchNames("/ServiceRequest?_has:Task:focus:business-status=discharged"),
            (Names{"sr17"}));
  EXPECT_EQ(matchNames("/Patient?_has:Task:patient:status=cancelled"), Names{});
  EXPECT_EQ(find("/Patient?_has:Task:status:status=requested").status, 400)
      << "status is no reference parameter";
  EXPECT_EQ(find("/Patient?_has:Task=x").status, 400);
}

// ---- includes ----

TEST_F(SearchReferrals, IncludeTargetsAsIncludeEntries) {
  const Found f = find("/Task?status=requested,accepted&_include=Task:focus");
  ASSERT_EQ(f.status, 200) << brief(f.body);
  EXPECT_EQ(names(f.matches), (Names{"t9", "t9b"}));
  EXPECT_EQ(names(f.includes), (Names{"sr9", "sr9b"}));
  EXPECT_EQ(f.includes.size(), 2u) << "each included resource once";

  const Found typed = find("/Task?status=requested&_include=Task:focus:ServiceRequest");
  EXPECT_EQ(names(typed.includes), (Names{"sr9"}));
  const Found wrongType = find("/Task?status=requested&_include=Task:focus:Patient");
  EXPECT_EQ(wrongType.includes.size(), 0u) << wrongType.body;

  const Found two = find("/Task?_id=" + id("t9") + "&_include=Task:focus&_include=Task:patient");
  EXPECT_EQ(names(two.includes), (Names{"sr9", "p9"}))
      << "two _include parameters (repeated name) both apply";
}

TEST_F(SearchReferrals, IncludeOverPostWithRepeatedInclude) {
  const Found two =
      postSearch("Task", "_id=" + id("t9") + "&_include=Task:focus&_include=Task:patient");
  ASSERT_EQ(two.status, 200) << brief(two.body);
  EXPECT_EQ(names(two.includes), (Names{"sr9", "p9"}));
}

TEST_F(SearchReferrals, RevIncludeAndIterate) {
  const Found rev =
      find("/ServiceRequest?_id=" + id("sr9") + "," + id("sr17") + "&_revinclude=Task:focus");
  ASSERT_EQ(rev.status, 200) << brief(rev.body);
  EXPECT_EQ(names(rev.matches), (Names{"sr9", "sr17"}));
  EXPECT_EQ(names(rev.includes), (Names{"t9", "t17"}));

  const Found iter = find("/Task?_id=" + id("t9") +
                          "&_include=Task:focus&_include:iterate=ServiceRequest:subject");
  ASSERT_EQ(iter.status, 200) << brief(iter.body);
  EXPECT_EQ(names(iter.matches), (Names{"t9"}));
  EXPECT_EQ(names(iter.includes), (Names{"sr9", "p9"})) << "Task -> ServiceRequest -> Patient";

  // Without :iterate, ServiceRequest:subject applies only to matches (none are ServiceRequests).
  const Found once = postSearch(
      "Task", "_id=" + id("t9") + "&_include=Task:focus&_include=ServiceRequest:subject");
  EXPECT_EQ(names(once.includes), (Names{"sr9"})) << brief(once.body);

  // Reverse then forward: ServiceRequest <- Task -> owner
  const Found both = find("/Patient?_id=" + id("p9") +
                          "&_revinclude=ServiceRequest:subject&_revinclude:iterate=Task:focus");
  EXPECT_EQ(names(both.includes), (Names{"sr9", "sr9b", "t9", "t9b"})) << brief(both.body);

  const Found total = find("/Task?_id=" + id("t9") + "&_include=Task:focus&_total=accurate");
  ASSERT_TRUE(total.total.has_value()) << brief(total.body);
  EXPECT_EQ(*total.total, 1) << "includes are not counted";
}

TEST_F(SearchReferrals, IncludeErrors) {
  EXPECT_EQ(find("/Task?_include=Task:nonsense").status, 400);
  EXPECT_EQ(find("/Task?_include=Task:status").status, 400) << "status is no reference";
  EXPECT_EQ(find("/Task?_include=Task").status, 400);
}

// ---- sorting ----

TEST_F(Search, SortOnSeveralKeysAndDescending) {
  // meta.lastUpdated has millisecond precision: the pauses keep the four writes apart in time,
  // so _lastUpdated orders them without falling back on the id (a quiet machine writes
  // two in the same millisecond).
  const auto apart = [] { std::this_thread::sleep_for(std::chrono::milliseconds(3)); };
  put("Patient", "adams2000", patientJson("Adams"), R"({"birthDate":"2000-01-01"})");
  apart();
  put("Patient", "adams1990", patientJson("Adams"), R"({"birthDate":"1990-01-01"})");
  apart();
  put("Patient", "brown", patientJson("Brown"), R"({"birthDate":"1995-01-01"})");
  apart();
  put("Patient", "clark", patientJson("Clark"), R"({"birthDate":"1980-01-01"})");
  auto sorted = [&](const std::string& q) {
    const Found f = find(q);
    EXPECT_EQ(f.status, 200) << q << "\n" << brief(f.body);
    return ordered(f.matches);
  };
  EXPECT_EQ(sorted("/Patient?_sort=family,-birthdate"),
            (List{"adams2000", "adams1990", "brown", "clark"}));
  EXPECT_EQ(sorted("/Patient?_sort=family,birthdate"),
            (List{"adams1990", "adams2000", "brown", "clark"}));
  EXPECT_EQ(sorted("/Patient?_sort=-family,birthdate"),
            (List{"clark", "brown", "adams1990", "adams2000"}));
  EXPECT_EQ(sorted("/Patient?_sort=birthdate"), (List{"clark", "adams1990", "brown", "adams2000"}));
  EXPECT_EQ(sorted("/Patient?_sort=-birthdate"),
            (List{"adams2000", "brown", "adams1990", "clark"}));
  EXPECT_EQ(sorted("/Patient?_sort=_id"), (List{"adams1990", "adams2000", "brown", "clark"}));
  EXPECT_EQ(sorted("/Patient?_sort=-_id"), (List{"clark", "brown", "adams2000", "adams1990"}));
  EXPECT_EQ(sorted("/Patient?_sort=_lastUpdated"),
            (List{"adams2000", "adams1990", "brown", "clark"}))
      << "written in that order";
  EXPECT_EQ(sorted("/Patient?_sort=-_lastUpdated"),
            (List{"clark", "brown", "adams1990", "adams2000"}));
  EXPECT_EQ(find("/Patient?_sort=nonsense").status, 400);
}

TEST_F(Search, SortWithMissingValuesKeepsEveryResource) {
  put("Patient", "b", patientJson("Sortmiss"), R"({"birthDate":"2000-01-01"})");
  put("Patient", "a", patientJson("Sortmiss"), R"({"birthDate":"1990-01-01"})");
  put("Patient", "none", patientJson("Sortmiss"));
  const Found up = find("/Patient?_sort=birthdate");
  EXPECT_EQ(names(up.matches), (Names{"a", "b", "none"}));
  const List order = ordered(up.matches);
  ASSERT_EQ(order.size(), 3u);
  EXPECT_LT(std::find(order.begin(), order.end(), "a") - order.begin(),
            std::find(order.begin(), order.end(), "b") - order.begin());
  const Found down = find("/Patient?_sort=-birthdate");
  EXPECT_EQ(names(down.matches), (Names{"a", "b", "none"}));
}

// ---- _count and paging ----

TEST_F(Search, CountIsClampedToTheConfiguredMaximum) {
  for (int i = 0; i < kMaxPageSize + 5; ++i)
    put("Patient", "n" + std::to_string(i), patientJson("Clamp"));
  const Found big = find("/Patient?_count=1000");
  ASSERT_EQ(big.status, 200) << brief(big.body);
  EXPECT_EQ(big.matches.size(), static_cast<std::size_t>(kMaxPageSize));
  EXPECT_FALSE(big.link("next").empty());
  const Found small = find("/Patient?_count=3");
  EXPECT_EQ(small.matches.size(), 3u);
  EXPECT_EQ(find("/Patient?_count=-1").status, 400);
  EXPECT_EQ(find("/Patient?_count=ten").status, 400);
  const Found zero = find("/Patient?_count=0&_total=accurate");
  EXPECT_EQ(zero.status, 200);
  EXPECT_EQ(zero.matches.size(), 0u);
  ASSERT_TRUE(zero.total.has_value());
  EXPECT_EQ(*zero.total, kMaxPageSize + 5);
}

// Follows next links to the end, then previous links back to the start.
TEST_F(Search, PagingForwardToTheEndAndBack) {
  List all;
  for (int i = 0; i < 11; ++i) {
    const std::string local = "p" + std::string(i < 10 ? "0" : "") + std::to_string(i);
    put("Patient", local, patientJson("Paging"));
    all.push_back(local);
  }
  std::vector<List> forward;
  Found page = find("/Patient?family=paging&_count=3");
  ASSERT_EQ(page.status, 200) << brief(page.body);
  EXPECT_TRUE(page.link("previous").empty()) << "the first page has no previous";
  EXPECT_NE(page.link("self").find("_count=3"), std::string::npos) << page.link("self");
  forward.push_back(ordered(page.matches));
  for (int guard = 0; !page.link("next").empty() && guard < 20; ++guard) {
    const std::string next = page.link("next");
    EXPECT_EQ(next.rfind(server_->baseUrl(), 0), 0u) << "absolute link: " << next;
    page = findRaw(next);
    ASSERT_EQ(page.status, 200) << next << "\n" << brief(page.body);
    EXPECT_FALSE(page.link("previous").empty()) << "pages after the first have previous";
    forward.push_back(ordered(page.matches));
  }
  List seen;
  for (const auto& p : forward) seen.insert(seen.end(), p.begin(), p.end());
  EXPECT_EQ(seen, all) << "default order: by id; each once";
  ASSERT_EQ(forward.size(), 4u);
  EXPECT_EQ(forward.back(), (List{"p09", "p10"}));

  // Back again.
  std::vector<List> backward{ordered(page.matches)};
  for (int guard = 0; !page.link("previous").empty() && guard < 20; ++guard) {
    const std::string previous = page.link("previous");
    page = findRaw(previous);
    ASSERT_EQ(page.status, 200) << previous << "\n" << brief(page.body);
    EXPECT_FALSE(page.link("next").empty()) << "a page reached backwards has next";
    backward.push_back(ordered(page.matches));
  }
  std::reverse(backward.begin(), backward.end());
  EXPECT_EQ(backward, forward);
  // The self link of a page gives the same page again.
  const Found again = findRaw(page.link("self"));
  EXPECT_EQ(again.matches, page.matches);
}

TEST_F(Search, PagingSortedWithTies) {
  // Three families, several people each: the keyset must break ties on the id.
  List expected;
  for (const std::string family : {"Aa", "Bb", "Cc"}) {
    for (int i = 0; i < 4; ++i) {
      const std::string local = family + std::to_string(i);
      put("Patient", local, patientJson("Tie" + family),
          R"({"birthDate":")" + std::to_string(1990 + i % 2) + R"(-01-01"})");
    }
  }
  // -family, birthdate, then id
  for (const std::string family : {"Cc", "Bb", "Aa"}) {
    for (int i : {0, 2, 1, 3}) expected.push_back(family + std::to_string(i));
  }
  List seen;
  Found page = find("/Patient?family=tie&_sort=-family,birthdate&_count=5");
  ASSERT_EQ(page.status, 200) << brief(page.body);
  seen = ordered(page.matches);
  for (int guard = 0; !page.link("next").empty() && guard < 20; ++guard) {
    page = findRaw(page.link("next"));
    ASSERT_EQ(page.status, 200) << brief(page.body);
    const List more = ordered(page.matches);
    seen.insert(seen.end(), more.begin(), more.end());
  }
  EXPECT_EQ(seen, expected);
}

// Resources created, changed and deleted between page fetches: every resource that stayed
// untouched throughout appears exactly once.
TEST_F(Search, PagingWhileTheSetChanges) {
  const std::vector<std::string> sorts = {"", "&_sort=family,-_lastUpdated", "&_sort=-_id",
                                          "&_sort=_lastUpdated"};
  for (std::size_t round = 0; round < sorts.size(); ++round) {
    SCOPED_TRACE("sort: " + sorts[round]);
    const std::string r = "r" + std::to_string(round);
    const std::string family = "Moving" + std::string(1, static_cast<char>('a' + round));
    std::set<std::string> stable;
    std::vector<std::string> doomed;   // deleted while paging
    std::vector<std::string> touched;  // updated while paging
    for (int i = 0; i < 20; ++i) {
      const std::string local = r + "-s" + std::string(i < 10 ? "0" : "") + std::to_string(i);
      put("Patient", local, patientJson(family + (i % 2 ? "x" : "y")));
      stable.insert(local);
      if (i % 3 == 0) {
        doomed.push_back(r + "-d" + std::to_string(i));
        put("Patient", doomed.back(), patientJson(family + "x"));
      }
      if (i % 5 == 0) {
        touched.push_back(r + "-t" + std::to_string(i));
        put("Patient", touched.back(), patientJson(family + "y"));
      }
    }
    std::vector<std::string> seen;
    Found page = find("/Patient?family=" + family + "&_count=4" + sorts[round]);
    ASSERT_EQ(page.status, 200) << brief(page.body);
    for (int fetches = 0;; ++fetches) {
      for (const auto& m : ordered(page.matches)) seen.push_back(m);
      // Change the set: new resources that sort anywhere, deletions, updates.
      put("Patient", r + "-a" + std::to_string(fetches), patientJson(family + "x"));
      put("Patient", r + "-s" + std::to_string(fetches) + "z", patientJson(family + "y"));
      const auto i = static_cast<std::size_t>(fetches);
      if (i < doomed.size()) remove("Patient/" + id(doomed[i]));
      if (i < touched.size()) put("Patient", touched[i], patientJson(family + "x"));
      const std::string next = page.link("next");
      if (next.empty() || fetches > 40) break;
      page = findRaw(next);
      ASSERT_EQ(page.status, 200) << next << "\n" << brief(page.body);
    }
    for (const auto& s : stable) {
      EXPECT_EQ(std::count(seen.begin(), seen.end(), s), 1) << s;
    }
    for (const auto& s : doomed) {
      EXPECT_LE(std::count(seen.begin(), seen.end(), s), 1) << s;
    }
    const std::set<std::string> unique(seen.begin(), seen.end());
    EXPECT_GE(seen.size(), stable.size());
    // An updated resource may move under _lastUpdated; every other one appears at most once.
    if (sorts[round].find("_lastUpdated") == std::string::npos) {
      EXPECT_EQ(unique.size(), seen.size()) << "no resource twice";
    }
  }
}

TEST_F(Search, MalformedCursorIs400) {
  put("Patient", "a", patientJson("Cursor"));
  EXPECT_EQ(find("/Patient?_cursor=%%%").status, 400);
  EXPECT_EQ(find("/Patient?_cursor=bm9uc2Vuc2U").status, 400);
}

// ---- _total, _summary, _elements ----

TEST_F(Search, TotalNoneEstimateAccurate) {
  for (int i = 0; i < 7; ++i) put("Patient", "t" + std::to_string(i), patientJson("Total"));
  const Found accurate = find("/Patient?family=total&_count=2&_total=accurate");
  ASSERT_EQ(accurate.status, 200) << brief(accurate.body);
  ASSERT_TRUE(accurate.total.has_value()) << brief(accurate.body);
  EXPECT_EQ(*accurate.total, 7);
  EXPECT_EQ(accurate.matches.size(), 2u);
  const Found none = find("/Patient?family=total&_count=2&_total=none");
  EXPECT_EQ(none.status, 200);
  EXPECT_FALSE(none.total.has_value()) << brief(none.body);
  const Found estimate = find("/Patient?family=total&_count=2&_total=estimate");
  EXPECT_EQ(estimate.status, 200);
  ASSERT_TRUE(estimate.total.has_value()) << "estimate gives a number";
  EXPECT_GE(*estimate.total, 0);
  EXPECT_EQ(find("/Patient?_total=some").status, 400);
  // The total stays on the following pages.
  const Found second = findRaw(accurate.link("next"));
  ASSERT_TRUE(second.total.has_value()) << brief(second.body);
  EXPECT_EQ(*second.total, 7);
}

TEST_F(Search, SummaryAndElements) {
  put("Patient", "a", patientJson("Summary"),
      R"({"birthDate":"1948-07-19","maritalStatus":{"text":"Widowed"},)"
      R"("contact":[{"name":{"family":"Pryce"}}]})");
  const std::string subsetted = "SUBSETTED";

  const Found count = find("/Patient?family=summary&_summary=count");
  ASSERT_EQ(count.status, 200) << brief(count.body);
  EXPECT_EQ(count.entryJson.size(), 0u) << brief(count.body);
  ASSERT_TRUE(count.total.has_value());
  EXPECT_EQ(*count.total, 1);

  const Found summary = find("/Patient?family=summary&_summary=true");
  ASSERT_EQ(summary.entryJson.size(), 1u) << brief(summary.body);
  const std::string& s = summary.entryJson[0];
  EXPECT_TRUE(hasMember(s, "birthDate")) << s;
  EXPECT_TRUE(hasMember(s, "name")) << s;
  EXPECT_FALSE(hasMember(s, "maritalStatus")) << "not a summary element: " << s;
  EXPECT_FALSE(hasMember(s, "contact")) << s;
  EXPECT_FALSE(hasMember(s, "text")) << s;
  EXPECT_NE(s.find(subsetted), std::string::npos) << s;

  const Found data = find("/Patient?family=summary&_summary=data");
  ASSERT_EQ(data.entryJson.size(), 1u);
  EXPECT_FALSE(hasMember(data.entryJson[0], "text")) << data.entryJson[0];
  EXPECT_TRUE(hasMember(data.entryJson[0], "maritalStatus"));
  EXPECT_TRUE(hasMember(data.entryJson[0], "contact"));

  const Found elements = find("/Patient?family=summary&_elements=birthDate,gender");
  ASSERT_EQ(elements.entryJson.size(), 1u);
  const std::string& e = elements.entryJson[0];
  EXPECT_TRUE(hasMember(e, "birthDate")) << e;
  EXPECT_FALSE(hasMember(e, "name")) << e;
  EXPECT_TRUE(hasMember(e, "id")) << e;
  EXPECT_NE(e.find(subsetted), std::string::npos) << e;

  const Found full = find("/Patient?family=summary&_summary=false");
  ASSERT_EQ(full.entryJson.size(), 1u);
  EXPECT_TRUE(hasMember(full.entryJson[0], "contact"));
  EXPECT_TRUE(hasMember(full.entryJson[0], "text"));
  EXPECT_EQ(full.entryJson[0].find(subsetted), std::string::npos);
  EXPECT_EQ(find("/Patient?_summary=everything").status, 400);
}

// ---- unknown and malformed parameters ----

TEST_F(Search, UnknownParameterIsReportedInAnOutcomeEntry) {
  put("Patient", "a", patientJson("Unknown"));
  const Found f = find("/Patient?family=unknown&colour=blue");
  ASSERT_EQ(f.status, 200) << brief(f.body);
  EXPECT_EQ(names(f.matches), (Names{"a"}));
  ASSERT_EQ(f.outcomes.size(), 1u) << brief(f.body);
  EXPECT_NE(f.outcomes[0].find("colour"), std::string::npos) << f.outcomes[0];
  EXPECT_EQ(f.link("self").find("colour"), std::string::npos)
      << "the self link shows the parameters used: " << f.link("self");
  const Found lenient = find("/Patient?family=unknown&colour=blue", {"Prefer: handling=lenient"});
  EXPECT_EQ(lenient.status, 200);
  EXPECT_EQ(lenient.outcomes.size(), 1u);
}

TEST_F(Search, StrictHandlingRefusesUnknownParameters) {
  const HttpResponse r =
      client_.get("/Patient?family=strict&colour=blue", {"Prefer: handling=strict"});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome");
  EXPECT_NE(r.body.find("colour"), std::string::npos) << brief(r.body);
  EXPECT_EQ(client_.get("/Patient?family=strict", {"Prefer: handling=strict"}).status, 200);
}

TEST_F(Search, MalformedValuesAre400WithOperationOutcome) {
  for (const std::string q :
       {"/Patient?birthdate=yesterday", "/Patient?birthdate=2026-13", "/Patient?birthdate=gt",
        "/Patient?birthdate=2026-02-30", "/RiskAssessment?probability=abc",
        "/RiskAssessment?probability=gt1.2.3", "/Patient?family:sounds-like=smith",
        "/Patient?gender:exact=female", "/Task?owner:Bogus=x", "/Location?near=91%7C0%7C1%7Ckm",
        "/Location?near=53%7C-1%7C5%7Cfurlongs", "/Location?near=abc",
        "/Observation?value-quantity=5%7Ckg", "/Patient?_count=x", "/Patient?_lastUpdated=soon",
        "/Patient?_type=Task"}) {
    const HttpResponse r = client_.get(q);
    EXPECT_EQ(r.status, 400) << q << "\n" << brief(r.body);
    EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome") << q;
  }
}

// ---- system search ----

TEST_F(Search, SystemSearchOverSeveralTypes) {
  put("Patient", "pat", patientJson("System"));
  put("Task", "task", task("ServiceRequest/sr", ref("Patient", "pat")));
  put("Observation", "obs",
      R"({"resourceType":"Observation","status":"final","code":{"text":"x"}})");
  const std::string ids = id("pat") + "," + id("task") + "," + id("obs");
  const Found f = findRaw("/?_type=Patient,Task&_id=" + ids);
  ASSERT_EQ(f.status, 200) << brief(f.body);
  EXPECT_EQ(Names(f.matches.begin(), f.matches.end()),
            (Names{"Patient/" + id("pat"), "Task/" + id("task")}));
  const Found all = findRaw("/?_id=" + ids);
  EXPECT_EQ(all.status, 200) << brief(all.body);
  EXPECT_EQ(all.matches.size(), 3u) << "no _type: every type";
  const Found paged = findRaw("/?_type=Patient,Task,Observation&_id=" + ids + "&_count=2");
  ASSERT_EQ(paged.matches.size(), 2u) << brief(paged.body);
  const Found rest = findRaw(paged.link("next"));
  ASSERT_EQ(rest.status, 200) << brief(rest.body);
  EXPECT_EQ(rest.matches.size(), 1u);
  EXPECT_EQ(findRaw("/?_type=Nonsense&_id=x").status, 400);
  // Parameters common to every type (Resource) apply at system level too.
  const Found tagged = findRaw("/?_type=Patient,Task&" + scopeTag());
  EXPECT_EQ(tagged.status, 200) << brief(tagged.body);
  EXPECT_TRUE(tagged.outcomes.empty())
      << "_tag is understood at system level: " << tagged.outcomes[0];
  EXPECT_EQ(Names(tagged.matches.begin(), tagged.matches.end()),
            (Names{"Patient/" + id("pat"), "Task/" + id("task")}));
}

// ---- place ----

class SearchPlaces : public Search {
 protected:
  void SetUp() override {
    put("Location", "leeds", location("Leeds city centre", 53.7997, -1.5492, "LS1 4DY"));
    put("Location", "headingley", location("Headingley", 53.8194, -1.5806, "LS6 3QS"));
    put("Location", "york", location("York", 53.9591, -1.0815, "YO1 7HH"));
    put("Location", "adel", location("Adel", 53.8531, -1.5852, "LS16 5AB"));
  }
};

TEST_F(SearchPlaces, LocationNearWithUnits) {
  // From (53.8, -1.55): leeds 0.05 km, headingley 2.9 km, adel 6.2 km, york 35 km.
  EXPECT_EQ(matchNames("/Location?near=53.8%7C-1.55%7C5%7Ckm"), (Names{"leeds", "headingley"}));
  EXPECT_EQ(matchNames("/Location?near=53.8|-1.55|1|km"), (Names{"leeds"}));
  EXPECT_EQ(matchNames("/Location?near=53.8%7C-1.55%7C10%7Ckm"),
            (Names{"leeds", "headingley", "adel"}));
  EXPECT_EQ(matchNames("/Location?near=53.8%7C-1.55%7C40%7Ckm"),
            (Names{"leeds", "headingley", "york", "adel"}));
  EXPECT_EQ(matchNames("/Location?near=53.8%7C-1.55%7C3%7Cmi"), (Names{"leeds", "headingley"}))
      << "3 miles is 4.8 km";
  EXPECT_EQ(matchNames("/Location?near=53.8%7C-1.55%7C500%7Cm"), (Names{"leeds"}));
  EXPECT_EQ(matchNames("/Location?near=53.8%7C-1.55%7C5%7Ckm&name=head"), (Names{"headingley"}));
  EXPECT_EQ(matchNames("/Location?address-postalcode=LS6"), (Names{"headingley"}));
}

TEST_F(SearchPlaces, HealthcareServiceNearItsLocationAndByPostcodeDistrict) {
  put("HealthcareService", "city", service("City walks"),
      R"({"location":[{"reference":")" + ref("Location", "leeds") +
          R"("}],)"
          R"("coverageArea":[{"reference":")" +
          ref("Location", "headingley") + R"("}]})");
  put("HealthcareService", "york", service("York walks"),
      R"({"location":[{"reference":")" + ref("Location", "york") +
          R"("}],)"
          R"("coverageArea":[{"reference":")" +
          ref("Location", "york") + R"("}]})");
  EXPECT_EQ(matchNames("/HealthcareService?near=53.8%7C-1.55%7C10%7Ckm"), (Names{"city"}));
  EXPECT_EQ(matchNames("/HealthcareService?near=53.96%7C-1.08%7C5%7Ckm"), (Names{"york"}));
  EXPECT_EQ(matchNames("/HealthcareService?near=53.8%7C-1.55%7C100%7Ckm"), (Names{"city", "york"}));
  EXPECT_EQ(matchNames("/HealthcareService?coverage-area.address-postalcode=LS6"), (Names{"city"}));
  EXPECT_EQ(matchNames("/HealthcareService?coverage-area.address-postalcode=YO1"), (Names{"york"}));
  EXPECT_EQ(matchNames("/HealthcareService?coverage-area.address-postalcode=ls6%203"),
            (Names{"city"}));
  EXPECT_EQ(matchNames("/HealthcareService?coverage-area.address-postalcode=LS6,YO1"),
            (Names{"city", "york"}));
  EXPECT_EQ(matchNames("/HealthcareService?near=53.8%7C-1.55%7C10%7Ckm&service-category=23"),
            (Names{"city"}));
  EXPECT_EQ(matchNames("/HealthcareService?near=53.8%7C-1.55%7C10%7Ckm&service-category=8"),
            Names{});
}

// The issue: services whose location *or coverage area* is within the distance.
TEST_F(SearchPlaces, HealthcareServiceNearItsCoverageArea) {
  put("HealthcareService", "covers", service("Covers Headingley"),
      R"({"coverageArea":[{"reference":")" + ref("Location", "headingley") + R"("}]})");
  EXPECT_EQ(matchNames("/HealthcareService?near=53.82%7C-1.58%7C2%7Ckm"), (Names{"covers"}));
}

// A service is found where its Locations are now. The store copies their positions into the
// service's own index rows (issue 24), so it must make the copies again when a Location moves or
// goes, and when the service names other Locations.
TEST_F(SearchPlaces, HealthcareServiceNearFollowsItsLocationsAsTheyChange) {
  const auto at = [](const std::string& field, const std::string& reference) {
    return R"({")" + field + R"(":[{"reference":")" + reference + R"("}]})";
  };
  const std::string nearLeeds = "/HealthcareService?near=53.8%7C-1.55%7C1%7Ckm";
  const std::string nearYork = "/HealthcareService?near=53.96%7C-1.08%7C1%7Ckm";
  const std::string nearAdel = "/HealthcareService?near=53.853%7C-1.585%7C1%7Ckm";
  const std::string nearHeadingley = "/HealthcareService?near=53.82%7C-1.58%7C1%7Ckm";
  put("HealthcareService", "mover", service("Moves with its venue"),
      at("location", ref("Location", "leeds")));
  put("HealthcareService", "stays", service("Stays at Headingley"),
      at("coverageArea", ref("Location", "headingley")));
  EXPECT_EQ(matchNames(nearLeeds), (Names{"mover"}));
  EXPECT_EQ(matchNames(nearYork), Names{});

  put("Location", "leeds", location("Leeds venue, moved to York", 53.9591, -1.0815, "YO1 7HH"));
  EXPECT_EQ(matchNames(nearLeeds), Names{}) << "the venue moved away";
  EXPECT_EQ(matchNames(nearYork), (Names{"mover"})) << "the service follows its venue";

  put("HealthcareService", "mover", service("Moves with its venue"),
      at("location", ref("Location", "adel")));
  EXPECT_EQ(matchNames(nearYork), Names{}) << "the service no longer names the York venue";
  EXPECT_EQ(matchNames(nearAdel), (Names{"mover"}));

  remove(ref("Location", "adel"));
  EXPECT_EQ(matchNames(nearAdel), Names{}) << "a deleted Location is no place";
  put("Location", "adel", location("Adel", 53.8531, -1.5852, "LS16 5AB"));
  EXPECT_EQ(matchNames(nearAdel), (Names{"mover"})) << "the Location written again";

  remove(ref("HealthcareService", "mover"));
  EXPECT_EQ(matchNames(nearAdel), Names{});
  EXPECT_EQ(matchNames(nearHeadingley), (Names{"stays"})) << "the other service never changed";
}

// A search with a place starts from the box and tests every other criterion on the services
// found there (issue 24): the answers must be those of the criteria together, whatever the
// criteria's form, with many services elsewhere sharing the category, and over several pages.
TEST_F(SearchPlaces, NearWithOtherCriteriaTestsTheServicesInTheBox) {
  const auto at = [](const std::string& field, const std::string& reference) {
    return R"({")" + field + R"(":[{"reference":")" + reference + R"("}]})";
  };
  for (int i = 0; i < 20; ++i) {  // elsewhere: York, same category, places free
    put("HealthcareService", "far-" + std::to_string(i), service("Far " + std::to_string(i)),
        at("location", ref("Location", "york")));
  }
  put("HealthcareService", "open", service("Open walks", 3),
      at("location", ref("Location", "leeds")));
  put("HealthcareService", "full", service("Full walks", 0),
      at("coverageArea", ref("Location", "headingley")));
  put("HealthcareService", "other", service("Other walks", 2, "tier-1", "8"),
      at("location", ref("Location", "leeds")));
  put("HealthcareService", "adel", service("Adel walks", 2),
      at("location", ref("Location", "adel")));
  const std::string near = "/HealthcareService?near=53.8%7C-1.55%7C5%7Ckm";  // leeds, headingley

  EXPECT_EQ(matchNames(near), (Names{"open", "full", "other"}));
  EXPECT_EQ(matchNames(near + "&service-category=23&has-capacity=true"), (Names{"open"}));
  EXPECT_EQ(matchNames("/HealthcareService?service-category=23&has-capacity=true"
                       "&near=53.8%7C-1.55%7C5%7Ckm"),
            (Names{"open"}))
      << "the place need not come first";
  EXPECT_EQ(matchNames(near + "&service-category=23"), (Names{"open", "full"}));
  EXPECT_EQ(matchNames(near + "&service-category:not=23"), (Names{"other"}));
  EXPECT_EQ(matchNames(near + "&service-category:missing=false"), (Names{"open", "full", "other"}));
  EXPECT_EQ(matchNames(near + "&name=full"), (Names{"full"}));
  EXPECT_EQ(matchNames(near + "&_id=" + id("open") + "," + id("far-1")), (Names{"open"}));
  EXPECT_EQ(matchNames(near + "&_lastUpdated=gt2020-01-01"), (Names{"open", "full", "other"}));
  EXPECT_EQ(matchNames(near + "&_lastUpdated=lt2020-01-01"), Names{});
  EXPECT_EQ(matchNames("/HealthcareService?near=53.8%7C-1.55%7C1%7Ckm,53.96%7C-1.08%7C1%7Ckm"
                       "&has-capacity=true")
                .size(),
            22u)
      << "either place: open and other in Leeds, and the 20 in York (one page)";
  EXPECT_EQ(matchNames(near + "&near=53.96%7C-1.08%7C5%7Ckm"), Names{}) << "both places";

  // One service a page: every page tests the same candidates from the box.
  Names paged;
  Found page = find(near + "&service-category=23&_count=1");
  for (int pages = 0; pages < 5; ++pages) {
    ASSERT_EQ(page.status, 200) << brief(page.body);
    for (const auto& n : names(page.matches)) paged.insert(n);
    if (page.link("next").empty()) break;
    page = findRaw(page.link("next"));
  }
  EXPECT_EQ(paged, (Names{"open", "full"}));
}

// A postcode district is the outward code: LS1 covers "LS1 4DY" but not "LS16 5AB". A plain
// string (prefix) search on address-postalcode cannot tell them apart.
TEST_F(SearchPlaces, PostcodeDistrictLs1IsNotLs16) {
  put("HealthcareService", "centre", service("Centre"),
      R"({"coverageArea":[{"reference":")" + ref("Location", "leeds") + R"("}]})");
  put("HealthcareService", "adel", service("Adel"),
      R"({"coverageArea":[{"reference":")" + ref("Location", "adel") + R"("}]})");
  EXPECT_EQ(matchNames("/HealthcareService?coverage-area.address-postalcode=LS16"),
            (Names{"adel"}));
  EXPECT_EQ(matchNames("/HealthcareService?coverage-area.address-postalcode=LS1"),
            (Names{"centre"}))
      << "district LS1 is not LS16";
}

// ---- the project's own parameters ----

TEST_F(Search, ProjectParameters) {
  put("HealthcareService", "lonely",
      service("Lonely", 3, "tier-1", "23", {"social-isolation-loneliness"}));
  put("HealthcareService", "carers",
      service("Carers", 0, "tier-2", "8", {"carers", "mental-health-wellbeing"}));
  put("HealthcareService", "mind", service("Mind", 10, "tier-3", "8", {"mental-health-wellbeing"}));
  EXPECT_EQ(matchNames("/HealthcareService?cohort=carers"), (Names{"carers"}));
  EXPECT_EQ(
      matchNames("/HealthcareService?cohort=" + kCs + "priority-cohort%7Cmental-health-wellbeing"),
      (Names{"carers", "mind"}));
  EXPECT_EQ(matchNames("/HealthcareService?tier=tier-2,tier-3"), (Names{"carers", "mind"}));
  EXPECT_EQ(matchNames("/HealthcareService?has-capacity=true"), (Names{"lonely", "mind"}));
  EXPECT_EQ(matchNames("/HealthcareService?has-capacity=false"), (Names{"carers"}));
  EXPECT_EQ(matchNames("/HealthcareService?has-capacity=true&cohort=mental-health-wellbeing"),
            (Names{"mind"}));
  EXPECT_EQ(matchNames("/HealthcareService?service-category=8&has-capacity=true"), (Names{"mind"}));
  EXPECT_EQ(matchNames("/HealthcareService?last-reviewed=2026-10"),
            (Names{"lonely", "carers", "mind"}));

  put("ServiceRequest", "gp", samples::referral("Patient/p"));
  put("ServiceRequest", "web",
      samples::referral("Patient/p", "PractitionerRole/prr-gp-osei", "self-referral-web"));
  EXPECT_EQ(matchNames("/ServiceRequest?route=gp"), (Names{"gp"}));
  EXPECT_EQ(matchNames("/ServiceRequest?route=" + kCs + "referral-route%7Cself-referral-web"),
            (Names{"web"}));
  EXPECT_EQ(matchNames("/ServiceRequest?route:not=gp"), (Names{"web"}));

  put("Task", "received", task("ServiceRequest/sr", "Patient/p"),
      R"({"status":"accepted","businessStatus":{"coding":[{"system":")" + kCs +
          R"(task-business-status","code":"received"}]}})");
  put("Task", "attending", task("ServiceRequest/sr", "Patient/p"),
      R"({"status":"in-progress","businessStatus":{"coding":[{"system":")" + kCs +
          R"(task-business-status","code":"attending"}]}})");
  EXPECT_EQ(matchNames("/Task?business-status=attending"), (Names{"attending"}));
  EXPECT_EQ(
      matchNames("/Task?business-status=" + kCs + "task-business-status%7Creceived,attending"),
      (Names{"received", "attending"}));
  EXPECT_EQ(matchNames("/Task?business-status:missing=true"), Names{});
}

// ---- the CapabilityStatement ----

TEST_F(Search, CapabilityStatementListsSearchParametersIncludesAndRevincludes) {
  const HttpResponse r = client_.get("/metadata");
  ASSERT_EQ(r.status, 200);
  rapidjson::Document doc = parse(r.body);
  const rapidjson::Value* resources = rapidjson::Pointer("/rest/0/resource").Get(doc);
  ASSERT_TRUE(resources && resources->IsArray());
  auto resourceOf = [&](const std::string& type) -> const rapidjson::Value* {
    for (const auto& res : resources->GetArray()) {
      if (at(res, "/type") == type) return &res;
    }
    return nullptr;
  };
  auto list = [](const rapidjson::Value& res, const char* member, const char* field) {
    std::set<std::string> out;
    if (res.HasMember(member) && res[member].IsArray()) {
      for (const auto& v : res[member].GetArray()) {
        if (field && v.IsObject() && v.HasMember(field) && v[field].IsString())
          out.insert(v[field].GetString());
        if (!field && v.IsString()) out.insert(v.GetString());
      }
    }
    return out;
  };
  const rapidjson::Value* taskRes = resourceOf("Task");
  const rapidjson::Value* serviceRes = resourceOf("HealthcareService");
  ASSERT_TRUE(taskRes && serviceRes);
  const auto taskInteractions = list(*taskRes, "interaction", "code");
  EXPECT_EQ(taskInteractions.count("search-type"), 1u) << "Task lists search-type";
  const auto taskParams = list(*taskRes, "searchParam", "name");
  for (const std::string p : {"status", "owner", "focus", "patient", "business-status", "_id",
                              "_lastUpdated", "_tag", "_profile", "_security"}) {
    EXPECT_EQ(taskParams.count(p), 1u) << "Task searchParam " << p;
  }
  const auto serviceParams = list(*serviceRes, "searchParam", "name");
  for (const std::string p : {"service-category", "near", "cohort", "tier", "has-capacity",
                              "coverage-area", "location"}) {
    EXPECT_EQ(serviceParams.count(p), 1u) << "HealthcareService searchParam " << p;
  }
  EXPECT_EQ(list(*taskRes, "searchInclude", nullptr).count("Task:focus"), 1u);
  EXPECT_FALSE(list(*taskRes, "searchRevInclude", nullptr).empty());
  const auto srRevIncludes = list(*resourceOf("ServiceRequest"), "searchRevInclude", nullptr);
  EXPECT_EQ(srRevIncludes.count("Task:focus"), 1u);
  // The project's own parameters name their definitions.
  bool cohortDefinition = false;
  if (serviceRes->HasMember("searchParam")) {
    for (const auto& p : (*serviceRes)["searchParam"].GetArray()) {
      if (at(p, "/name") == "cohort") {
        cohortDefinition = at(p, "/definition").find("SearchParameter") != std::string::npos &&
                           at(p, "/type") == "token";
      }
    }
  }
  EXPECT_TRUE(cohortDefinition) << "cohort: definition and type";
  const auto systemInteractions = [&] {
    std::set<std::string> out;
    const rapidjson::Value* i = rapidjson::Pointer("/rest/0/interaction").Get(doc);
    if (i && i->IsArray()) {
      for (const auto& v : i->GetArray()) out.insert(at(v, "/code"));
    }
    return out;
  }();
  EXPECT_EQ(systemInteractions.count("search-system"), 1u);
}

// ---- a second server with a small maximum page size ----

class SearchSmallPages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    ServerOptions options;
    options.extraArgs = {"--max-page-size", "4"};
    server_ = std::make_unique<ServerProcess>(PostgresCluster::shared().freshDatabase(), options);
  }
  static void TearDownTestSuite() { server_.reset(); }
  static std::unique_ptr<ServerProcess> server_;
  HttpClient client_{server_->baseUrl()};
};

std::unique_ptr<ServerProcess> SearchSmallPages::server_;

TEST_F(SearchSmallPages, DefaultPageSizeAlsoRespectsTheMaximum) {
  for (int i = 0; i < 6; ++i) {
    const HttpResponse r = client_.send("POST", "/Patient", patientJson("Small"));
    ASSERT_EQ(r.status, 201) << brief(r.body);
  }
  const Found withCount = readFound(client_.get("/Patient?family=small&_count=50"));
  EXPECT_EQ(withCount.matches.size(), 4u);
  const Found dflt = readFound(client_.get("/Patient?family=small"));
  EXPECT_EQ(dflt.matches.size(), 4u) << "default page size 50 exceeds --max-page-size 4";
}

}  // namespace
}  // namespace sp::testing
