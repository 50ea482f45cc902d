// The security domain: the organisation registry, identifying callers, the role policy, the
// compartment rules and the AuditEvent rendering.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <fstream>
#include <iterator>
#include <map>
#include <stdexcept>

#include "fhir/errors.h"
#include "fhir/json.h"
#include "security/access_policy.h"
#include "security/audit_event.h"
#include "security/caller.h"
#include "security/compartment.h"
#include "security/organisation_registry.h"

namespace sp::security {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;

const char* kCsv =
    "slug,ods_code,name,role\n"
    "gp,A81001,Riverside Medical Practice,gp-practice\n"
    "vcse,VCS0001,Walking Friends,vcse-provider\n"
    "admin,ADM0001,Directory Team,directory-administrator\n"
    "commissioner,COM0001,Commissioning,commissioner\n";

Caller callerFor(const std::string& ods) {
  static const OrganisationRegistry registry = OrganisationRegistry::parse(kCsv);
  return identify(registry, ods, "/CN=" + ods);
}

ErrorKind refusal(const Caller& caller, Action action, const std::string& type) {
  try {
    requireAllowed(caller, action, type);
  } catch (const FhirError& e) {
    return e.kind();
  }
  return ErrorKind::kInternal;  // "allowed"
}

rapidjson::Document json(const std::string& text) {
  rapidjson::Document doc;
  fhir::parseJson(text, doc);
  return doc;
}

TEST(OrganisationRegistry, ReadsTheProjectsFileWithEveryRole) {
  std::ifstream in(std::string(SP_SOURCE_DIR) + "/certs/organisations.csv");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const OrganisationRegistry registry = OrganisationRegistry::parse(text);
  EXPECT_EQ(registry.size(), 8u);
  ASSERT_NE(registry.find("MHN0001"), nullptr);
  EXPECT_EQ(registry.find("MHN0001")->role, Role::kMentalHealthNavigator);
  EXPECT_EQ(registry.find("SPR0001")->role, Role::kSinglePointOfReferral);
  EXPECT_EQ(registry.find("ZZZ9999"), nullptr);
  for (const char* code :
       {"gp-practice", "link-worker-service", "single-point-of-referral", "vcse-provider",
        "mental-health-navigator", "directory-administrator", "commissioner"}) {
    ASSERT_TRUE(parseRole(code)) << code;
    EXPECT_EQ(roleCode(*parseRole(code)), code);
  }
}

TEST(OrganisationRegistry, RefusesMalformedFilesNamingTheLine) {
  const std::map<std::string, std::string> bad = {
      {"slug,name\n", "ods_code"},
      {"ods_code,role\nA1,surgeon\n", "line 2: unknown role 'surgeon'"},
      {"ods_code,role\nA1,gp-practice\nA1,commissioner\n", "line 3: ODS code A1 is listed twice"},
      {"ods_code,role\n,gp-practice\n", "line 2: no ODS code"},
  };
  for (const auto& [csv, message] : bad) {
    try {
      OrganisationRegistry::parse(csv);
      ADD_FAILURE() << csv;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(message), std::string::npos) << e.what();
    }
  }
}

TEST(Identify, MapsTheCertificateToARegisteredOrganisation) {
  const Caller gp = callerFor("A81001");
  EXPECT_TRUE(gp.checked());
  EXPECT_EQ(gp.role, Role::kGpPractice);
  EXPECT_EQ(gp.auditName(), "A81001");
  const OrganisationRegistry registry = OrganisationRegistry::parse(kCsv);
  EXPECT_EQ(identify(registry, "", "").kind, Caller::Kind::kDevelopment);
  EXPECT_THROW(identify(registry, "ZZZ9999", "/CN=ZZZ9999"), FhirError);
  try {
    identify(registry, "", "/O=No CN");
    ADD_FAILURE();
  } catch (const FhirError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kUnauthorized);
  }
}

