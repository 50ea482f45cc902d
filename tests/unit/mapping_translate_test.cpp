// Translation through one ConceptMap, with the semantics of R4 $translate: forward, reverse,
// unmapped, several matches, dependsOn, target system, the group's unmapped modes.
#include <gtest/gtest.h>

#include <string>

#include "fhir/json.h"
#include "mapping/translate.h"

namespace sp::mapping {
namespace {

const char* kWords = "https://partner.example.org/CodeSystem/status";
const char* kBusiness =
    "https://fhir.social-prescribing.example.org/CodeSystem/task-business-status";
const char* kTaskStatus = "http://hl7.org/fhir/task-status";

ConceptMap mapOf(const std::string& text) {
  rapidjson::Document doc;
  fhir::parseJson(text, doc);
  return parseConceptMap(doc);
}

// A partner's status words to two target systems, like mappings/ConceptMap-vcse-case-status.
const ConceptMap& statusMap() {
  static const ConceptMap map = mapOf(std::string(R"({"resourceType": "ConceptMap",
    "url": "https://example.org/ConceptMap/status", "status": "active", "group": [
    {"source": ")") + kWords + R"(", "target": ")" +
                                      kBusiness + R"(", "element": [
      {"code": "Contacted", "target": [{"code": "first-contact-made", "display": "First contact made",
                                        "equivalence": "equivalent"}]},
      {"code": "Engaged", "target": [{"code": "attending", "equivalence": "equivalent"}]},
      {"code": "Waiting", "target": [{"equivalence": "unmatched", "comment": "no such step"}]},
      {"code": "Lost", "target": [{"code": "discharged", "equivalence": "disjoint"}]}]},
    {"source": ")" + kWords + R"(", "target": ")" +
                                      kTaskStatus + R"(", "element": [
      {"code": "Contacted", "target": [{"code": "in-progress", "equivalence": "wider"}]},
      {"code": "Engaged", "target": [{"code": "in-progress", "equivalence": "wider"}]}]}]})");
  return map;
}

// One source code with several targets, chosen by the message's reason (like BaRS events).
const ConceptMap& eventMap() {
  static const ConceptMap map = mapOf(R"({"resourceType": "ConceptMap",
    "url": "https://example.org/ConceptMap/events", "status": "active", "group": [
    {"source": "http://bars", "target": "http://ours", "element": [
      {"code": "request", "target": [
        {"code": "referral", "equivalence": "narrower", "comment": "when new",
         "dependsOn": [{"property": "MessageHeader.reason", "system": "http://reason", "value": "new"}]},
        {"code": "cancel", "equivalence": "narrower", "comment": "when delete",
         "dependsOn": [{"property": "MessageHeader.reason", "system": "http://reason", "value": "delete"}]}]}]}]})");
  return map;
}

std::vector<Match> forward(const ConceptMap& map, const std::string& system,
                           const std::string& code, const std::string& targetSystem = "") {
  TranslateQuery q;
  q.system = system;
  q.code = code;
  q.targetSystem = targetSystem;
  return translate(map, q);
}

TEST(MappingTranslate, ForwardGivesEveryTargetSystemsMatch) {
  const auto matches = forward(statusMap(), kWords, "Contacted");
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].concept.system, kBusiness);
  EXPECT_EQ(matches[0].concept.code, "first-contact-made");
  EXPECT_EQ(matches[0].concept.display, "First contact made");
  EXPECT_EQ(matches[0].equivalence, Equivalence::kEquivalent);
  EXPECT_EQ(matches[0].mapUrl, "https://example.org/ConceptMap/status");
  EXPECT_EQ(matches[1].concept.system, kTaskStatus);
  EXPECT_EQ(matches[1].concept.code, "in-progress");
  EXPECT_EQ(matches[1].equivalence, Equivalence::kWider);
  EXPECT_TRUE(anyTranslation(matches));
}

TEST(MappingTranslate, TargetSystemNarrowsTheGroups) {
  const auto matches = forward(statusMap(), kWords, "Contacted", kTaskStatus);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].concept.code, "in-progress");
  EXPECT_TRUE(forward(statusMap(), kWords, "Contacted", "http://elsewhere").empty());
}

TEST(MappingTranslate, ACodeOfAnotherSystemOrNotListedHasNoMatch) {
  EXPECT_TRUE(forward(statusMap(), "http://other", "Contacted").empty());
  const auto matches = forward(statusMap(), kWords, "Archived");
  EXPECT_TRUE(matches.empty());
  EXPECT_FALSE(anyTranslation(matches));
}

