// The delivery write rules (services/delivery_rules.h) on the whole write path, over the in-memory
// store: what each change puts into the outbox, in the change's own transaction, and where it
// is going (the referrer's BaRS response, a pushed referral, a Subscription's notification).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rules_test_support.h"

namespace sp::testing::rules {
namespace {

// The MessageHeader of a message Bundle (its first entry).
const rapidjson::Value& header(const rapidjson::Document& bundle) {
  return bundle["entry"][0]["resource"];
}

std::vector<store::OutboxMessage> ofKind(const std::vector<store::OutboxMessage>& all,
                                         const std::string& kind) {
  std::vector<store::OutboxMessage> out;
  for (const auto& m : all) {
    if (m.kind == kind) out.push_back(m);
  }
  return out;
}

class DeliveryRulesTest : public RulesTest {};

TEST_F(DeliveryRulesTest, AcceptanceSendsTheReferrerABarsResponseAtItsEndpoint) {
  setUpDirectory(2);
  refer("sr1", "HealthcareService/walks");
  EXPECT_TRUE(store_.outbox().empty()) << "nobody asked for pushed referrals";

  ASSERT_EQ(move(kWalking, "sr1-task", "accepted").status, 200);
  auto outbox = store_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  const store::OutboxMessage& m = outbox[0];
  EXPECT_EQ(m.kind, "bars-response");
  EXPECT_EQ(m.receiver, "https://gp.example.org/fhir/$process-message");
  EXPECT_EQ(m.url, "https://gp.example.org/fhir/$process-message");
  EXPECT_EQ(m.correlationId, "sr1");  // a referral made over REST is its own conversation
  EXPECT_EQ(m.about, "Task/sr1-task");
  EXPECT_EQ(m.origin, "Organization/walking");
  EXPECT_EQ(m.recipient, "Organization/gp");
  const rapidjson::Document bundle = parse(m.body);
  EXPECT_EQ(at(bundle, "/type"), "message");
  const rapidjson::Value& h = header(bundle);
  EXPECT_EQ(at(h, "/resourceType"), "MessageHeader");
  EXPECT_EQ(at(h, "/eventCoding/code"), "servicerequest-response");
  EXPECT_EQ(at(h, "/destination/0/endpoint"), "https://gp.example.org/fhir/$process-message");
  EXPECT_EQ(at(h, "/destination/0/receiver/reference"), "Organization/gp");
  EXPECT_EQ(at(h, "/sender/reference"), "Organization/walking");
  EXPECT_EQ(at(h, "/source/endpoint"), kBase + "/$process-message");
  EXPECT_EQ(at(bundle, "/entry/1/fullUrl"), kBase + "/ServiceRequest/sr1");
  EXPECT_EQ(at(bundle, "/entry/2/fullUrl"), kBase + "/Task/sr1-task");
  EXPECT_EQ(at(bundle, "/entry/2/resource/status"), "accepted");

  // Starting work is no news to the referrer; finishing is.
  ASSERT_EQ(move(kWalking, "sr1-task", "in-progress").status, 200);
  EXPECT_EQ(store_.outbox().size(), 1u);
  ASSERT_EQ(move(kWalking, "sr1-task", "completed").status, 200);
  outbox = store_.outbox();
  ASSERT_EQ(outbox.size(), 2u);
  EXPECT_EQ(at(parse(outbox[1].body), "/entry/2/resource/status"), "completed");
}

TEST_F(DeliveryRulesTest, ContactBeforeAcceptanceTellsTheReferrerOfTheAcceptance) {
  setUpDirectory(2);
  refer("sr1", "HealthcareService/walks");
  ASSERT_EQ(move(kWalking, "sr1-task", "in-progress", "", "first-contact-made").status, 200);
  const auto outbox = store_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].kind, "bars-response");
  EXPECT_EQ(outbox[0].url, "https://gp.example.org/fhir/$process-message");
  EXPECT_EQ(at(parse(outbox[0].body), "/entry/2/resource/status"), "accepted");
}

TEST_F(DeliveryRulesTest, AReferralThatCameByMessageIsAnsweredAtItsReplyAddress) {
  setUpDirectory(2);
  refer("sr1", "HealthcareService/walks");
  // What $process-message records for a referral it received (store/message_store.h).
  store_.inTransaction([](store::StoreTransaction& tx) {
    tx.recordConversation({"sr1", kGp, "https://gp-system.example.org/inbox", "conversation-1",
                           "bars", "request-bundle-1", 1},
                          "request-message-1");
  });
  ASSERT_EQ(move(kWalking, "sr1-task", "rejected", "No places on Tuesdays").status, 200);
  const auto outbox = store_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].url, "https://gp-system.example.org/inbox");
  EXPECT_EQ(outbox[0].correlationId, "conversation-1");
  EXPECT_EQ(outbox[0].recipient, kOds + "|" + kGp);
  const rapidjson::Document bundle = parse(outbox[0].body);
  const rapidjson::Value& h = header(bundle);
  EXPECT_EQ(at(h, "/destination/0/endpoint"), "https://gp-system.example.org/inbox");
  EXPECT_EQ(at(h, "/destination/0/receiver/identifier/value"), kGp);
  EXPECT_EQ(at(h, "/response/identifier"), "request-bundle-1");
  EXPECT_EQ(at(bundle, "/entry/2/resource/status"), "rejected");
}

