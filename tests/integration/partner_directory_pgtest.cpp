// Partners' public examples (tests/data/partners/, unchanged but for a renewed id) through the
// real server behind the TLS edge, as the directory administrator: a HealthcareService from
// Gravity SDOH and from UK Core, without the project's capacity, tier or review date, is
// accepted (201), held as capacity unknown, not yet assured and never reviewed (tagged
// hub-derived directory-unassured, which sp-directory-entry asks of such an entry), found as such
// by search and counted in the impact report's directory figures (issue 17).
#include <gtest/gtest.h>

#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"
#include "json_helpers.h"
#include "sample_resources.h"

namespace sp::testing {
namespace {

const std::string kDirectoryEntry =
    "https://fhir.social-prescribing.example.org/StructureDefinition/sp-directory-entry";
const std::string kUnassuredTag =
    "https://fhir.social-prescribing.example.org/CodeSystem/hub-derived|directory-unassured";

// The partners' HealthcareService examples, as copied (tests/data/partners/README.md).
const std::vector<std::string> kServiceExamples = {
    "sdoh/HealthcareService-SDOHCC-HealthcareServiceTelecomAppointmentExample.json",
    "ukcore/UKCore-HealthcareService-OrthopaedicService-Example.json",
    "bars/ukcore-healthcareservice-example.json",
};

std::string readPartnerFile(const std::string& name) {
  std::ifstream in(sourceDir() + "/tests/data/partners/" + name, std::ios::binary);
  EXPECT_TRUE(in) << name;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The example with a fresh id: the only change made to a partner's payload.
std::string renewed(const std::string& json) {
  return with(json, "/id", quoted("renewed-" + newUuid()));
}

// Type/id of a searchset's matches.
std::set<std::string> matches(const std::string& bundle) {
  std::set<std::string> out;
  const rapidjson::Document doc = parse(bundle);
  if (!doc.HasMember("entry")) return out;
  for (const auto& e : doc["entry"].GetArray()) {
    if (at(e, "/search/mode") != "match") continue;
    out.insert(at(e, "/resource/resourceType") + "/" + at(e, "/resource/id"));
  }
  return out;
}

// "severity code expression" of an OperationOutcome's issues at `severity`.
std::vector<std::string> issuesAt(const std::string& outcome, const std::string& severity) {
  std::vector<std::string> out;
  const rapidjson::Document doc = parse(outcome);
  if (!doc.HasMember("issue")) return out;
  for (const auto& issue : doc["issue"].GetArray()) {
    if (at(issue, "/severity") != severity) continue;
    out.push_back(at(issue, "/code") + " " + at(issue, "/expression/0") + " " +
                  at(issue, "/diagnostics"));
  }
  return out;
}

// The part `name` of a Parameters parameter (or of a part), or null.
const rapidjson::Value* partNamed(const rapidjson::Value& parts, const std::string& name) {
  if (!parts.IsArray()) return nullptr;
  for (const auto& p : parts.GetArray()) {
    if (p.HasMember("name") && p["name"].GetString() == name) return &p;
  }
  return nullptr;
}

// Each test has a database and a server of its own: the impact report counts every entry held,
// so what another test left (an entry completed, then made incomplete again) would change its
// figures, and the outcome would depend on the order the tests run in.
class DirectoryEntries : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = PostgresCluster::shared().freshDatabase();
    server_ = std::make_unique<ServerProcess>(database_, ServerOptions{true, {"--quiet"}});
    // One complete entry beside the partners': it has capacity, a tier and a review date.
    HttpResponse r = as("admin").send(
        "POST", "/HealthcareService",
        samples::directoryEntry("Organization/org-walking", "Complete walking group"));
    ASSERT_EQ(r.status, 201) << r.body;
    complete_ = at(r.body, "/id");
  }
  void TearDown() override { server_.reset(); }

  static HttpClient as(const std::string& slug) {
    const Certificates& certs = testCertificates();
    return HttpClient(server_->baseUrl(),
                      TlsOptions{certs.ca(), certs.cert(slug), certs.key(slug)});
  }

  // Posts the example `name` with a renewed id; returns the stored id.
  static std::string postExample(const std::string& name) {
    HttpResponse r = as("admin").send("POST", "/HealthcareService", renewed(readPartnerFile(name)),
                                      {"Prefer: return=OperationOutcome"});
    EXPECT_EQ(r.status, 201) << name << ": " << r.body;
    // The answer says what the hub made of it: held as capacity unknown and so on.
    const auto information = issuesAt(r.body, "information");
    bool said = false;
    for (const auto& i : information) {
      said =
          said || i.find("capacity unknown, not yet assured, never reviewed") != std::string::npos;
    }
    EXPECT_TRUE(said) << r.body;
    const std::string location = r.header("location");
    const std::string marker = "/HealthcareService/";
    const auto at = location.find(marker);
    EXPECT_NE(at, std::string::npos) << location;
    if (at == std::string::npos) return "";
    const std::string rest = location.substr(at + marker.size());
    return rest.substr(0, rest.find('/'));
  }

