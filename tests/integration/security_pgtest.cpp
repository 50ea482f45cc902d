// Identities, access rules and the audit trail over real mTLS with the generated certificates
// (docs/security.md): for every role, what it can and cannot read, search (with _include,
// _revinclude and _total), see in history and write; restricted records; the pool; an audit
// record for each kind of access; unknown, revoked and legacy-TLS clients.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <memory>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include "harness.h"
#include "json_helpers.h"
#include "sample_resources.h"

namespace sp::testing {
namespace {

const std::string kOds = "https://fhir.nhs.uk/Id/ods-organization-code";
const std::string kRestricted =
    R"(,"meta":{"security":[{"system":"http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]})";
const std::vector<std::string> kRoles = {"gp",          "linkworker", "spor",  "vcse-walking",
                                         "vcse-carers", "navigator",  "admin", "commissioner"};

// `json` (an object) with extra members appended: extend(R"({"a":1})", R"("b":2)").
std::string extend(const std::string& json, const std::string& members) {
  return json.substr(0, json.rfind('}')) + "," + members + "}";
}

std::string odsReference(const std::string& code) {
  return R"({"identifier":{"system":")" + kOds + R"(","value":")" + code + R"("}})";
}

// The ids of a Bundle's entries, as Type/id, with their search mode.
std::set<std::string> entriesOf(const std::string& bundle) {
  std::set<std::string> out;
  const rapidjson::Document doc = parse(bundle);
  if (!doc.HasMember("entry")) return out;
  for (const auto& e : doc["entry"].GetArray()) {
    if (!e.HasMember("resource")) continue;
    const auto& r = e["resource"];
    if (std::string(r["resourceType"].GetString()) == "OperationOutcome") continue;
    out.insert(std::string(r["resourceType"].GetString()) + "/" + r["id"].GetString());
  }
  return out;
}

// A searchset's total, or -1 when it has none.
long totalOf(const std::string& bundle) {
  const rapidjson::Document doc = parse(bundle);
  return doc.HasMember("total") && doc["total"].IsInt64()
             ? static_cast<long>(doc["total"].GetInt64())
             : -1;
}

class Security : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    database_ = PostgresCluster::shared().freshDatabase();
    server_ = std::make_unique<ServerProcess>(database_, ServerOptions{true, {"--quiet"}});
    // The directory: two services, each provided by one VCSE organisation.
    const std::string walking = create(
        "admin", "Organization",
        R"({"resourceType":"Organization",)" + samples::narrative("Walking") +
            R"("identifier":[{"system":")" + kOds + R"(","value":"VCS0001"}],"name":"Walking"})");
    const std::string carers = create(
        "admin", "Organization",
        R"({"resourceType":"Organization",)" + samples::narrative("Carers") +
            R"("identifier":[{"system":")" + kOds + R"(","value":"VCS0002"}],"name":"Carers"})");
    walks_ = create("admin", "HealthcareService",
                    samples::directoryEntry("Organization/" + walking, "Walks"));
    cafe_ = create("admin", "HealthcareService",
                   samples::directoryEntry("Organization/" + carers, "Carers cafe"));
    gpRole_ = create("gp", "PractitionerRole",
                     R"({"resourceType":"PractitionerRole",)" + samples::narrative("GP") +
                         R"("organization":)" + odsReference("A81001") + "}");
    // A referral to the walking group with what supports it, and one to the carers' cafe.
    patient_ = create("gp", "Patient", samples::patient("Pryce"));
    consent_ = create("gp", "Consent", samples::minimal("Consent", "Patient/" + patient_));
    answers_ = create("gp", "QuestionnaireResponse",
                      samples::minimal("QuestionnaireResponse", "Patient/" + patient_));
    referral_ = create("gp", "ServiceRequest", referralTo(patient_, walks_));
    other_ = create("gp", "Patient", samples::patient("Mills"));
    otherReferral_ = create("gp", "ServiceRequest", referralTo(other_, cafe_));
  }
  static void TearDownTestSuite() { server_.reset(); }

  static std::string referralTo(const std::string& patient, const std::string& service,
                                const std::string& more = "") {
    std::string json =
        extend(samples::referral("Patient/" + patient, "PractitionerRole/" + gpRole_),
               R"("performer":[{"reference":"HealthcareService/)" + service + R"("}])");
    if (!consent_.empty() && patient == patient_) {
      json = extend(json, R"("supportingInfo":[{"reference":"Consent/)" + consent_ +
                              R"("},{"reference":"QuestionnaireResponse/)" + answers_ + R"("}])");
    }
    return more.empty() ? json : extend(json, more);
  }

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

  // The audit records the administrator finds with `query`.
  static std::string audit(const std::string& query) {
    HttpResponse r = as("admin").get("/AuditEvent?" + query + "&_count=100");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.body;
  }

  static std::string database_;
  static std::unique_ptr<ServerProcess> server_;
  static std::string walks_, cafe_, gpRole_, patient_, consent_, answers_, referral_, other_,
      otherReferral_;
};