TEST(AccessPolicy, RolesAgainstCategories) {
  const Caller gp = callerFor("A81001"), vcse = callerFor("VCS0001"), admin = callerFor("ADM0001"),
               commissioner = callerFor("COM0001");
  const ErrorKind allowed = ErrorKind::kInternal, forbidden = ErrorKind::kForbidden;
  // Records: the partners that do the work; neither the commissioner nor the administrator.
  EXPECT_EQ(refusal(gp, Action::kCreate, "Patient"), allowed);
  EXPECT_EQ(refusal(vcse, Action::kSearch, "Task"), allowed);
  EXPECT_EQ(refusal(commissioner, Action::kRead, "Patient"), forbidden);
  EXPECT_EQ(refusal(admin, Action::kSearch, "ServiceRequest"), forbidden);
  // The directory: read by all, written by the administrator; providers update services.
  EXPECT_EQ(refusal(commissioner, Action::kRead, "HealthcareService"), allowed);
  EXPECT_EQ(refusal(admin, Action::kCreate, "Location"), allowed);
  EXPECT_EQ(refusal(vcse, Action::kCreate, "HealthcareService"), forbidden);
  EXPECT_EQ(refusal(vcse, Action::kUpdate, "HealthcareService"), allowed);
  EXPECT_EQ(refusal(vcse, Action::kUpdate, "Organization"), forbidden);
  EXPECT_EQ(refusal(gp, Action::kUpdate, "HealthcareService"), forbidden);
  // Shared: referrers write practitioners; definitions are the administrator's.
  EXPECT_EQ(refusal(gp, Action::kCreate, "PractitionerRole"), allowed);
  EXPECT_EQ(refusal(gp, Action::kCreate, "ConceptMap"), forbidden);
  // The audit trail: read by the administrator, written by nobody.
  EXPECT_EQ(refusal(admin, Action::kSearch, "AuditEvent"), allowed);
  EXPECT_EQ(refusal(gp, Action::kRead, "AuditEvent"), forbidden);
  EXPECT_EQ(refusal(admin, Action::kUpdate, "AuditEvent"), ErrorKind::kMethodNotAllowed);
  EXPECT_EQ(refusal(Caller::development(), Action::kDelete, "AuditEvent"),
            ErrorKind::kMethodNotAllowed);
  // Unchecked callers are not limited otherwise.
  EXPECT_EQ(refusal(Caller::development(), Action::kCreate, "HealthcareService"), allowed);
}

TEST(AccessPolicy, WhoSeesEverythingAndWhoDeletes) {
  const Caller gp = callerFor("A81001"), admin = callerFor("ADM0001");
  EXPECT_TRUE(seesAll(gp, "Endpoint"));
  EXPECT_FALSE(seesAll(gp, "Patient"));
  EXPECT_FALSE(seesAll(gp, "AuditEvent"));
  EXPECT_TRUE(seesAll(admin, "AuditEvent"));
  EXPECT_TRUE(seesAll(Caller::adapter(), "Patient"));
  EXPECT_TRUE(mayDelete(gp, "Patient", true));
  EXPECT_FALSE(mayDelete(gp, "Patient", false));
  EXPECT_FALSE(mayDelete(gp, "HealthcareService", true));
  EXPECT_TRUE(mayDelete(admin, "HealthcareService", false));
  EXPECT_FALSE(mayDelete(admin, "AuditEvent", false));
}

// Resolves Organization/<code> to <code>, like the store would for an Organization with that ODS
// identifier, and ODS identifiers to themselves.
class FakeResolver : public workflow::OrganisationResolver {
 public:
  std::set<std::string> organisationsOf(const rapidjson::Value* reference) override {
    std::set<std::string> out;
    if (!reference) return out;
    const std::string literal = fhir::getString(*reference, "reference");
    if (literal.rfind("Organization/", 0) == 0) out.insert(literal.substr(13));
    if (const rapidjson::Value* id = fhir::findMember(*reference, "identifier")) {
      out.insert(fhir::getString(*id, "value"));
    }
    return out;
  }
};

