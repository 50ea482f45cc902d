// BaRS feedback (messaging/feedback.h): the provider's Task in a servicerequest-response and
// what it changes on the Task held here.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "fhir/json.h"
#include "messaging/feedback.h"

namespace sp::messaging {
namespace {

rapidjson::Document parsed(const char* json) {
  rapidjson::Document doc;
  fhir::parseJson(json, doc);
  return doc;
}

const char* kHeld = R"({"resourceType":"Task","id":"t-1","status":"requested","intent":"order",
  "focus":{"reference":"ServiceRequest/sr-1"},"owner":{"reference":"Organization/o-1"}})";

TEST(MessagingFeedback, FindsTheFirstTaskEntry) {
  const auto bundle = parsed(R"({"resourceType":"Bundle","entry":[
    {"resource":{"resourceType":"MessageHeader"}},{"resource":{"resourceType":"ServiceRequest"}},
    {"resource":{"resourceType":"Task","status":"accepted"}},
    {"resource":{"resourceType":"Task","status":"rejected"}}]})");
  ASSERT_TRUE(reportedTaskEntry(bundle));
  EXPECT_EQ(*reportedTaskEntry(bundle), 2u);
  EXPECT_FALSE(reportedTaskEntry(parsed(
      R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"MessageHeader"}}]})")));
}

TEST(MessagingFeedback, APushedRequestNamesItsReferralAndTheTaskItAskedFor) {
  const char* pushed = R"({"resourceType":"Bundle","id":"push-1","type":"message",
    "meta":{"tag":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/message-direction",
                    "code":"pushed"}]},
    "entry":[{"resource":{"resourceType":"MessageHeader",
                          "focus":[{"reference":"https://hub.example/fhir/ServiceRequest/sr-1"}]}},
             {"resource":{"resourceType":"ServiceRequest","id":"sr-1"}},
             {"resource":{"resourceType":"Task","id":"t-2"}}]})";
  const auto target = pushedRequestOf(parsed(pushed));
  ASSERT_TRUE(target);
  EXPECT_EQ(target->referralId, "sr-1");
  EXPECT_EQ(target->taskId, "t-2");
  // A stored Bundle that is no pushed request (a received message's copy) names nothing.
  rapidjson::Document received = parsed(pushed);
  received["meta"]["tag"][0]["code"].SetString("request");
  EXPECT_FALSE(pushedRequestOf(received));
}

TEST(MessagingFeedback, TheReportedStatusAndReasonReplaceTheHeldOnesAndNothingElse) {
  const auto held = parsed(kHeld);
  const auto reported = parsed(R"({"resourceType":"Task","id":"providers-own","status":"rejected",
    "statusReason":{"text":"No capacity"},"owner":{"reference":"Organization/elsewhere"},
    "intent":"plan"})");
  const auto next = taskAfterFeedback(held, reported);
  ASSERT_TRUE(next);
  EXPECT_EQ(fhir::getString(*next, "id"), "t-1");
  EXPECT_EQ(fhir::getString(*next, "status"), "rejected");
  EXPECT_EQ(fhir::getString((*next)["statusReason"], "text"), "No capacity");
  EXPECT_EQ(fhir::getString((*next)["owner"], "reference"), "Organization/o-1");
  EXPECT_EQ(fhir::getString(*next, "intent"), "order");
}

TEST(MessagingFeedback, AReportThatChangesNothingMovesNothing) {
  EXPECT_FALSE(
      taskAfterFeedback(parsed(kHeld), parsed(R"({"resourceType":"Task","status":"requested"})")));
}

// A response without a Task: the receiver's cancelled Encounter is a rejection with its reason
// (refresp02, valresp04); a noshow Appointment is non-attendance (refresp01).
const char* kRejection = R"({"resourceType":"Bundle","entry":[
  {"resource":{"resourceType":"MessageHeader"}},
  {"resource":{"resourceType":"ServiceRequest","status":"active"}},
  {"resource":{"resourceType":"Encounter","status":"triaged"}},
  {"resource":{"resourceType":"Encounter","status":"cancelled","reasonCode":[{"coding":[
    {"system":"https://fhir.nhs.uk/CodeSystem/rejected-reasons-bars","code":"FC",
     "display":"Failed Contact"}]}]}}]})";