std::string Security::database_;
std::unique_ptr<ServerProcess> Security::server_;
std::string Security::walks_, Security::cafe_, Security::gpRole_, Security::patient_,
    Security::consent_, Security::answers_, Security::referral_, Security::other_,
    Security::otherReferral_;

// --- who is calling ---------------------------------------------------------------------

TEST_F(Security, AnUnregisteredOrganisationIsRefusedWithAnOutcome) {
  HttpResponse r = as("unknown").get("/Patient/" + patient_);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(at(r.body, "/issue/0/code"), "forbidden");
  EXPECT_EQ(as("unknown").get("/HealthcareService/" + walks_).status, 403);
}

TEST_F(Security, ARevokedCertificateIsRefusedAtTheHandshake) {
  HttpResponse r = as("revoked").get("/metadata");
  EXPECT_FALSE(r.error.empty()) << r.status << " " << r.body;
  EXPECT_TRUE(r.body.empty());
  EXPECT_EQ(as("gp").get("/metadata").status, 200);  // the same organisation's valid certificate
}

TEST_F(Security, AnExpiredCertificateIsRefusedAtTheHandshake) {
  ASSERT_TRUE(std::ifstream(testCertificates().cert("expired")).good());
  HttpResponse r = as("expired").get("/metadata");  // A81001's, valid only in January 2020
  EXPECT_FALSE(r.error.empty()) << r.status << " " << r.body;
  EXPECT_TRUE(r.body.empty());
}

TEST_F(Security, TlsOlderThan12IsRefused) {
  const Certificates& certs = testCertificates();
  TlsOptions legacy{certs.ca(), certs.cert("gp"), certs.key("gp")};
  legacy.legacyOnly = true;
  HttpResponse r = HttpClient(server_->baseUrl(), legacy).get("/metadata");
  EXPECT_FALSE(r.error.empty()) << r.status;
  EXPECT_TRUE(r.body.empty());
}

// --- what each may read -----------------------------------------------------------------

TEST_F(Security, EachRoleReadsItsCompartmentAndTheDirectory) {
  const std::string task = "Task/" + referral_ + "-task";
  // 200: readable; 404: outside the compartment; 403: never for this role.
  const std::map<std::string, std::vector<int>> expected = {
      //                                  gp   lw   spor walk carers nav admin comm
      {"Patient/" + patient_, {200, 404, 404, 200, 404, 404, 403, 403}},
      {"ServiceRequest/" + referral_, {200, 404, 404, 200, 404, 404, 403, 403}},
      {task, {200, 404, 404, 200, 404, 404, 403, 403}},
      {"Consent/" + consent_, {200, 404, 404, 200, 404, 404, 403, 403}},
      {"QuestionnaireResponse/" + answers_, {200, 404, 404, 200, 404, 404, 403, 403}},
      {"Patient/" + other_, {200, 404, 404, 404, 200, 404, 403, 403}},
      {"HealthcareService/" + walks_, {200, 200, 200, 200, 200, 200, 200, 200}},
      {"PractitionerRole/" + gpRole_, {200, 200, 200, 200, 200, 200, 200, 200}},
  };
  for (const auto& [path, statuses] : expected) {
    for (std::size_t i = 0; i < kRoles.size(); ++i) {
      HttpResponse r = as(kRoles[i]).get("/" + path);
      EXPECT_EQ(r.status, statuses[i]) << kRoles[i] << " GET " << path << ": " << r.body;
      if (r.status != 200) {
        EXPECT_EQ(at(r.body, "/resourceType"), "OperationOutcome") << r.body;
      }
      // vread and instance history follow the read.
      HttpResponse vread = as(kRoles[i]).get("/" + path + "/_history/1");
      EXPECT_EQ(vread.status, statuses[i]) << kRoles[i] << " vread " << path;
      HttpResponse history = as(kRoles[i]).get("/" + path + "/_history");
      EXPECT_EQ(history.status, statuses[i]) << kRoles[i] << " history " << path;
    }
  }
}

