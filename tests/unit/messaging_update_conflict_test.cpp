// The BaRS update conflict rule (messaging/update_conflict.h): an update based on a copy older
// than a change made here is refused; the sender's own earlier messages never count against it.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <string>

#include "fhir/ids.h"
#include "fhir/json.h"
#include "messaging/update_conflict.h"

namespace sp::messaging {
namespace {

fhir::TimePoint at(const char* instant) { return *fhir::parseInstant(instant); }

SenderCopy copyOf(const char* json, const std::string& heldId = "sr-1") {
  rapidjson::Document doc;
  fhir::parseJson(json, doc);
  return senderCopyOf(doc, heldId);
}

// Held at version 3, last changed at 10:00; the sender's own latest message wrote version 2.
HeldReferral changedHereAfterTheSender() {
  HeldReferral held;
  held.versionId = 3;
  held.lastUpdated = at("2026-03-02T10:00:00Z");
  held.versionWrittenBySender = 2;
  return held;
}

TEST(UpdateConflict, ReadsVersionAndTimeOfTheSendersCopy) {
  const SenderCopy c =
      copyOf(R"({"resourceType":"ServiceRequest","id":"sr-1",)"
             R"("meta":{"versionId":"4","lastUpdated":"2026-03-02T09:00:00+00:00"}})");
  EXPECT_TRUE(c.hasHeldId);
  ASSERT_TRUE(c.versionId);
  EXPECT_EQ(*c.versionId, 4);
  ASSERT_TRUE(c.lastUpdated);
  EXPECT_EQ(*c.lastUpdated, at("2026-03-02T09:00:00Z"));

  const SenderCopy other =
      copyOf(R"({"resourceType":"ServiceRequest","id":"senders-own","meta":{"versionId":"x1"}})");
  EXPECT_FALSE(other.hasHeldId);
  EXPECT_FALSE(other.versionId);
  EXPECT_FALSE(other.lastUpdated);
}

TEST(UpdateConflict, ACopyWithoutMetaCannotBeCheckedAndIsAccepted) {
  EXPECT_FALSE(
      staleUpdate(copyOf(R"({"resourceType":"ServiceRequest"})"), changedHereAfterTheSender()));
}

TEST(UpdateConflict, AnOlderCopyThanAChangeMadeHereIsAConflict) {
  const auto why = staleUpdate(
      copyOf(R"({"resourceType":"ServiceRequest","meta":{"lastUpdated":"2026-03-02T09:30:00Z"}})"),
      changedHereAfterTheSender());
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("version 3"), std::string::npos) << *why;
}

TEST(UpdateConflict, ACopyNewerThanTheChangeHereIsAccepted) {
  EXPECT_FALSE(staleUpdate(
      copyOf(R"({"resourceType":"ServiceRequest","meta":{"lastUpdated":"2026-03-02T10:05:00Z"}})"),
      changedHereAfterTheSender()));
}

TEST(UpdateConflict, TheSendersOwnLastWriteIsNoConflictWhateverItsTime) {
  HeldReferral held = changedHereAfterTheSender();
  held.versionWrittenBySender = held.versionId;
  EXPECT_FALSE(staleUpdate(
      copyOf(R"({"resourceType":"ServiceRequest","meta":{"lastUpdated":"2020-01-01T00:00:00Z"}})"),
      held));
}

TEST(UpdateConflict, AReferralMadeByRestCountsEveryChangeAsMadeHere) {
  HeldReferral held = changedHereAfterTheSender();
  held.versionWrittenBySender = 0;
  EXPECT_TRUE(staleUpdate(
      copyOf(R"({"resourceType":"ServiceRequest","meta":{"lastUpdated":"2026-03-02T09:59:59Z"}})"),
      held));
}

TEST(UpdateConflict, AReadBackCopyMustBeTheVersionHeldNow) {
  const HeldReferral held = changedHereAfterTheSender();
  EXPECT_TRUE(
      staleUpdate(copyOf(R"({"resourceType":"ServiceRequest","id":"sr-1",)"
                         R"("meta":{"versionId":"2","lastUpdated":"2030-01-01T00:00:00Z"}})"),
                  held));
  EXPECT_FALSE(staleUpdate(
      copyOf(R"({"resourceType":"ServiceRequest","id":"sr-1","meta":{"versionId":"3"}})"), held));
  // The sender's own id with a version number: that version is the sender's, not ours.
  EXPECT_FALSE(staleUpdate(copyOf(R"({"resourceType":"ServiceRequest","id":"mine",)"
                                  R"("meta":{"versionId":"1"}})"),
                           held));
}

}  // namespace
}  // namespace sp::messaging
