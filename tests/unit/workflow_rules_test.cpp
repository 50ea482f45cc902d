// The workflow's write rules (services/workflow_rules.h) on the whole write path, over the
// in-memory store: a referral's Task, places taken and refused (CapacityRefused, 409, kept as a
// refusal), the warm handover accepted, and its expiry by deadline with a clock moved past it.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "rules_test_support.h"

namespace sp::testing::rules {
namespace {

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class WorkflowRulesTest : public RulesTest {
 protected:
  // Expires handover `t2` now, as the sweep does for each one due (in a transaction of its own).
  bool expire(const std::string& t2) {
    bool expired = false;
    store_.inTransaction(
        [&](store::StoreTransaction& tx) { expired = workflow_.expireHandover(api_, tx, t2); });
    return expired;
  }

  // Referral sr1 to Walks, its Task accepted and in progress with the walking group, and the
  // group's handover of it to the carers' circle as Task/h1 (requested).
  void startHandover() {
    setUpDirectory(2);
    refer("sr1", "HealthcareService/walks");
    ASSERT_EQ(move(kWalking, "sr1-task", "accepted").status, 200);
    ASSERT_EQ(move(kWalking, "sr1-task", "in-progress").status, 200);
    const Outcome started =
        put(kWalking, "Task", "h1",
            handover("sr1-task", "sr1", "Organization/walking", "Organization/carers"));
    ASSERT_EQ(started.status, 201) << started.diagnostics();
  }
};

TEST_F(WorkflowRulesTest, AnActiveReferralWithAPerformerGetsItsTask) {
  setUpDirectory(2);
  refer("sr1", "HealthcareService/walks");
  const auto task = store_.current("Task", "sr1-task");
  ASSERT_TRUE(task) << "no Task made for the referral";
  EXPECT_EQ(task->versionId, 1);
  const rapidjson::Document t = parse(task->body);
  EXPECT_EQ(at(t, "/status"), "requested");
  EXPECT_EQ(at(t, "/intent"), "order");
  EXPECT_EQ(at(t, "/code/coding/0/code"), "fulfill");  // HL7's, then the project's
  EXPECT_EQ(at(t, "/code/coding/1/code"), "fulfill-referral");
  EXPECT_EQ(at(t, "/focus/reference"), "ServiceRequest/sr1");
  EXPECT_EQ(at(t, "/for/reference"), "Patient/p");
  EXPECT_EQ(at(t, "/requester/reference"), "Organization/gp");
  // The service's provider owns it, and only the parties see it.
  EXPECT_EQ(at(t, "/owner/reference"), "Organization/walking");
  EXPECT_EQ(at(t, "/meta/tag/0/code"), kGp);
  store_.inReadOnly([](store::StoreTransaction& tx) {
    EXPECT_TRUE(tx.visible("Task", "sr1-task", store::AccessFilter{kWalking, {}}));
    EXPECT_FALSE(tx.visible("Task", "sr1-task", store::AccessFilter{kCarers, {}}));
  });
  EXPECT_EQ(freePlaces("walks"), 2);  // referring takes no place

  // No Task for a referral without a performer, nor for a draft until it becomes active.
  refer("open", "");
  EXPECT_FALSE(store_.current("Task", "open-task"));
  rapidjson::Document draft = parse(referral("Organization/walking"));
  draft["status"].SetString("draft");
  mustPut(kGp, "ServiceRequest", "draft", fhir::writeJson(draft));
  EXPECT_FALSE(store_.current("Task", "draft-task"));
  draft["status"].SetString("active");
  mustPut(kGp, "ServiceRequest", "draft", fhir::writeJson(draft));
  ASSERT_TRUE(store_.current("Task", "draft-task"));
  EXPECT_EQ(at(stored("Task", "draft-task"), "/owner/reference"), "Organization/walking");
}

TEST_F(WorkflowRulesTest, AcceptingTakesAPlaceAndWithoutOneIsRefusedAtOnce) {
  setUpDirectory(1);
  mustPut(kAdmin, "HealthcareService", "park", service("Park walks", "Organization/carers", 10, 3));
  mustPut(kAdmin, "HealthcareService", "full", service("Also full", "Organization/carers", 5, 0));
  refer("sr1", "HealthcareService/walks");
  refer("sr2", "HealthcareService/walks");
  EXPECT_EQ(freePlaces("walks"), 1);

  EXPECT_EQ(move(kWalking, "sr1-task", "accepted").status, 200);
  EXPECT_EQ(freePlaces("walks"), 0);
  EXPECT_EQ(at(stored("HealthcareService", "walks"), "/extension/0/extension/2/valueCode"),
            "no-capacity");

  clock_.advance(std::chrono::seconds(90));
  const Outcome refused = move(kWalking, "sr2-task", "accepted");
  ASSERT_EQ(refused.status, 409) << refused.diagnostics();
  ASSERT_GE(refused.issues.size(), 3u) << refused.diagnostics();
  EXPECT_EQ(refused.issues[0].code, "business-rule");
  EXPECT_EQ(refused.issues[0].expression, "Task.status");
  EXPECT_TRUE(contains(refused.issues[0].diagnostics,
                       "HealthcareService/walks (Walks) has no free place (0 of 10 places free, "
                       "status no-capacity): accepted for Task/sr2-task is refused at once"))
      << refused.diagnostics();
  // The alternatives: the service with a place, not the full one.
  EXPECT_TRUE(contains(refused.issues[1].diagnostics,
                       "Alternative with a free place: HealthcareService/park (Park walks"))
      << refused.diagnostics();
  EXPECT_FALSE(contains(refused.diagnostics(), "HealthcareService/full"));
  EXPECT_EQ(refused.issues.back().diagnostics,
            "Alternatives, nearest first: GET HealthcareService/$alternatives?service=walks"
            "&patient=p");
  // Nothing of the refused move stays; the refusal does.
  EXPECT_EQ(at(stored("Task", "sr2-task"), "/status"), "requested");
  EXPECT_EQ(store_.current("Task", "sr2-task")->versionId, 1);
  EXPECT_EQ(freePlaces("walks"), 0);
  const auto refusals = store_.capacityRefusals();
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].serviceId, "walks");
  EXPECT_EQ(refusals[0].referralId, "sr2");
  EXPECT_EQ(refusals[0].refused, "task");
  EXPECT_EQ(refusals[0].atMillis,
            std::chrono::duration_cast<std::chrono::milliseconds>(clock_.now().time_since_epoch())
                .count());