TEST_F(Security, SearchCountsIncludesAndPagesOnlyWhatTheCallerMaySee) {
  const std::string mine = "ServiceRequest/" + referral_;
  const std::string theirs = "ServiceRequest/" + otherReferral_;
  struct Row {
    std::string slug;
    std::set<std::string> referrals;
  };
  for (const Row& row : std::vector<Row>{{"gp", {mine, theirs}},
                                         {"vcse-walking", {mine}},
                                         {"vcse-carers", {theirs}},
                                         {"linkworker", {}},
                                         {"navigator", {}}}) {
    SCOPED_TRACE(row.slug);
    HttpClient client = as(row.slug);
    HttpResponse r = client.get("/ServiceRequest?_total=accurate&_count=1");
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(totalOf(r.body), static_cast<long>(row.referrals.size()));
    // Following every page finds exactly the visible referrals.
    std::set<std::string> paged;
    std::string next = "/ServiceRequest?_count=1";
    for (int page = 0; page < 5 && !next.empty(); ++page) {
      HttpResponse p = client.get(next);
      ASSERT_EQ(p.status, 200) << p.body;
      for (const auto& e : entriesOf(p.body)) paged.insert(e);
      next.clear();
      const rapidjson::Document doc = parse(p.body);
      for (const auto& link : doc["link"].GetArray()) {
        if (std::string(link["relation"].GetString()) == "next") {
          next = std::string(link["url"].GetString()).substr(server_->baseUrl().size());
        }
      }
    }
    EXPECT_EQ(paged, row.referrals);
    // _include: the subject comes with a visible referral only.
    HttpResponse included = client.get("/ServiceRequest?_include=ServiceRequest:subject");
    std::set<std::string> expectedIncluded = row.referrals;
    if (row.referrals.count(mine)) expectedIncluded.insert("Patient/" + patient_);
    if (row.referrals.count(theirs)) expectedIncluded.insert("Patient/" + other_);
    EXPECT_EQ(entriesOf(included.body), expectedIncluded);
    // _revinclude from the open directory brings back only visible referrals.
    HttpResponse rev = client.get("/HealthcareService?_revinclude=ServiceRequest:performer");
    std::set<std::string> revs;
    for (const auto& e : entriesOf(rev.body)) {
      if (e.rfind("ServiceRequest/", 0) == 0) revs.insert(e);
    }
    EXPECT_EQ(revs, row.referrals);
    // System history holds no version of a referral the caller may not see.
    HttpResponse history = client.get("/_history?_count=200");
    ASSERT_EQ(history.status, 200);
    for (const auto& e : entriesOf(history.body)) {
      if (e.rfind("ServiceRequest/", 0) == 0) {
        EXPECT_TRUE(row.referrals.count(e)) << e;
      }
    }
  }
  // Roles without records get 403 for record searches, results for the directory.
  for (const char* slug : {"admin", "commissioner"}) {
    EXPECT_EQ(as(slug).get("/ServiceRequest").status, 403) << slug;
    HttpResponse directory = as(slug).get("/HealthcareService?_total=accurate");
    EXPECT_EQ(directory.status, 200) << slug;
    EXPECT_EQ(totalOf(directory.body), 2) << slug;
  }
}

