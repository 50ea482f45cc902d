// Partners' real resources through REST, unchanged but for their ids (issue #17): Gravity SDOH's
// closed-loop referral and UK Core's ServiceRequests and Task, as published (tests/data/partners/).
// Each conversation runs over HTTPS with the partners' client certificates against a real
// PostgreSQL; what the hub stores is checked against its own profiles with $validate.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "harness.h"
#include "json_helpers.h"

namespace sp::testing {
namespace {

const std::string kSp = "https://fhir.social-prescribing.example.org";
const std::string kOds = "https://fhir.nhs.uk/Id/ods-organization-code";
const std::string kSnomed = "http://snomed.info/sct";
const std::string kHl7TaskCode = "http://hl7.org/fhir/CodeSystem/task-code";
const std::string kDerived = kSp + "/CodeSystem/hub-derived|";

std::string partnerFile(const std::string& name) {
  std::ifstream in(sourceDir() + "/tests/data/partners/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The ids of one conversation, renewed: each example id becomes a fresh one, the same wherever
// it appears (as `id`, in a reference), so that the examples still name each other.
class RenewedIds {
 public:
  explicit RenewedIds(std::vector<std::string> ids) : ids_(std::move(ids)) {
    // Longer first, so that an id that contains another is replaced whole.
    std::sort(ids_.begin(), ids_.end(),
              [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    for (const auto& id : ids_) fresh_[id] = "p" + newUuid().substr(0, 8) + newUuid().substr(0, 8);
  }
  const std::string& operator[](const std::string& id) const { return fresh_.at(id); }
  std::string in(std::string text) const {
    for (const auto& id : ids_) {
      for (std::size_t at = text.find(id); at != std::string::npos;
           at = text.find(id, at + fresh_.at(id).size())) {
        text.replace(at, id.size(), fresh_.at(id));
      }
    }
    return text;
  }
  std::string file(const std::string& name) const { return in(partnerFile(name)); }

 private:
  std::vector<std::string> ids_;
  std::map<std::string, std::string> fresh_;
};

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

class PartnerResources : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<ServerProcess>(PostgresCluster::shared().freshDatabase(),
                                              ServerOptions{true, {"--handover-sweep-ms", "0"}});
    clients_ = std::make_unique<PartnerClients>(server_->baseUrl());
  }
  static void TearDownTestSuite() {
    clients_.reset();
    server_.reset();
  }

  static HttpClient& as(const std::string& slug) { return clients_->as(slug); }

  // PUT of a resource at its own (renewed) id: create or update; the answer must be 2xx.
  static HttpResponse put(const std::string& slug, const std::string& json) {
    const std::string path = "/" + at(json, "/resourceType") + "/" + at(json, "/id");
    HttpResponse r = as(slug).send("PUT", path, json);
    EXPECT_TRUE(r.status == 200 || r.status == 201) << slug << " PUT " << path << ": " << r.body;
    return r;
  }

  // The directory team registers a partner organisation under `id`.
  static void organisation(const std::string& id, const std::string& ods) {
    put("admin", R"({"resourceType":"Organization","id":")" + id +
                     R"(","identifier":[{"system":")" + kOds + R"(","value":")" + ods +
                     R"("}],"active":true,"name":"Organisation )" + ods + R"("})");
  }

  // What the hub holds for `path`, read by `slug`.
  static std::string read(const std::string& slug, const std::string& path) {
    HttpResponse r = as(slug).get(path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.body;
  }

  // No error when the stored resource is checked against the hub's profile `profile`.
  static void meetsProfile(const std::string& stored, const std::string& profile) {
    const std::string type = at(stored, "/resourceType");
    const std::string parameters =
        R"({"resourceType":"Parameters","parameter":[{"name":"resource","resource":)" + stored +
        R"(},{"name":"profile","valueUri":")" + kSp + "/StructureDefinition/" + profile + R"("}]})";
    HttpResponse r = as("admin").send("POST", "/" + type + "/$validate", parameters);
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.find("\"severity\":\"error\""), std::string::npos)
        << profile << ": " << r.body;
  }

  static std::unique_ptr<ServerProcess> server_;
  static std::unique_ptr<PartnerClients> clients_;
};

std::unique_ptr<ServerProcess> PartnerResources::server_;
std::unique_ptr<PartnerClients> PartnerResources::clients_;

// Gravity SDOH's closed loop: the clinic's referral, the coordination platform's Task (accepted,
// then completed with its Procedure), a sub-referral with its own Task to a provider, and a Task
// for the patient. The GP practice plays the clinic, the link worker service the coordination
// platform, a VCSE provider the sub-referral's performer.
TEST_F(PartnerResources, GravitySdohClosedLoopReferralCompletes) {
  const RenewedIds ids({"SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample",
                        "SDOHCC-ServiceRequestSubreferralSummerFoodProgramExample",
                        "SDOHCC-TaskReferralManagementOrderFulfillmentAcceptedExample",
                        "SDOHCC-TaskReferralManagementOrderFulfillmentCompletedExample",
                        "SDOHCC-TaskReferralManagementOrderSubtaskAcceptedExample",
                        "SDOHCC-TaskReferralManagementOrderSubtaskCompletedExample",
                        "SDOHCC-TaskPatientMakeAppointmentCompletedExample",
                        "SDOHCC-ProcedureFoodPantryApplicationAssistanceExample",
                        "SDOHCC-ProcedureSummerFoodProgramApplicationAssistanceExample",
                        "SDOHCC-OrganizationCoordinationPlatformExample",
                        "SDOHCC-OrganizationClinicExample", "pat-53234"});
  organisation(ids["SDOHCC-OrganizationCoordinationPlatformExample"], "PCN0001");
  organisation(ids["SDOHCC-OrganizationClinicExample"], "VCS0001");
  put("gp", R"({"resourceType":"Patient","id":")" + ids["pat-53234"] + R"("})");

  // The referral, as sent: no route, no requester, Gravity's own SNOMED CT code.
  const std::string referral = ids.file(
      "sdoh/ServiceRequest-SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample.json");
  put("gp", referral);
  const std::string referralPath = "/ServiceRequest/" + at(referral, "/id");
  std::string stored = read("gp", referralPath);
  EXPECT_EQ(codings(stored, "/code"),
            (std::vector<std::string>{kSnomed + "|467771000124109", kSnomed + "|871731000000106"}));
  EXPECT_EQ(at(stored, "/extension/0/valueCoding/code"), "gp");  // the GP practice's role
  EXPECT_EQ(at(stored, "/requester/identifier/value"), "A81001");
  EXPECT_EQ(at(stored, "/intent"), "order");
  const auto referralTags = tags(stored);
  for (const char* derived : {"referral-route", "referral-code", "requester"}) {
    EXPECT_TRUE(has(referralTags, kDerived + derived)) << derived << ": " << stored;
  }
  meetsProfile(stored, "sp-referral");

  // The coordination platform records that it accepted the referral, then that it is done.
  put("linkworker",
      ids.file("sdoh/Procedure-SDOHCC-ProcedureFoodPantryApplicationAssistanceExample.json"));
  const std::string accepted =
      ids.file("sdoh/Task-SDOHCC-TaskReferralManagementOrderFulfillmentAcceptedExample.json");
  put("linkworker", accepted);
  const std::string taskPath = "/Task/" + at(accepted, "/id");
  stored = read("linkworker", taskPath);
  EXPECT_EQ(at(stored, "/status"), "accepted");
  EXPECT_EQ(codings(stored, "/code"),
            (std::vector<std::string>{kHl7TaskCode + "|fulfill",
                                      kSp + "/CodeSystem/task-code|fulfill-referral"}));
  EXPECT_TRUE(has(tags(stored), kDerived + "task-code")) << stored;
  meetsProfile(stored, "sp-referral-task");

  // Gravity publishes the completed Task as a resource of its own; here it is the same Task.
  std::string completed =
      ids.file("sdoh/Task-SDOHCC-TaskReferralManagementOrderFulfillmentCompletedExample.json");
  completed = with(completed, "/id", "\"" + at(accepted, "/id") + "\"");
  put("linkworker", completed);
  EXPECT_EQ(at(read("linkworker", taskPath), "/status"), "completed");

  // The referrer follows its referral: the Task, its outcome, and the referral completed.
  stored = read("gp", taskPath);
  EXPECT_EQ(at(stored, "/output/0/valueReference/reference"),
            "Procedure/" + ids["SDOHCC-ProcedureFoodPantryApplicationAssistanceExample"]);
  EXPECT_EQ(at(read("gp", referralPath), "/status"), "completed");

  // A sub-referral to a provider, which records its own Task's acceptance and completion.
  put("linkworker",
      ids.file(
          "sdoh/ServiceRequest-SDOHCC-ServiceRequestSubreferralSummerFoodProgramExample.json"));
  const std::string subtask =
      ids.file("sdoh/Task-SDOHCC-TaskReferralManagementOrderSubtaskAcceptedExample.json");
  put("vcse-walking", subtask);
  std::string subtaskDone =
      ids.file("sdoh/Task-SDOHCC-TaskReferralManagementOrderSubtaskCompletedExample.json");
  subtaskDone = with(subtaskDone, "/id", "\"" + at(subtask, "/id") + "\"");
  subtaskDone =
      with(subtaskDone, "/partOf", R"([{"reference":"Task/)" + at(accepted, "/id") + R"("}])");
  put("vcse-walking", subtaskDone);
  stored = read("vcse-walking", "/Task/" + at(subtask, "/id"));
  EXPECT_EQ(at(stored, "/status"), "completed");
  meetsProfile(stored, "sp-referral-task");

  // A Task for the patient is not referral work: held as plain R4, with no derivation.
  const std::string forPatient =
      ids.file("sdoh/Task-SDOHCC-TaskPatientMakeAppointmentCompletedExample.json");
  put("vcse-walking", forPatient);
  stored = read("vcse-walking", "/Task/" + at(forPatient, "/id"));
  EXPECT_EQ(
      codings(stored, "/code"),
      (std::vector<std::string>{
          "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"
          "|make-contact"}));
  EXPECT_FALSE(has(tags(stored), kDerived + "task-code")) << stored;
}

// The issue's table: Gravity's referral and a Task with HL7's `fulfill` code, in one transaction
// from the GP's system (urn:uuid references between them).
TEST_F(PartnerResources, GravityReferralAndAFulfillTaskInOneTransaction) {
  const RenewedIds ids(
      {"SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample", "pat-53234"});
  put("gp", R"({"resourceType":"Patient","id":")" + ids["pat-53234"] + R"("})");
  // As published, id and all: a create in a transaction gives it the hub's id.
  const std::string referral = ids.file(
      "sdoh/ServiceRequest-SDOHCC-ServiceRequestActiveFoodPantryApplicationAssistExample.json");
  const std::string referralUrl = "urn:uuid:" + newUuid();
  const std::string bundle =
      R"({"resourceType":"Bundle","type":"transaction","entry":[{"fullUrl":")" + referralUrl +
      R"(","resource":)" + referral +
      R"(,"request":{"method":"POST","url":"ServiceRequest"}},{"resource":{"resourceType":"Task",)"
      R"("status":"requested","intent":"order","code":{"coding":[{"system":")" +
      kHl7TaskCode + R"(","code":"fulfill"}]},"focus":{"reference":")" + referralUrl +
      R"("}},"request":{"method":"POST","url":"Task"}}]})";
  HttpResponse r = as("gp").send("POST", "/", bundle);
  ASSERT_EQ(r.status, 200) << r.body;
  // "Type/<id>/_history/1": the id between the slashes.
  const auto idIn = [](const std::string& location) {
    const auto start = location.find('/') + 1;
    return location.substr(start, location.find('/', start) - start);
  };
  const std::string referralId = idIn(at(r.body, "/entry/0/response/location"));
  const std::string task = read("gp", "/Task/" + idIn(at(r.body, "/entry/1/response/location")));
  EXPECT_EQ(at(task, "/focus/reference"), "ServiceRequest/" + referralId);
  EXPECT_EQ(at(task, "/for/reference"), "Patient/" + ids["pat-53234"]);  // from the referral
  EXPECT_EQ(at(task, "/requester/identifier/value"), "A81001");
  EXPECT_TRUE(has(tags(task), kDerived + "task-for")) << task;
  meetsProfile(task, "sp-referral-task");
  meetsProfile(read("gp", "/ServiceRequest/" + referralId), "sp-referral");
}