TEST(Compartment, PartiesOfReferralsAndTasks) {
  FakeResolver resolver;
  const auto referral = json(R"({"resourceType":"ServiceRequest",
      "requester":{"reference":"Organization/A81001"},
      "performer":[{"reference":"Organization/VCS0001"},{"identifier":{"value":"VCS0002"}}],
      "subject":{"reference":"Patient/p"}})");
  const auto parties = partiesOf("ServiceRequest", referral, resolver);
  ASSERT_EQ(parties.size(), 3u);
  EXPECT_EQ(parties[0].odsCode, "A81001");
  EXPECT_EQ(parties[0].basis, kRequester);
  EXPECT_EQ(parties[1].basis, kPerformer);
  const auto task = json(R"({"resourceType":"Task","owner":{"reference":"Organization/VCS0001"},
      "meta":{"tag":[{"system":"https://fhir.social-prescribing.example.org/tag/created-by",
                      "code":"SPR0001"}]}})");
  const auto taskParties = partiesOf("Task", task, resolver);
  std::set<std::string> found;
  for (const auto& p : taskParties) found.insert(p.odsCode + ":" + p.basis);
  EXPECT_EQ(found, (std::set<std::string>{"VCS0001:owner", "SPR0001:requester"}));
  EXPECT_FALSE(inPool("Task", task));
  EXPECT_TRUE(inPool("Task", json(R"({"resourceType":"Task"})")));
  EXPECT_TRUE(partiesOf("Patient", referral, resolver).empty());
}

TEST(Compartment, ReferencedRecordsLeaveTheDirectoryOut) {
  const auto task = json(R"({"resourceType":"Task","focus":{"reference":"ServiceRequest/s"},
      "for":{"reference":"https://elsewhere.example.org/fhir/Patient/p/_history/2"},
      "owner":{"reference":"HealthcareService/h"},
      "input":[{"valueReference":{"reference":"QuestionnaireResponse/q"}},
               {"valueReference":{"reference":"#contained"}}]})");
  std::set<std::string> keys;
  for (const auto& k : referencedRecords(task)) keys.insert(k.type + "/" + k.id);
  EXPECT_EQ(keys,
            (std::set<std::string>{"ServiceRequest/s", "Patient/p", "QuestionnaireResponse/q"}));
}

TEST(Compartment, RestrictedIsTheConfidentialityCodeR) {
  EXPECT_TRUE(isRestricted(json(R"({"meta":{"security":[{"system":
      "http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"R"}]}})")));
  EXPECT_FALSE(isRestricted(json(R"({"meta":{"security":[{"system":
      "http://terminology.hl7.org/CodeSystem/v3-Confidentiality","code":"N"}]}})")));
  EXPECT_FALSE(isRestricted(json(R"({"meta":{"security":[{"system":"other","code":"R"}]}})")));
  EXPECT_FALSE(isRestricted(json(R"({"resourceType":"Patient"})")));
}

TEST(AuditEvent, ActionsAndRendering) {
  EXPECT_EQ(auditAction("create"), "C");
  EXPECT_EQ(auditAction("search-type"), "R");
  EXPECT_EQ(auditAction("patch"), "U");
  EXPECT_EQ(auditAction("delete"), "D");
  EXPECT_EQ(auditAction("$validate"), "E");
  store::AuditRecord r;
  r.id = "a1";
  r.recorded = fhir::TimePoint(std::chrono::milliseconds(1764000000000));
  r.interaction = "search-type";
  r.action = "R";
  r.outcome = 403;
  r.organisation = "A81001";
  r.subject = "/CN=A81001";
  r.entityType = "Patient";
  r.query = "family=Pryce";
  r.requestId = "req";
  r.correlationId = "corr";
  const auto event = json(auditEventJson(r));
  EXPECT_EQ(fhir::getString(event, "resourceType"), "AuditEvent");
  EXPECT_EQ(fhir::getString(event, "outcome"), "4");
  EXPECT_EQ(fhir::getString(event, "recorded"), "2025-11-24T16:00:00.000Z");
  EXPECT_EQ(fhir::getString(event["agent"][0]["who"]["identifier"], "value"), "A81001");
  EXPECT_EQ(fhir::getString(event["entity"][0]["what"], "reference"), "Patient");
  EXPECT_EQ(fhir::getString(event["entity"][0], "query"), "ZmFtaWx5PVByeWNl");
  EXPECT_EQ(fhir::getString(event["entity"][0]["detail"][1], "valueString"), "corr");
}

}  // namespace
}  // namespace sp::security