TEST_F(Security, ARestrictedRecordIsSeenByTheRequesterAndTheOwnerOnly) {
  const std::string hidden = create("gp", "Patient", samples::patient("Hale", kRestricted));
  const std::string referral = create("gp", "ServiceRequest", referralTo(hidden, walks_));
  EXPECT_EQ(as("gp").get("/Patient/" + hidden).status, 200);            // requester
  EXPECT_EQ(as("vcse-walking").get("/Patient/" + hidden).status, 200);  // owner of the Task
  EXPECT_EQ(as("vcse-carers").get("/Patient/" + hidden).status, 404);
  // A restricted Task in the pool is not offered to every partner; an ordinary one is.
  const std::string unassigned =
      create("gp", "ServiceRequest",
             samples::referral("Patient/" + hidden, "PractitionerRole/" + gpRole_));
  const std::string open =
      create("spor", "Task",
             samples::referralTask("ServiceRequest/" + unassigned, "Patient/" + hidden,
                                   "PractitionerRole/" + gpRole_));
  const std::string secret =
      create("spor", "Task",
             extend(samples::referralTask("ServiceRequest/" + unassigned, "Patient/" + hidden,
                                          "PractitionerRole/" + gpRole_),
                    kRestricted.substr(1)));
  HttpResponse pool = as("linkworker").get("/Task?owner:missing=true&_total=accurate");
  ASSERT_EQ(pool.status, 200) << pool.body;
  EXPECT_EQ(entriesOf(pool.body), std::set<std::string>{"Task/" + open});
  EXPECT_EQ(as("linkworker").get("/Task/" + secret).status, 404);
  // The pool shows the Task, not the person it is for.
  EXPECT_EQ(as("linkworker").get("/Patient/" + hidden).status, 404);
  EXPECT_EQ(as("spor").get("/Task/" + secret).status, 200);  // its creator
}

// --- what each may write ----------------------------------------------------------------

TEST_F(Security, WritesFollowTheRoles) {
  // Only the administrator keeps the directory; a provider updates its own service only.
  EXPECT_EQ(as("vcse-walking")
                .send("POST", "/HealthcareService", samples::directoryEntry("Organization/x"))
                .status,
            403);
  EXPECT_EQ(create("admin", "HealthcareService", samples::directoryEntry("Organization/x", "New"))
                .empty(),
            false);
  HttpResponse service = as("vcse-walking").get("/HealthcareService/" + walks_);
  std::string renamed = service.body;
  renamed.replace(renamed.find(R"("name":"Walks")"), 14, R"("name":"Walks and talks")");
  EXPECT_EQ(as("vcse-walking").send("PUT", "/HealthcareService/" + walks_, renamed).status, 200);
  HttpResponse cafe = as("vcse-walking").get("/HealthcareService/" + cafe_);
  EXPECT_EQ(as("vcse-walking").send("PUT", "/HealthcareService/" + cafe_, cafe.body).status, 403);
  EXPECT_EQ(as("gp").send("PUT", "/HealthcareService/" + walks_, renamed).status, 403);
  // A GP refers for its own practice only.
  const std::string elsewhere =
      create("linkworker", "PractitionerRole",
             R"({"resourceType":"PractitionerRole",)" + samples::narrative("Other GP") +
                 R"("organization":)" + odsReference("A81999") + "}");
  HttpResponse onBehalf =
      as("gp").send("POST", "/ServiceRequest",
                    samples::referral("Patient/" + patient_, "PractitionerRole/" + elsewhere));
  EXPECT_EQ(onBehalf.status, 403) << onBehalf.body;
  EXPECT_EQ(at(onBehalf.body, "/issue/0/expression/0"), "ServiceRequest.requester");
  // Roles without records write none.
  for (const char* slug : {"admin", "commissioner"}) {
    EXPECT_EQ(as(slug).send("POST", "/Patient", samples::patient()).status, 403) << slug;
  }
  // A record outside the caller's compartment cannot be changed; one inside, by its creator only.
  HttpResponse person = as("gp").get("/Patient/" + patient_);
  EXPECT_EQ(as("vcse-carers").send("PUT", "/Patient/" + patient_, person.body).status, 403);
  EXPECT_EQ(as("vcse-carers").request("DELETE", "/Patient/" + patient_).status, 403);
  EXPECT_EQ(as("vcse-walking").request("DELETE", "/Patient/" + patient_).status, 403);
  const std::string throwaway = create("gp", "Patient", samples::patient("Temp"));
  EXPECT_EQ(as("gp").request("DELETE", "/Patient/" + throwaway).status, 204);
  EXPECT_EQ(as("vcse-walking").request("DELETE", "/HealthcareService/" + walks_).status, 403);
}

// --- the audit trail --------------------------------------------------------------------

