// Warm handover: what T2's moves mean for T1, T1's states, the deadline.
#include <gtest/gtest.h>

#include "workflow/handover.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"
#include "workflow_test_support.h"

namespace sp::workflow {
namespace {

using fhir::ErrorKind;
using testing::failure;
using testing::json;
using testing::task;

std::string handoverTask(const std::string& status, const std::string& more = "") {
  return R"({"resourceType":"Task","status":")" + status +
         R"(","intent":"order","code":{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/task-code","code":"warm-handover"}]},)"
         R"("focus":{"reference":"ServiceRequest/sr1"},"for":{"reference":"Patient/p1"},)"
         R"("requester":{"reference":"Organization/nav"},"owner":{"reference":"Organization/lw"},)"
         R"("partOf":[{"reference":"Task/t1"}],"input":[{"type":{"text":"Handover note"},"valueString":"x"}])" +
         more + "}";
}

TEST(WorkflowHandover, EventsOfT2) {
  using S = TaskStatus;
  EXPECT_EQ(handoverEvent(std::nullopt, S::kRequested), HandoverEvent::kStart);
  EXPECT_EQ(handoverEvent(S::kDraft, S::kRequested), HandoverEvent::kStart);
  EXPECT_EQ(handoverEvent(std::nullopt, S::kDraft), HandoverEvent::kNone);
  EXPECT_EQ(handoverEvent(S::kRequested, S::kReceived), HandoverEvent::kNone);
  EXPECT_EQ(handoverEvent(S::kRequested, S::kAccepted), HandoverEvent::kAccept);
  EXPECT_EQ(handoverEvent(S::kReceived, S::kAccepted), HandoverEvent::kAccept);
  for (S to : {S::kRejected, S::kCancelled, S::kEnteredInError}) {
    EXPECT_EQ(handoverEvent(S::kRequested, to), HandoverEvent::kRevert) << statusCode(to);
    EXPECT_EQ(handoverEvent(S::kReceived, to), HandoverEvent::kRevert) << statusCode(to);
  }
  EXPECT_EQ(handoverEvent(S::kAccepted, S::kCancelled), HandoverEvent::kNone);
  EXPECT_EQ(handoverEvent(S::kInProgress, S::kCompleted), HandoverEvent::kNone);
}

TEST(WorkflowHandover, Deadline) {
  rapidjson::Document t2 = json(handoverTask("requested"));
  EXPECT_FALSE(handoverDeadline(t2));
  const auto deadline = *fhir::parseInstant("2026-03-06T16:20:00Z");
  setHandoverDeadline(t2, deadline);
  EXPECT_EQ(handoverDeadline(t2), deadline);
  EXPECT_FALSE(failure([&] { checkNotExpired("Task/t2", t2, deadline); }).thrown);
  const auto late =
      failure([&] { checkNotExpired("Task/t2", t2, deadline + std::chrono::seconds(1)); });
  ASSERT_TRUE(late.thrown);
  EXPECT_EQ(late.kind, ErrorKind::kConflict);
  EXPECT_NE(late.diagnostics.find("not accepted by its deadline 2026-03-06T16:20:00.000Z"),
            std::string::npos)
      << late.diagnostics;
}

HandoverStart start(const rapidjson::Value& t1, const rapidjson::Value& t2, Roles onT1,
                    bool requesterIsOwner = true) {
  HandoverStart s;
  s.t1Reference = "Task/t1";
  s.t1 = &t1;
  s.t2 = &t2;
  s.actor = Actor::organisation("NAV");
  s.actorOnT1 = onT1;
  s.requesterIsT1Owner = requesterIsOwner;
  return s;
}

TEST(WorkflowHandover, WhoMayHandOverWhat) {
  const Roles owner{false, true, false};
  const rapidjson::Document t2 = json(handoverTask("requested"));
  const rapidjson::Document t1 = json(task("in-progress", "Organization/nav"));
  EXPECT_FALSE(failure([&] { checkHandoverStart(start(t1, t2, owner)); }).thrown);

  const auto notOwner = failure([&] {
    checkHandoverStart(start(t1, t2, Roles{true, false, false}));
  });
  EXPECT_EQ(notOwner.kind, ErrorKind::kConflict);
  EXPECT_NE(notOwner.diagnostics.find("Only the owner of Task/t1"), std::string::npos);

  const rapidjson::Document accepted = json(task("accepted", "Organization/nav"));
  const auto notInProgress = failure([&] { checkHandoverStart(start(accepted, t2, owner)); });
  EXPECT_EQ(notInProgress.kind, ErrorKind::kConflict);
  EXPECT_NE(notInProgress.diagnostics.find("only a Task in progress can be handed over"),
            std::string::npos);

  rapidjson::Document waiting = json(task("in-progress", "Organization/nav"));
  markHandoverPending(waiting, "Task/t9", std::nullopt);
  const auto twice = failure([&] { checkHandoverStart(start(waiting, t2, owner)); });
  EXPECT_EQ(twice.kind, ErrorKind::kConflict);
  EXPECT_NE(twice.diagnostics.find("already waits for a warm handover (Task/t9)"),
            std::string::npos)
      << twice.diagnostics;

  std::string otherPerson = handoverTask("requested");
  otherPerson.replace(otherPerson.find("Patient/p1"), 10, "Patient/p2");
  const rapidjson::Document wrongFor = json(otherPerson);
  const auto differs = failure([&] { checkHandoverStart(start(t1, wrongFor, owner)); });
  EXPECT_EQ(differs.kind, ErrorKind::kUnprocessable);
  EXPECT_EQ(differs.expression, "Task.for");

  const auto notSender = failure([&] { checkHandoverStart(start(t1, t2, owner, false)); });
  EXPECT_EQ(notSender.kind, ErrorKind::kUnprocessable);
  EXPECT_EQ(notSender.expression, "Task.requester");
}

TEST(WorkflowHandover, T1WhilePendingThenHandedOver) {
  rapidjson::Document t1 = json(task("in-progress", "Organization/nav"));
  markHandoverPending(t1, "Task/t2", *fhir::parseInstant("2026-03-06T16:20:00Z"));
  EXPECT_EQ(fhir::getString(t1, "status"), "on-hold");
  EXPECT_EQ(businessStatusOf(t1), kHandoverPending);
  EXPECT_EQ(fhir::getString(t1["statusReason"], "text"),
            "Warm handover pending: waiting for Task/t2 to be accepted by "
            "2026-03-06T16:20:00.000Z");
  EXPECT_EQ(pendingHandoverOf(t1), "Task/t2");

  markHandedOver(t1, "Task/t2");
  EXPECT_EQ(fhir::getString(t1, "status"), "completed");
  EXPECT_EQ(businessStatusOf(t1), kHandedOver);
  EXPECT_FALSE(fhir::findMember(t1, "statusReason"));
  EXPECT_EQ(pendingHandoverOf(t1), "");
  ASSERT_EQ(t1["output"].Size(), 1u);
  EXPECT_EQ(fhir::getString(t1["output"][0]["valueReference"], "reference"), "Task/t2");
}

TEST(WorkflowHandover, T1BackInProgressWithTheReason) {
  rapidjson::Document t1 = json(task(
      "in-progress", "Organization/nav",
      R"(,"businessStatus":{"coding":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/task-business-status","code":"plan-agreed"}]})"));
  rapidjson::Document before;
  before.CopyFrom(t1["businessStatus"], before.GetAllocator());
  markHandoverPending(t1, "Task/t2", std::nullopt);
  const rapidjson::Document reason =
      json(R"({"coding":[{"system":"x","code":"no-capacity"}],"text":"No link worker free"})");
  revertHandover(t1, "Task/t2", "was rejected", &reason, &before);
  EXPECT_EQ(fhir::getString(t1, "status"), "in-progress");
  EXPECT_EQ(businessStatusOf(t1), "plan-agreed");
  EXPECT_EQ(fhir::getString(t1["statusReason"], "text"),
            "Warm handover Task/t2 was rejected: No link worker free");
  EXPECT_EQ(fhir::getString(t1["statusReason"]["coding"][0], "code"), "no-capacity");
  // Without an earlier businessStatus, none is left.
  rapidjson::Document bare = json(task("in-progress", "Organization/nav"));
  markHandoverPending(bare, "Task/t2", std::nullopt);
  revertHandover(bare, "Task/t2", "was cancelled", nullptr, nullptr);
  EXPECT_FALSE(fhir::findMember(bare, "businessStatus"));
  EXPECT_EQ(fhir::getString(bare["statusReason"], "text"), "Warm handover Task/t2 was cancelled");
}

}  // namespace
}  // namespace sp::workflow