  static std::string search(const std::string& query) {
    HttpResponse r = as("gp").get("/HealthcareService?" + query + "&_count=100");
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return r.body;
  }

  static inline std::string database_;
  static inline std::unique_ptr<ServerProcess> server_;
  static inline std::string complete_;
};

TEST_F(DirectoryEntries, PublicExamplesAreAcceptedAndHeldForWhatTheyAre) {
  for (const std::string& name : kServiceExamples) {
    SCOPED_TRACE(name);
    const std::string original = readPartnerFile(name);
    const std::string id = postExample(name);
    ASSERT_FALSE(id.empty());

    // Read back: the partner's elements as sent, and the tag that says what the entry lacks.
    HttpResponse read = as("gp").get("/HealthcareService/" + id);
    ASSERT_EQ(read.status, 200) << read.body;
    const rapidjson::Document sent = parse(original);
    const rapidjson::Document held = parse(read.body);
    for (const char* member : {"name", "telecom", "active", "location", "providedBy"}) {
      if (!sent.HasMember(member)) continue;
      ASSERT_TRUE(held.HasMember(member)) << member;
      EXPECT_EQ(write(held[member]), write(sent[member])) << member;
    }
    EXPECT_FALSE(held.HasMember("extension")) << read.body;  // nothing made up
    std::vector<std::string> tags;
    if (held.HasMember("meta") && held["meta"].HasMember("tag")) {
      for (const auto& tag : held["meta"]["tag"].GetArray()) {
        tags.push_back(at(tag, "/system") + "|" + at(tag, "/code"));
      }
    }
    EXPECT_EQ(tags, std::vector<std::string>{kUnassuredTag}) << read.body;

    // What is held meets the project's profile; the partner's payload as sent does not (sp-dir-1:
    // an incomplete entry must say so), which is what the hub's derivation adds.
    HttpResponse valid = as("admin").send(
        "POST", "/HealthcareService/$validate?profile=" + kDirectoryEntry, read.body);
    EXPECT_EQ(valid.status, 200) << valid.body;
    EXPECT_EQ(issuesAt(valid.body, "error"), std::vector<std::string>{}) << valid.body;
    HttpResponse raw = as("admin").send(
        "POST", "/HealthcareService/$validate?profile=" + kDirectoryEntry, original);
    EXPECT_EQ(raw.status, 200) << raw.body;
    const auto rawErrors = issuesAt(raw.body, "error");
    ASSERT_EQ(rawErrors.size(), 1u) << raw.body;
    EXPECT_EQ(rawErrors[0].rfind("invariant HealthcareService ", 0), 0u) << raw.body;

    // Search: never offered as having room, found as unassured.
    const std::string self = "HealthcareService/" + id;
    EXPECT_EQ(matches(search("has-capacity=true")).count(self), 0u);
    EXPECT_EQ(matches(search("has-capacity=false")).count(self), 0u);  // unknown is not full
    EXPECT_EQ(matches(search("has-capacity:missing=true")).count(self), 1u);
    EXPECT_EQ(matches(search("has-capacity:not=true")).count(self), 1u);
    EXPECT_EQ(matches(search("_tag=" + kUnassuredTag)).count(self), 1u);
    EXPECT_EQ(matches(search("tier:missing=true")).count(self), 1u);
    EXPECT_EQ(matches(search("last-reviewed:missing=true")).count(self), 1u);
  }
  // A create with the client's own (renewed) id is accepted the same way.
  for (const std::string& name : kServiceExamples) {
    SCOPED_TRACE(name);
    const std::string json = renewed(readPartnerFile(name));
    HttpResponse put = as("admin").send("PUT", "/HealthcareService/" + at(json, "/id"), json);
    EXPECT_EQ(put.status, 201) << put.body;
    EXPECT_NE(put.body.find("\"directory-unassured\""), std::string::npos) << put.body;
  }
  // The complete entry is the other way round.
  const std::string complete = "HealthcareService/" + complete_;
  EXPECT_EQ(matches(search("has-capacity=true")).count(complete), 1u);
  EXPECT_EQ(matches(search("has-capacity:not=true")).count(complete), 0u);
  EXPECT_EQ(matches(search("_tag=" + kUnassuredTag)).count(complete), 0u);
  EXPECT_EQ(matches(search("tier:missing=true")).count(complete), 0u);
}

TEST_F(DirectoryEntries, TheImpactReportCountsThem) {
  std::vector<std::string> ids;
  for (const std::string& name : kServiceExamples) ids.push_back(postExample(name));
  HttpResponse r = as("admin").get("/$impact-report");
  ASSERT_EQ(r.status, 200) << r.body;
  const rapidjson::Document report = parse(r.body);
  const rapidjson::Value* directory = partNamed(report["parameter"], "directory");
  ASSERT_NE(directory, nullptr) << r.body;
  const auto figure = [&](const char* name) {
    const rapidjson::Value* p = partNamed((*directory)["part"], name);
    return p ? (*p)["valueInteger"].GetInt() : -1;
  };
  // The partners' entries are all there is of the incomplete kind (each lacking all three
  // details), and the walking group is complete.
  const int incomplete = figure("incomplete-entries");
  EXPECT_EQ(incomplete, static_cast<int>(ids.size()));
  EXPECT_EQ(figure("capacity-unknown"), incomplete);
  EXPECT_EQ(figure("not-yet-assured"), incomplete);
  EXPECT_EQ(figure("never-reviewed"), incomplete);
  EXPECT_EQ(figure("active-services"), incomplete + 1);
  EXPECT_EQ(figure("places-total"), 12);  // the complete entry's: unknown capacity adds none
  // Each entry's own part says what it lacks.
  std::set<std::string> flagged;
  for (const auto& p : report["parameter"].GetArray()) {
    if (std::string(p["name"].GetString()) != "capacity") continue;
    const rapidjson::Value* service = partNamed(p["part"], "service");
    const rapidjson::Value* unknown = partNamed(p["part"], "capacity-unknown");
    const rapidjson::Value* unassured = partNamed(p["part"], "not-yet-assured");
    const rapidjson::Value* never = partNamed(p["part"], "never-reviewed");
    ASSERT_TRUE(service && unknown && unassured && never) << write(p);
    if ((*unknown)["valueBoolean"].GetBool() && (*unassured)["valueBoolean"].GetBool() &&
        (*never)["valueBoolean"].GetBool()) {
      flagged.insert(at(*service, "/valueReference/reference"));
    }
  }
  for (const std::string& id : ids) EXPECT_EQ(flagged.count("HealthcareService/" + id), 1u);
  EXPECT_EQ(flagged.count("HealthcareService/" + complete_), 0u);

  // The same figures in the CSV download and on the page.
  HttpResponse csv = as("commissioner").get("/reports.csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  const std::string n = std::to_string(incomplete);
  for (const char* measure :
       {"capacity-unknown", "not-yet-assured", "never-reviewed", "incomplete-entries"}) {
    EXPECT_NE(csv.body.find(std::string("directory,,Directory,") + measure + "," + n + "\r\n"),
              std::string::npos)
        << measure << "\n"
        << csv.body;
  }
  EXPECT_NE(
      csv.body.find("capacity," + ids[0] + ",Family Counseling Services,capacity-unknown,true"),
      std::string::npos);
  HttpResponse page = as("commissioner").get("/reports");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"fig-not-yet-assured\" data-value=\"" + n + "\""),
            std::string::npos);
}

