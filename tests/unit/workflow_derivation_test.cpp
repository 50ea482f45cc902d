// workflow/derivation.h: what the hub fills in for a referral and a Task, and that it says so.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "workflow/derivation.h"
#include "workflow/derived.h"
#include "workflow/references.h"
#include "workflow_test_support.h"

namespace sp::workflow {
namespace {

using testing::json;
using testing::text;

const std::string kSp = "https://fhir.social-prescribing.example.org";

const Sender kGp{"A81001", "Riverside Medical Practice", "gp"};

std::vector<std::string> codes(const rapidjson::Value& resource, const char* element) {
  std::vector<std::string> out;
  const rapidjson::Value* concept = fhir::findMember(resource, element);
  if (!concept) return out;
  for (const rapidjson::Value* c : elements(*concept, "coding")) {
    out.push_back(fhir::getString(*c, "system") + "|" + fhir::getString(*c, "code"));
  }
  return out;
}

std::vector<std::string> expressions(const std::vector<fhir::Issue>& issues) {
  std::vector<std::string> out;
  for (const auto& i : issues) {
    EXPECT_EQ(i.severity, fhir::Severity::kInformation);
    out.push_back(i.expression);
  }
  return out;
}

TEST(Derivation, AReferralAsUkCoreSendsItGetsRouteCodeAndRequesterBesideItsOwn) {
  auto sr = json(R"({"resourceType":"ServiceRequest","status":"active","intent":"original-order",
      "code":{"coding":[{"system":"http://snomed.info/sct","code":"73761001"}]},
      "subject":{"reference":"Patient/p"}})");
  const auto issues = deriveReferral(sr, kGp);
  EXPECT_EQ(expressions(issues),
            (std::vector<std::string>{"ServiceRequest.extension", "ServiceRequest.code",
                                      "ServiceRequest.requester"}));
  EXPECT_EQ(codes(sr, "code"),
            (std::vector<std::string>{"http://snomed.info/sct|73761001",
                                      "http://snomed.info/sct|871731000000106"}));
  EXPECT_EQ(fhir::getString(sr["extension"][0]["valueCoding"], "code"), "gp");
  EXPECT_EQ(fhir::getString(sr["requester"]["identifier"], "value"), "A81001");
  EXPECT_EQ(fhir::getString(sr, "intent"), "original-order");  // as sent
  for (const char* tag : {"referral-route", "referral-code", "requester"}) {
    EXPECT_TRUE(wasDerived(sr, tag)) << tag;
  }
  EXPECT_NE(text(sr).find(kSp + "/StructureDefinition/sp-referral"), std::string::npos);
}

TEST(Derivation, WhatTheSenderGaveIsKeptAndNothingIsTagged) {
  const std::string sent = R"({"resourceType":"ServiceRequest","status":"active","intent":"order",
      "extension":[{"url":")" +
                           kSp + R"(/StructureDefinition/referral-route",
        "valueCoding":{"system":")" +
                           kSp + R"(/CodeSystem/referral-route","code":"re-access"}}],
      "code":{"coding":[{"system":"http://snomed.info/sct","code":"871731000000106"}]},
      "requester":{"reference":"PractitionerRole/dr"}})";
  auto sr = json(sent);
  EXPECT_TRUE(deriveReferral(sr, kGp).empty());
  EXPECT_EQ(fhir::getString(sr["extension"][0]["valueCoding"], "code"), "re-access");
  EXPECT_EQ(fhir::getString(sr["requester"], "reference"), "PractitionerRole/dr");
  EXPECT_FALSE(wasDerived(sr, "referral-route"));
  EXPECT_FALSE(wasDerived(sr, "requester"));
}

TEST(Derivation, ASenderWithoutARouteOrIdentityLeavesThoseOut) {
  auto sr = json(R"({"resourceType":"ServiceRequest","status":"active","intent":"order"})");
  const auto issues = deriveReferral(sr, Sender{});
  EXPECT_EQ(expressions(issues), (std::vector<std::string>{"ServiceRequest.code"}));
  EXPECT_FALSE(sr.HasMember("extension"));
  EXPECT_FALSE(sr.HasMember("requester"));
}

