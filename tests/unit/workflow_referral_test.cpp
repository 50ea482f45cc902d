// Referrals and their Tasks: the Task the adapter makes, its id, how a referral follows it.
#include <gtest/gtest.h>

#include "fhir/definitions.h"
#include "fhir/ids.h"
#include "validation/validator.h"
#include "workflow/referral.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"
#include "workflow_test_support.h"

namespace sp::workflow {
namespace {

using testing::json;

const std::string kReferral = R"({"resourceType":"ServiceRequest",
  "extension":[{"url":"https://fhir.social-prescribing.example.org/StructureDefinition/referral-route",
    "valueCoding":{"system":"https://fhir.social-prescribing.example.org/CodeSystem/referral-route","code":"gp"}}],
  "status":"active","intent":"order","priority":"urgent",
  "code":{"coding":[{"system":"http://snomed.info/sct","code":"871731000000106"}]},
  "subject":{"reference":"Patient/p1"},"requester":{"reference":"PractitionerRole/gp1"},
  "performer":[{"reference":"HealthcareService/walks"},{"reference":"Organization/other"}],
  "basedOn":[{"reference":"CarePlan/c1"},{"reference":"ServiceRequest/first"}],
  "reasonCode":[{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/priority-cohort","code":"carers"}]}]})";

TEST(WorkflowReferral, TaskIdIsFixedByTheReferral) {
  EXPECT_EQ(referralTaskId("sr-pryce-gp"), "sr-pryce-gp-task");
  const std::string longId(62, 'a');
  const std::string id = referralTaskId(longId);
  EXPECT_TRUE(fhir::isValidId(id)) << id;
  EXPECT_EQ(id, referralTaskId(longId));
  EXPECT_NE(id, referralTaskId(std::string(62, 'b')));
  EXPECT_TRUE(fhir::isValidId(referralTaskId(std::string(59, 'c'))));
  EXPECT_EQ(referralTaskId(std::string(59, 'c')), std::string(59, 'c') + "-task");
}

TEST(WorkflowReferral, ReadsRoutePerformerAndEarlierReferral) {
  const rapidjson::Document sr = json(kReferral);
  EXPECT_EQ(routeOf(sr), "gp");
  EXPECT_TRUE(wantsTask(sr));
  EXPECT_EQ(localReference(firstPerformer(sr)).text(), "HealthcareService/walks");
  EXPECT_EQ(earlierReferral(sr).text(), "ServiceRequest/first");
  EXPECT_FALSE(wantsTask(json(
      R"({"resourceType":"ServiceRequest","status":"draft","performer":[{"reference":"Organization/a"}]})")));
  EXPECT_FALSE(wantsTask(json(R"({"resourceType":"ServiceRequest","status":"active"})")));
  EXPECT_EQ(earlierReferral(json(R"({"replaces":[{"reference":"ServiceRequest/old"}]})")).text(),
            "ServiceRequest/old");
  EXPECT_TRUE(earlierReferral(json(R"({"basedOn":[{"reference":"CarePlan/c"}]})")).empty());
}

TEST(WorkflowReferral, TheTaskMadeForAReferral) {
  const rapidjson::Document sr = json(kReferral);
  const rapidjson::Document owner = json(R"({"reference":"Organization/greenway"})");
  ReferralTaskSpec spec;
  spec.serviceRequestId = "sr1";
  spec.serviceRequest = &sr;
  spec.owner = &owner;
  spec.partOf = "Task/lw";
  spec.creatorOds = "A81001";
  spec.now = *fhir::parseInstant("2026-03-02T09:14:05Z");
  const rapidjson::Document task = makeReferralTask(spec);
  EXPECT_EQ(fhir::getString(task, "status"), "requested");
  EXPECT_EQ(fhir::getString(task, "intent"), "order");
  EXPECT_EQ(fhir::getString(task, "priority"), "urgent");
  EXPECT_EQ(fhir::getString(task["focus"], "reference"), "ServiceRequest/sr1");
  EXPECT_EQ(fhir::getString(task["basedOn"][0], "reference"), "ServiceRequest/sr1");
  EXPECT_EQ(fhir::getString(task["for"], "reference"), "Patient/p1");
  EXPECT_EQ(fhir::getString(task["requester"], "reference"), "PractitionerRole/gp1");
  EXPECT_EQ(fhir::getString(task["owner"], "reference"), "Organization/greenway");
  EXPECT_EQ(fhir::getString(task["partOf"][0], "reference"), "Task/lw");
  EXPECT_EQ(fhir::getString(task, "authoredOn"), "2026-03-02T09:14:05.000Z");
  EXPECT_EQ(creatorOf(task), "A81001");
  EXPECT_FALSE(isWarmHandover(task));

  // It conforms to sp-referral-task with no issue at all.
  static const fhir::Definitions defs =
      fhir::Definitions::load(std::string(SP_SOURCE_DIR) + "/fhir-profiles");
  static const validation::Validator validator(defs);
  const auto issues = validator.validate(task);
  std::string described;
  for (const auto& i : issues) described += i.expression + " " + i.diagnostics + "\n";
  EXPECT_TRUE(issues.empty()) << described;
}

TEST(WorkflowReferral, TheReferralFollowsItsTask) {
  using S = TaskStatus;
  const rapidjson::Document plain = json(testing::task("in-progress"));
  EXPECT_EQ(followingStatus(plain, S::kInProgress, S::kCompleted, "active"), "completed");
  EXPECT_EQ(followingStatus(plain, S::kAccepted, S::kCompleted, "on-hold"), "completed");
  EXPECT_EQ(followingStatus(plain, S::kRequested, S::kCancelled, "active"), "revoked");
  EXPECT_EQ(followingStatus(plain, S::kInProgress, S::kCancelled, "draft"), "revoked");
  EXPECT_FALSE(followingStatus(plain, S::kInProgress, S::kFailed, "active"));
  EXPECT_FALSE(followingStatus(plain, S::kRequested, S::kRejected, "active"));
  EXPECT_FALSE(followingStatus(plain, S::kInProgress, S::kCompleted, "revoked"));
  EXPECT_FALSE(followingStatus(plain, S::kCompleted, S::kCompleted, "active"));
  // Handing the person over is not finishing the referral.
  const rapidjson::Document handedOver = json(testing::task(
      "completed", "Organization/nav",
      R"(,"businessStatus":{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/task-business-status","code":"handed-over"}]})"));
  EXPECT_FALSE(followingStatus(handedOver, S::kOnHold, S::kCompleted, "active"));
  // A handover that was never accepted leaves the referral with the sender.
  std::string handover = testing::task("cancelled");
  handover.replace(handover.find("fulfill-referral"), 16, kWarmHandover);
  const rapidjson::Document t2 = json(handover);
  EXPECT_FALSE(followingStatus(t2, S::kRequested, S::kCancelled, "active"));
  EXPECT_EQ(followingStatus(t2, S::kInProgress, S::kCancelled, "active"), "revoked");
  EXPECT_EQ(followingStatus(t2, S::kInProgress, S::kCompleted, "active"), "completed");
}

}  // namespace
}  // namespace sp::workflow