  // Finishing gives the place back, and the second Task may be accepted.
  EXPECT_EQ(move(kWalking, "sr1-task", "in-progress").status, 200);
  EXPECT_EQ(move(kWalking, "sr1-task", "completed").status, 200);
  EXPECT_EQ(freePlaces("walks"), 1);
  EXPECT_EQ(at(stored("ServiceRequest", "sr1"), "/status"), "completed");  // follows its Task
  EXPECT_EQ(move(kWalking, "sr2-task", "accepted").status, 200);
  EXPECT_EQ(freePlaces("walks"), 0);
}

TEST_F(WorkflowRulesTest, AReferralToAFullServiceIsRefusedAndNotStored) {
  setUpDirectory(0);
  const Outcome refused = put(kGp, "ServiceRequest", "sr1", referral("HealthcareService/walks"));
  ASSERT_EQ(refused.status, 409) << refused.diagnostics();
  EXPECT_EQ(refused.issues[0].expression, "ServiceRequest.performer[0]");
  EXPECT_TRUE(contains(refused.issues[0].diagnostics, "the referral is refused at once"));
  EXPECT_FALSE(store_.current("ServiceRequest", "sr1"));
  EXPECT_FALSE(store_.current("Task", "sr1-task"));
  const auto refusals = store_.capacityRefusals();
  ASSERT_EQ(refusals.size(), 1u);
  EXPECT_EQ(refusals[0].referralId, "sr1");
  EXPECT_EQ(refusals[0].refused, "referral");
}

TEST_F(WorkflowRulesTest, AnAcceptedWarmHandoverMovesTheOriginalTask) {
  startHandover();
  EXPECT_EQ(freePlaces("walks"), 1);
  // While it is pending the sender's Task waits, and the handover has its deadline.
  rapidjson::Document t1 = stored("Task", "sr1-task");
  EXPECT_EQ(at(t1, "/status"), "on-hold");
  EXPECT_EQ(at(t1, "/businessStatus/coding/0/code"), "handover-pending");
  EXPECT_EQ(at(stored("Task", "h1"), "/restriction/period/end"), "2026-11-28T09:00:00.000Z");
  EXPECT_EQ(move(kWalking, "sr1-task", "in-progress").status, 409);  // held still

  const Outcome accepted = move(kCarers, "h1", "accepted");
  ASSERT_EQ(accepted.status, 200) << accepted.diagnostics();
  t1 = stored("Task", "sr1-task");
  EXPECT_EQ(at(t1, "/status"), "completed");
  EXPECT_EQ(at(t1, "/businessStatus/coding/0/code"), "handed-over");
  EXPECT_EQ(at(t1, "/output/0/valueReference/reference"), "Task/h1");
  EXPECT_EQ(at(t1, "/meta/versionId"), "5");  // requested, accepted, in-progress, on hold, done
  EXPECT_EQ(freePlaces("walks"), 2);          // the walking group's place is given back
  EXPECT_EQ(at(stored("ServiceRequest", "sr1"), "/status"), "active");  // still being served
}

TEST_F(WorkflowRulesTest, TheReferrerHearsWhenTheNewProviderCompletesAHandedOverPerson) {
  startHandover();
  const auto responses = [&] {
    std::vector<store::OutboxMessage> out;
    for (const auto& m : store_.outbox()) {
      if (m.kind == "bars-response") out.push_back(m);
    }
    return out;
  };
  ASSERT_EQ(responses().size(), 1u);  // the walking group's acceptance
  ASSERT_EQ(move(kCarers, "h1", "accepted").status, 200);
  ASSERT_EQ(move(kCarers, "h1", "in-progress").status, 200);
  EXPECT_EQ(responses().size(), 1u);  // the handover between the services is not news
  const Outcome completed = move(kCarers, "h1", "completed");
  ASSERT_EQ(completed.status, 200) << completed.diagnostics();
  const auto sent = responses();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].about, "Task/h1");
  EXPECT_EQ(sent[1].url, sent[0].url);  // to the same referrer
}