TEST(MessagingFeedback, ACancelledEncounterIsARejectionWithItsReason) {
  const auto report = receiverReportIn(parsed(kRejection), 3);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->kind, ReceiverReportKind::kRejection);
  EXPECT_EQ(report->entry, 3u);
  EXPECT_EQ(fhir::getString(report->reason["coding"][0], "code"), "FC");
  EXPECT_EQ(fhir::getString(report->reason, "text"), "Failed Contact");  // display kept as text
  // Found also when the focus is another entry; a triaged Encounter alone reports nothing.
  const auto elsewhere = receiverReportIn(parsed(kRejection), 1);
  ASSERT_TRUE(elsewhere);
  EXPECT_EQ(elsewhere->entry, 3u);
  rapidjson::Document none = parsed(kRejection);
  none["entry"][3]["resource"]["status"].SetString("finished");
  EXPECT_FALSE(receiverReportIn(none, 1));
}

TEST(MessagingFeedback, ANoShowAppointmentIsNonAttendanceAndWinsOverACancelledEncounter) {
  rapidjson::Document bundle = parsed(kRejection);
  rapidjson::Document appointment =
      parsed(R"({"resource":{"resourceType":"Appointment","status":"noshow"}})");
  bundle["entry"].PushBack(rapidjson::Value(appointment, bundle.GetAllocator()),
                           bundle.GetAllocator());
  const auto report = receiverReportIn(bundle, 1);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->kind, ReceiverReportKind::kDidNotAttend);
  EXPECT_EQ(report->entry, 4u);
  EXPECT_FALSE(fhir::getString(report->reason, "text").empty());
}

TEST(MessagingFeedback, ARejectionRejectsAWaitingTaskAndFailsOneTakenOn) {
  const auto report = receiverReportIn(parsed(kRejection), 3);
  ASSERT_TRUE(report);
  auto moves = taskMovesFor(parsed(kHeld), *report);
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(fhir::getString(moves[0], "status"), "rejected");
  EXPECT_EQ(fhir::getString(moves[0]["statusReason"]["coding"][0], "code"), "FC");
  EXPECT_EQ(fhir::getString(moves[0], "id"), "t-1");  // the rest of the held Task kept
  rapidjson::Document inProgress = parsed(kHeld);
  inProgress["status"].SetString("in-progress");
  moves = taskMovesFor(inProgress, *report);
  ASSERT_EQ(moves.size(), 1u);
  EXPECT_EQ(fhir::getString(moves[0], "status"), "failed");
  rapidjson::Document ended = parsed(kHeld);
  ended["status"].SetString("cancelled");
  EXPECT_TRUE(taskMovesFor(ended, *report).empty());
}

TEST(MessagingFeedback, NonAttendanceAcceptsAWaitingTaskThenFailsItAsDidNotAttend) {
  const auto report = receiverReportIn(
      parsed(R"({"resourceType":"Bundle","entry":[{"resource":{"resourceType":"MessageHeader"}},
        {"resource":{"resourceType":"Appointment","status":"noshow"}}]})"),
      1);
  ASSERT_TRUE(report);
  const auto moves = taskMovesFor(parsed(kHeld), *report);
  ASSERT_EQ(moves.size(), 2u);
  EXPECT_EQ(fhir::getString(moves[0], "status"), "accepted");
  EXPECT_FALSE(moves[0].HasMember("businessStatus"));
  EXPECT_EQ(fhir::getString(moves[1], "status"), "failed");
  EXPECT_EQ(fhir::getString(moves[1]["businessStatus"]["coding"][0], "code"), "did-not-attend");
  EXPECT_EQ(fhir::getString(moves[1]["businessStatus"]["coding"][0], "system"),
            "https://fhir.social-prescribing.example.org/CodeSystem/task-business-status");
  EXPECT_TRUE(moves[1].HasMember("statusReason"));
  rapidjson::Document accepted = parsed(kHeld);
  accepted["status"].SetString("accepted");
  const auto fromAccepted = taskMovesFor(accepted, *report);
  ASSERT_EQ(fromAccepted.size(), 1u);
  EXPECT_EQ(fhir::getString(fromAccepted[0], "status"), "failed");
}

}  // namespace
}  // namespace sp::messaging