TEST(MappingTranslate, UnmatchedAndDisjointAreMatchesThatDoNotTranslate) {
  const auto waiting = forward(statusMap(), kWords, "Waiting");
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].equivalence, Equivalence::kUnmatched);
  EXPECT_TRUE(waiting[0].concept.code.empty());
  EXPECT_EQ(waiting[0].comment, "no such step");
  EXPECT_FALSE(anyTranslation(waiting));
  const auto lost = forward(statusMap(), kWords, "Lost");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].equivalence, Equivalence::kDisjoint);
  EXPECT_FALSE(anyTranslation(lost));
}

TEST(MappingTranslate, ReverseFindsTheSourceCodesWithTheEquivalenceSeenFromTheTarget) {
  TranslateQuery q;
  q.system = kBusiness;
  q.code = "first-contact-made";
  q.reverse = true;
  auto matches = translate(statusMap(), q);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].concept.system, kWords);
  EXPECT_EQ(matches[0].concept.code, "Contacted");
  EXPECT_EQ(matches[0].equivalence, Equivalence::kEquivalent);

  q.system = kTaskStatus;
  q.code = "in-progress";
  matches = translate(statusMap(), q);
  ASSERT_EQ(matches.size(), 2u);  // two words map to in-progress
  EXPECT_EQ(matches[0].concept.code, "Contacted");
  EXPECT_EQ(matches[1].concept.code, "Engaged");
  EXPECT_EQ(matches[0].equivalence, Equivalence::kNarrower);  // mapped `wider`
  // Reverse looks at targets, not sources.
  q.system = kWords;
  q.code = "Contacted";
  EXPECT_TRUE(translate(statusMap(), q).empty());
}

TEST(MappingTranslate, SeveralMatchesWithoutDependencies) {
  const auto matches = forward(eventMap(), "http://bars", "request");
  ASSERT_EQ(matches.size(), 2u);
  EXPECT_EQ(matches[0].concept.code, "referral");
  EXPECT_EQ(matches[1].concept.code, "cancel");
}

TEST(MappingTranslate, DependenciesChooseAmongTargets) {
  Dependencies deps;
  deps.byProperty["MessageHeader.reason"] = {{"http://reason", "delete", ""}};
  TranslateQuery q;
  q.system = "http://bars";
  q.code = "request";
  q.dependencies = &deps;
  auto matches = translate(eventMap(), q);
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].concept.code, "cancel");
  // A value of another system does not meet the condition; no value meets none.
  deps.byProperty["MessageHeader.reason"] = {{"http://elsewhere", "delete", ""}};
  EXPECT_TRUE(translate(eventMap(), q).empty());
  deps.byProperty.clear();
  EXPECT_TRUE(translate(eventMap(), q).empty());
}

TEST(MappingTranslate, UnmappedModesOfTheGroup) {
  const ConceptMap provided =
      mapOf(R"({"resourceType": "ConceptMap", "url": "https://example.org/p",
    "status": "active", "group": [{"source": "http://a", "target": "http://b",
      "element": [{"code": "x", "target": [{"code": "y", "equivalence": "equal"}]}],
      "unmapped": {"mode": "provided"}}]})");
  auto matches = forward(provided, "http://a", "q");
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].concept.system, "http://b");
  EXPECT_EQ(matches[0].concept.code, "q");
  EXPECT_EQ(matches[0].equivalence, Equivalence::kEqual);

  const ConceptMap fixed = mapOf(R"({"resourceType": "ConceptMap", "url": "https://example.org/f",
    "status": "active", "group": [{"source": "http://a", "target": "http://b",
      "element": [{"code": "x", "target": [{"code": "y", "equivalence": "equal"}]}],
      "unmapped": {"mode": "fixed", "code": "other", "display": "Other"}}]})");
  matches = forward(fixed, "http://a", "q");
  ASSERT_EQ(matches.size(), 1u);
  EXPECT_EQ(matches[0].concept.code, "other");
  EXPECT_EQ(matches[0].equivalence, Equivalence::kInexact);
  // A listed code still maps as listed.
  EXPECT_EQ(forward(fixed, "http://a", "x")[0].concept.code, "y");
}

}  // namespace
}  // namespace sp::mapping