TEST_F(DeliveryRulesTest, AReceiverThatAsksForReferralsHasThemPushed) {
  setUpDirectory(2);
  mustPut(kAdmin, "Endpoint", "carers-endpoint",
          messagingEndpoint("https://carers.example.org/bars", true));
  mustPut(kAdmin, "Organization", "carers",
          organisation(kCarers, "Carers Circle", "carers-endpoint"));
  refer("sr1", "Organization/carers");
  const auto outbox = store_.outbox();
  ASSERT_EQ(outbox.size(), 1u);
  EXPECT_EQ(outbox[0].kind, "referral-push");
  EXPECT_EQ(outbox[0].url, "https://carers.example.org/bars");
  EXPECT_EQ(outbox[0].about, "ServiceRequest/sr1");
  EXPECT_EQ(outbox[0].recipient, "Organization/carers");
  const rapidjson::Document bundle = parse(outbox[0].body);
  EXPECT_EQ(at(header(bundle), "/eventCoding/code"), "servicerequest-request");
  EXPECT_EQ(at(header(bundle), "/reason/coding/0/code"), "new");
  // The request is kept, so the receiver's response finds its referral.
  const std::string bundleId = at(bundle, "/id");
  EXPECT_TRUE(store_.current("Bundle", bundleId)) << bundleId;
}

TEST_F(DeliveryRulesTest, AMatchingWriteNotifiesTheSubscriptionsThatMaySeeIt) {
  setUpDirectory(2);
  const auto subscription = [](const std::string& criteria, const std::string& endpoint) {
    return R"({"resourceType":"Subscription","status":"requested","reason":"New referrals",)"
           R"("criteria":")" +
           criteria + R"(","channel":{"type":"rest-hook","endpoint":")" + endpoint +
           R"(","payload":"application/fhir+json"}})";
  };
  const Outcome made =
      put(kWalking, "Subscription", "walking-tasks",
          subscription("Task?owner=Organization/walking", "https://walking.example.org/hook"));
  ASSERT_EQ(made.status, 201) << made.diagnostics();
  EXPECT_EQ(at(stored("Subscription", "walking-tasks"), "/status"), "active");
  // The same criteria from an organisation that may not see the Tasks, and other criteria.
  mustPut(kCarers, "Subscription", "prying",
          subscription("Task?owner=Organization/walking", "https://carers.example.org/hook"));
  mustPut(kWalking, "Subscription", "other-owner",
          subscription("Task?owner=Organization/carers", "https://walking.example.org/other"));
  EXPECT_TRUE(store_.outbox().empty());

  refer("sr1", "HealthcareService/walks");  // the workflow makes Task sr1-task for the group
  auto notifications = ofKind(store_.outbox(), "subscription-notification");
  ASSERT_EQ(notifications.size(), 1u);
  const store::OutboxMessage& n = notifications[0];
  EXPECT_EQ(n.url, "https://walking.example.org/hook");
  EXPECT_EQ(n.receiver, "https://walking.example.org/hook");
  EXPECT_EQ(n.correlationId, "walking-tasks");
  EXPECT_EQ(n.about, "Subscription/walking-tasks");
  EXPECT_EQ(n.recipient, kOds + "|" + kWalking);
  const rapidjson::Document bundle = parse(n.body);
  EXPECT_EQ(at(bundle, "/type"), "history");
  EXPECT_EQ(at(bundle, "/entry/0/resource/parameter/0/valueReference/reference"),
            "Subscription/walking-tasks");
  EXPECT_EQ(at(bundle, "/entry/1/fullUrl"), kBase + "/Task/sr1-task");
  EXPECT_EQ(at(bundle, "/entry/1/request/method"), "POST");

  // An update of the Task notifies again (as an update), beside the referrer's response.
  ASSERT_EQ(move(kWalking, "sr1-task", "accepted").status, 200);
  notifications = ofKind(store_.outbox(), "subscription-notification");
  ASSERT_EQ(notifications.size(), 2u);
  EXPECT_EQ(at(parse(notifications[1].body), "/entry/1/request/method"), "PUT");
  EXPECT_EQ(ofKind(store_.outbox(), "bars-response").size(), 1u);
}

TEST_F(DeliveryRulesTest, ASubscriptionOnATypeThatIsNotWatchedIsRefused) {
  setUpDirectory(1);
  const Outcome refused =
      put(kWalking, "Subscription", "patients",
          R"({"resourceType":"Subscription","status":"requested","reason":"People",)"
          R"("criteria":"Patient?family=pryce","channel":{"type":"rest-hook",)"
          R"("endpoint":"https://walking.example.org/hook"}})");
  EXPECT_EQ(refused.status, 422);
  EXPECT_NE(refused.diagnostics().find("Patient is not watched"), std::string::npos)
      << refused.diagnostics();
  EXPECT_FALSE(store_.current("Subscription", "patients"));
}

}  // namespace
}  // namespace sp::testing::rules