TEST_F(Security, EveryKindOfAccessLeavesAnAuditRecord) {
  const std::vector<std::string> ids = {"X-Request-Id: sec-read-1", "X-Correlation-Id: corr-77"};
  HttpClient gp = as("gp");
  ASSERT_EQ(gp.get("/Patient/" + patient_, ids).status, 200);
  ASSERT_EQ(gp.get("/Patient/" + patient_ + "/_history/1").status, 200);
  ASSERT_EQ(gp.get("/Patient?family=Pryce").status, 200);
  const std::string created =
      create("gp", "Observation",
             R"({"resourceType":"Observation",)" + samples::narrative("Score") +
                 R"("status":"final","code":{"text":"WEMWBS"},"subject":{"reference":"Patient/)" +
                 patient_ + R"("},"valueInteger":40})");
  ASSERT_EQ(gp.send("POST", "/Patient/$validate", samples::patient()).status, 200);
  ASSERT_EQ(as("vcse-carers").get("/Patient/" + patient_).status, 404);

  rapidjson::Document read = parse(audit("entity-id=" + patient_ + "&agent=A81001"));
  std::map<std::string, int> subtypes;
  bool withIds = false;
  for (const auto& e : read["entry"].GetArray()) {
    const auto& event = e["resource"];
    subtypes[event["subtype"][0]["code"].GetString()]++;
    EXPECT_EQ(std::string(event["agent"][0]["who"]["identifier"]["value"].GetString()), "A81001");
    EXPECT_NE(std::string(event["agent"][0]["altId"].GetString()).find("CN=A81001"),
              std::string::npos);
    const std::string what = event["entity"][0]["what"]["reference"].GetString();
    EXPECT_EQ(what.rfind("Patient/" + patient_, 0), 0u) << what;
    if (at(event, "/entity/0/detail/0/valueString") == "sec-read-1") {
      withIds = true;
      EXPECT_EQ(at(event, "/entity/0/detail/1/valueString"), "corr-77");
      EXPECT_EQ(at(event, "/action"), "R");
      EXPECT_EQ(at(event, "/outcome"), "0");
      EXPECT_EQ(what, "Patient/" + patient_ + "/_history/1");
    }
  }
  EXPECT_TRUE(withIds);
  EXPECT_GE(subtypes["read"], 1);
  EXPECT_GE(subtypes["vread"], 1);
  rapidjson::Document search = parse(audit("entity-type=Patient&agent=A81001"));
  bool searched = false;
  for (const auto& e : search["entry"].GetArray()) {
    if (at(e["resource"], "/subtype/0/code") == "search-type") {
      searched = searched || !at(e["resource"], "/entity/0/query").empty();
    }
  }
  EXPECT_TRUE(searched);
  const std::string write = audit("entity-id=" + created);
  ASSERT_EQ(arraySize(write, "/entry"), 1u);
  EXPECT_EQ(at(write, "/entry/0/resource/action"), "C");
  EXPECT_EQ(at(write, "/entry/0/resource/entity/0/what/reference"),
            "Observation/" + created + "/_history/1");
  rapidjson::Document operation = parse(audit("agent=A81001&entity-type=Patient"));
  bool validated = false;
  for (const auto& e : operation["entry"].GetArray()) {
    validated = validated || (at(e["resource"], "/subtype/0/code") == "$validate" &&
                              at(e["resource"], "/action") == "E");
  }
  EXPECT_TRUE(validated);
  // A refusal is recorded too, with its outcome.
  const std::string refused = audit("agent=VCS0002&entity-id=" + patient_);
  ASSERT_GE(arraySize(refused, "/entry"), 1u);
  EXPECT_EQ(at(refused, "/entry/0/resource/outcome"), "4");
  EXPECT_EQ(at(refused, "/entry/0/resource/outcomeDesc"), "HTTP 404");
}

// $alternatives for a referral reads the referral and the person: only for those who may.
TEST_F(Security, AlternativesForAReferralAreForThoseWhoMayReadIt) {
  const std::string path = "/HealthcareService/$alternatives?servicerequest=" + referral_;
  EXPECT_EQ(as("gp").get(path).status, 200);
  HttpResponse outsider = as("vcse-carers").get(path);
  EXPECT_EQ(outsider.status, 404) << outsider.body;
  EXPECT_EQ(at(outsider.body, "/resourceType"), "OperationOutcome");
  EXPECT_EQ(as("vcse-carers")
                .get("/HealthcareService/$alternatives?service=" + walks_ + "&patient=" + patient_)
                .status,
            404);
  EXPECT_EQ(as("commissioner").get(path).status, 403);
}