// UK Core: four ServiceRequests from a GP system, each held with what the hub derives; the
// colonoscopy's performer (a Practitioner with a role at a provider) takes on the Task the hub
// made for it by sending UK Core's in-progress Task, and finishes it.
TEST_F(PartnerResources, UkCoreReferralsAreHeldAndTheColonoscopyTaskCompletes) {
  const RenewedIds ids(
      {"UKCore-ServiceRequest-ColonoscopyRequest-Example",
       "UKCore-ServiceRequest-CTChestScan-Example", "UKCore-ServiceRequest-ECG-Example",
       "UKCore-ServiceRequest-HipReplacement-Example", "UKCore-Task-Colonoscopy-Example",
       "UKCore-Practitioner-ConsultantSandraGose-Example",
       "UKCore-Practitioner-DoctorPaulRastall-Example", "UKCore-Patient-RichardSmith-Example",
       "UKCore-Organization-LeedsTeachingHospital-Example",
       "UKCore-Encounter-InpatientEncounter-Example"});
  const std::string gp = "o" + newUuid().substr(0, 12);
  const std::string provider = "o" + newUuid().substr(0, 12);
  organisation(gp, "A81001");
  organisation(provider, "VCS0001");
  const auto practitioner = [&](const std::string& example, const std::string& organisationId) {
    put("admin", R"({"resourceType":"Practitioner","id":")" + ids[example] + R"("})");
    put("admin", R"({"resourceType":"PractitionerRole","id":"r)" + newUuid().substr(0, 12) +
                     R"(","practitioner":{"reference":"Practitioner/)" + ids[example] +
                     R"("},"organization":{"reference":"Organization/)" + organisationId +
                     R"("}})");
  };
  practitioner("UKCore-Practitioner-DoctorPaulRastall-Example", gp);
  practitioner("UKCore-Practitioner-ConsultantSandraGose-Example", provider);
  put("gp",
      R"({"resourceType":"Patient","id":")" + ids["UKCore-Patient-RichardSmith-Example"] + R"("})");

  for (const char* name :
       {"UKCore-ServiceRequest-CTChestScan-Example", "UKCore-ServiceRequest-ECG-Example",
        "UKCore-ServiceRequest-HipReplacement-Example",
        "UKCore-ServiceRequest-ColonoscopyRequest-Example"}) {
    SCOPED_TRACE(name);
    const std::string sent = ids.file(std::string("ukcore/") + name + ".json");
    put("gp", sent);
    const std::string stored = read("gp", "/ServiceRequest/" + at(sent, "/id"));
    EXPECT_TRUE(has(codings(stored, "/code"), kSnomed + "|871731000000106")) << stored;
    EXPECT_EQ(codings(stored, "/code").front(), codings(sent, "/code").front());  // theirs first
    meetsProfile(stored, "sp-referral");
  }

  // The hub made the colonoscopy's Task for its performer; the provider reads it through the
  // practitioner's role, and answers with UK Core's Task at that id: work has begun.
  const std::string referralId = ids["UKCore-ServiceRequest-ColonoscopyRequest-Example"];
  const std::string taskPath = "/Task/" + referralId + "-task";
  EXPECT_EQ(at(read("vcse-walking", taskPath), "/status"), "requested");
  std::string task = ids.file("ukcore/UKCore-Task-Colonoscopy-Example.json");
  task = with(task, "/id", "\"" + referralId + "-task\"");
  HttpResponse r = put("vcse-walking", task);
  EXPECT_EQ(r.status, 200) << r.body;
  std::string stored = read("gp", taskPath);
  EXPECT_EQ(at(stored, "/status"), "in-progress");
  EXPECT_EQ(at(stored, "/meta/versionId"), "3");  // requested, accepted (implied), in-progress
  meetsProfile(stored, "sp-referral-task");

  task = with(task, "/status", "\"completed\"");
  put("vcse-walking", task);
  EXPECT_EQ(at(read("gp", taskPath), "/status"), "completed");
  EXPECT_EQ(at(read("gp", "/ServiceRequest/" + referralId), "/status"), "completed");
}

}  // namespace
}  // namespace sp::testing
