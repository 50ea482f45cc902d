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

}  // namespace
}  // namespace sp::messaging