TEST_F(Security, ReportsLeaveAuditRecordsToo) {
  ASSERT_EQ(as("commissioner").get("/$impact-report?period=2026-01-01/2026-03-31").status, 200);
  ASSERT_EQ(as("commissioner").get("/reports.csv").status, 200);
  ASSERT_EQ(as("gp").get("/$impact-report").status, 403);

  std::map<std::string, std::string> seen;  // subtype -> action
  rapidjson::Document commissioner = parse(audit("agent=COM0001"));
  for (const auto& e : commissioner["entry"].GetArray()) {
    seen[at(e["resource"], "/subtype/0/code")] = at(e["resource"], "/action");
  }
  EXPECT_EQ(seen["$impact-report"], "E");
  EXPECT_EQ(seen["reports.csv"], "R");
  bool withPeriod = false;
  for (const auto& e : commissioner["entry"].GetArray()) {
    withPeriod = withPeriod || !at(e["resource"], "/entity/0/query").empty();
  }
  EXPECT_TRUE(withPeriod);
  rapidjson::Document gp = parse(audit("agent=A81001"));
  bool refused = false;
  for (const auto& e : gp["entry"].GetArray()) {
    refused = refused || (at(e["resource"], "/subtype/0/code") == "$impact-report" &&
                          at(e["resource"], "/outcomeDesc") == "HTTP 403");
  }
  EXPECT_TRUE(refused);
}

TEST_F(Security, AWriteAndItsAuditRecordCommitOrRollBackTogether) {
  // A transaction whose second entry is refused stores neither the Patient nor its record.
  const std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"fullUrl":"urn:uuid:7a1c1b1e-0000-4000-8000-000000000001","resource":)" +
                             samples::patient("Rollback") +
                             R"(,"request":{"method":"POST","url":"Patient"}},
      {"resource":)" + samples::patient("Refused") +
                             R"(,"request":{"method":"DELETE","url":"HealthcareService/)" + walks_ +
                             R"("}}]})";
  HttpResponse r = as("gp").send("POST", "/", bundle);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(totalOf(as("gp").get("/Patient?family=Rollback&_total=accurate").body), 0);
  pqxx::connection db(database_);
  pqxx::work tx(db);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM audit_events WHERE interaction = 'create'"
                    " AND entity_type = 'Patient' AND outcome = 201 AND entity_id NOT IN"
                    " (SELECT res_id FROM resources WHERE res_type = 'Patient')")[0][0]
                .as<int>(),
            0);
  EXPECT_EQ(tx.exec("SELECT count(*) FROM audit_events WHERE interaction = 'batch'"
                    " AND outcome = 403 AND organisation = 'A81001'")[0][0]
                .as<int>(),
            1);
}

TEST_F(Security, TheAuditTrailIsForTheAdministratorAndNeverEdited) {
  for (const std::string& slug : kRoles) {
    HttpResponse r = as(slug).get("/AuditEvent?_count=1");
    EXPECT_EQ(r.status, slug == "admin" ? 200 : 403) << slug << ": " << r.body;
  }
  const std::string one = audit("agent=A81001");
  const std::string id = at(one, "/entry/0/resource/id");
  ASSERT_FALSE(id.empty());
  HttpClient admin = as("admin");
  ASSERT_EQ(admin.get("/AuditEvent/" + id).status, 200);
  EXPECT_EQ(as("gp").get("/AuditEvent/" + id).status, 403);
  const std::string body = admin.get("/AuditEvent/" + id).body;
  EXPECT_EQ(admin.send("PUT", "/AuditEvent/" + id, body).status, 405);
  EXPECT_EQ(admin.send("POST", "/AuditEvent", body).status, 405);
  EXPECT_EQ(admin.request("DELETE", "/AuditEvent/" + id).status, 405);
  EXPECT_EQ(admin
                .request("PATCH", "/AuditEvent/" + id, "[]",
                         {"Content-Type: application/json-patch+json"})
                .status,
            405);
  // Not even the database owner changes a record.
  pqxx::connection db(database_);
  pqxx::work tx(db);
  EXPECT_THROW(tx.exec("UPDATE audit_events SET outcome = 200"), pqxx::sql_error);
}

}  // namespace
}  // namespace sp::testing