TEST(Derivation, TaskKinds) {
  EXPECT_EQ(taskKind(json(testing::task("requested"))), TaskKind::kReferral);
  EXPECT_EQ(taskKind(json(R"({"resourceType":"Task","code":{"coding":[
      {"system":"http://hl7.org/fhir/CodeSystem/task-code","code":"fulfill"}]}})")),
            TaskKind::kReferral);
  EXPECT_EQ(taskKind(json(R"({"resourceType":"Task","focus":{"reference":"ServiceRequest/s"}})")),
            TaskKind::kReferral);
  EXPECT_EQ(taskKind(json(R"({"resourceType":"Task","code":{"coding":[
      {"system":")" + kSp +
                          R"(/CodeSystem/task-code","code":"warm-handover"}]}})")),
            TaskKind::kHandover);
  EXPECT_EQ(taskKind(json(R"({"resourceType":"Task","code":{"coding":[
      {"system":"http://example.org/codes","code":"make-contact"}]},
      "focus":{"reference":"ServiceRequest/s"}})")),
            TaskKind::kOther);
  EXPECT_EQ(taskKind(json(R"({"resourceType":"Task"})")), TaskKind::kOther);
}

TEST(Derivation, AGravityTaskGetsTheProjectsCodeForAndRequesterFromItsReferral) {
  auto task = json(R"({"resourceType":"Task","status":"requested","intent":"order",
      "code":{"coding":[{"system":"http://hl7.org/fhir/CodeSystem/task-code","code":"fulfill"}]},
      "focus":{"reference":"ServiceRequest/s"}})");
  const auto referral = json(R"({"resourceType":"ServiceRequest","subject":{"reference":
      "Patient/p"},"requester":{"reference":"Organization/gp"}})");
  const auto issues = deriveTask(task, &referral, kGp);
  EXPECT_EQ(expressions(issues),
            (std::vector<std::string>{"Task.code", "Task.for", "Task.requester"}));
  EXPECT_EQ(codes(task, "code"),
            (std::vector<std::string>{"http://hl7.org/fhir/CodeSystem/task-code|fulfill",
                                      kSp + "/CodeSystem/task-code|fulfill-referral"}));
  EXPECT_EQ(fhir::getString(task["for"], "reference"), "Patient/p");
  EXPECT_EQ(fhir::getString(task["requester"], "reference"), "Organization/gp");
  EXPECT_NE(text(task).find(kSp + "/StructureDefinition/sp-referral-task"), std::string::npos);
}

TEST(Derivation, AHandoverGetsHl7sCodeAndItsProfileAndOtherTasksAreLeftAlone) {
  auto handover = json(R"({"resourceType":"Task","code":{"coding":[{"system":")" + kSp +
                       R"(/CodeSystem/task-code","code":"warm-handover"}]},
      "for":{"reference":"Patient/p"},"requester":{"reference":"Organization/mh"}})");
  const auto issues = deriveTask(handover, nullptr, kGp);
  EXPECT_EQ(expressions(issues), (std::vector<std::string>{"Task.code"}));
  EXPECT_EQ(codes(handover, "code").back(), "http://hl7.org/fhir/CodeSystem/task-code|fulfill");
  EXPECT_NE(text(handover).find(kSp + "/StructureDefinition/sp-handover-task"), std::string::npos);

  const std::string other = R"({"resourceType":"Task","status":"completed","intent":"order",
      "code":{"coding":[{"system":"http://example.org/codes","code":"make-contact"}]}})";
  auto task = json(other);
  EXPECT_TRUE(deriveTask(task, nullptr, kGp).empty());
  EXPECT_EQ(text(task), text(json(other)));
}

TEST(Derivation, ATaskWithoutAHeldReferralNamesTheSenderAsRequester) {
  auto task = json(R"({"resourceType":"Task","focus":{"reference":"ServiceRequest/elsewhere"}})");
  deriveTask(task, nullptr, kGp);
  EXPECT_EQ(fhir::getString(task["requester"]["identifier"], "value"), "A81001");
  EXPECT_FALSE(task.HasMember("for"));
  EXPECT_TRUE(wasDerived(task, "requester"));
}

}  // namespace
}  // namespace sp::workflow