TEST_F(DirectoryEntries, TheTagGoesWhenTheDirectoryTeamCompletesTheEntry) {
  const std::string id = postExample(kServiceExamples[0]);
  HttpResponse read = as("admin").get("/HealthcareService/" + id);
  ASSERT_EQ(read.status, 200);
  // The directory team adds capacity, tier and review date to the copy it read (tag and all).
  const std::string completeEntry = samples::directoryEntry("Organization/org-walking", "x");
  const std::string extensions = write(parse(completeEntry)["extension"]);
  HttpResponse put =
      as("admin").send("PUT", "/HealthcareService/" + id, with(read.body, "/extension", extensions),
                       {"If-Match: " + read.header("etag")});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.body.find("directory-unassured"), std::string::npos) << put.body;
  const std::string self = "HealthcareService/" + id;
  EXPECT_EQ(matches(search("_tag=" + kUnassuredTag)).count(self), 0u);
  EXPECT_EQ(matches(search("has-capacity=true")).count(self), 1u);
  // A partner's full update that knows nothing of the project's extensions keeps them.
  HttpResponse again = as("admin").get("/HealthcareService/" + id);
  const std::string partnerCopy = with(readPartnerFile(kServiceExamples[0]), "/id", quoted(id));
  HttpResponse plain = as("admin").send("PUT", "/HealthcareService/" + id, partnerCopy,
                                        {"If-Match: " + again.header("etag")});
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(write(parse(plain.body)["extension"]), extensions);
  EXPECT_EQ(plain.body.find("directory-unassured"), std::string::npos) << plain.body;
  // And the tag comes back if an update takes a detail away on purpose.
  HttpResponse patch = as("admin").request("PATCH", "/HealthcareService/" + id,
                                           R"([{"op":"remove","path":"/extension/1"}])",
                                           {"Content-Type: application/json-patch+json"});
  ASSERT_EQ(patch.status, 200) << patch.body;
  EXPECT_EQ(matches(search("_tag=" + kUnassuredTag)).count(self), 1u);
}

}  // namespace
}  // namespace sp::testing