TEST_F(WorkflowRulesTest, ARejectedHandoverGivesTheSenderItsTaskBackAsItWas) {
  setUpDirectory(2);
  refer("sr1", "HealthcareService/walks");
  ASSERT_EQ(move(kWalking, "sr1-task", "accepted").status, 200);
  ASSERT_EQ(move(kWalking, "sr1-task", "in-progress", "", "first-contact-made").status, 200);
  ASSERT_EQ(put(kWalking, "Task", "h1",
                handover("sr1-task", "sr1", "Organization/walking", "Organization/carers"))
                .status,
            201);
  EXPECT_EQ(at(stored("Task", "sr1-task"), "/businessStatus/coding/0/code"), "handover-pending");

  const Outcome rejected = move(kCarers, "h1", "rejected", "No places for carers this month");
  ASSERT_EQ(rejected.status, 200) << rejected.diagnostics();
  const rapidjson::Document t1 = stored("Task", "sr1-task");
  EXPECT_EQ(at(t1, "/status"), "in-progress");
  // The businessStatus it had before the handover, read back from its history.
  EXPECT_EQ(at(t1, "/businessStatus/coding/0/code"), "first-contact-made");
  EXPECT_NE(at(t1, "/statusReason/text").find("No places for carers this month"), std::string::npos)
      << at(t1, "/statusReason/text");
  EXPECT_EQ(freePlaces("walks"), 1);  // still the walking group's
}

TEST_F(WorkflowRulesTest, ContactBeforeAcceptanceRecordsTheAcceptanceFirst) {
  setUpDirectory(2);
  refer("sr1", "HealthcareService/walks");
  const Outcome contacted = move(kWalking, "sr1-task", "in-progress", "", "first-contact-made");
  ASSERT_EQ(contacted.status, 200) << contacted.diagnostics();
  EXPECT_EQ(contacted.result.version->versionId, 3);
  store_.inReadOnly([](store::StoreTransaction& tx) {
    const auto step = tx.version("Task", "sr1-task", 2);
    ASSERT_TRUE(step);
    EXPECT_EQ(at(step->body, "/status"), "accepted");
  });
  EXPECT_EQ(at(stored("Task", "sr1-task"), "/status"), "in-progress");
  EXPECT_EQ(freePlaces("walks"), 1);  // the acceptance took its place
}

TEST_F(WorkflowRulesTest, AHandoverNotAcceptedByItsDeadlineExpires) {
  startHandover();
  clock_.advance(std::chrono::hours(72));  // the deadline itself: not yet past
  EXPECT_FALSE(expire("h1"));
  EXPECT_EQ(at(stored("Task", "h1"), "/status"), "requested");

  clock_.advance(std::chrono::seconds(1));
  EXPECT_TRUE(expire("h1"));
  rapidjson::Document t2 = stored("Task", "h1");
  EXPECT_EQ(at(t2, "/status"), "cancelled");
  EXPECT_EQ(at(t2, "/statusReason/text"), "not accepted by its deadline 2026-11-28T09:00:00.000Z");
  rapidjson::Document t1 = stored("Task", "sr1-task");
  EXPECT_EQ(at(t1, "/status"), "in-progress");
  EXPECT_EQ(at(t1, "/businessStatus/coding/0/code"), "<none>");  // as before the handover
  EXPECT_EQ(at(stored("ServiceRequest", "sr1"), "/status"), "active");
  EXPECT_FALSE(expire("h1"));  // once
  // The sender goes on with the person.
  EXPECT_EQ(move(kWalking, "sr1-task", "completed").status, 200);
}

TEST_F(WorkflowRulesTest, AnAcceptanceAfterTheDeadlineIsRefused) {
  startHandover();
  clock_.advance(std::chrono::hours(73));
  const Outcome late = move(kCarers, "h1", "accepted");
  EXPECT_EQ(late.status, 409) << late.diagnostics();
  EXPECT_EQ(at(stored("Task", "h1"), "/status"), "requested");
  EXPECT_EQ(at(stored("Task", "sr1-task"), "/status"), "on-hold");
}

TEST_F(WorkflowRulesTest, TheSweepFindsPendingHandoversBySearchAndExpiresThoseDue) {
  startHandover();
  HandoverSweeper sweeper(store_, api_, workflow_, std::chrono::hours(1));  // not started
  EXPECT_EQ(sweeper.sweepOnce(), 0u);
  clock_.advance(std::chrono::hours(73));
  EXPECT_EQ(sweeper.sweepOnce(), 1u);
  EXPECT_EQ(at(stored("Task", "h1"), "/status"), "cancelled");
  EXPECT_EQ(at(stored("Task", "sr1-task"), "/status"), "in-progress");
  EXPECT_EQ(sweeper.sweepOnce(), 0u);
}

}  // namespace
}  // namespace sp::testing::rules
