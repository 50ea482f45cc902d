// Directory entries held without the hub's details (issue 17): what an entry lacks, and the
// hub-derived directory-unassured tag that goes on while it lacks something and comes off once
// it is complete.
#include <gtest/gtest.h>

#include "workflow/derived.h"
#include "workflow/directory_entry.h"
#include "workflow_test_support.h"

namespace sp::workflow {
namespace {

using testing::json;
using testing::text;

const std::string kSd = "https://fhir.social-prescribing.example.org/StructureDefinition/";
const std::string kCapacity = R"({"url":")" + kSd +
                              R"(capacity","extension":[{"url":"total","valueUnsignedInt":12},)"
                              R"({"url":"free","valueUnsignedInt":4}]})";
const std::string kTier =
    R"({"url":")" + kSd +
    R"(governance-tier","valueCoding":{"system":"https://fhir.social-)"
    R"(prescribing.example.org/CodeSystem/governance-tier","code":"tier-1"}})";
const std::string kReviewed = R"({"url":")" + kSd + R"(last-reviewed","valueDate":"2026-10-14"})";

std::string entry(const std::vector<std::string>& extensions, const std::string& more = "") {
  std::string out = R"({"resourceType":"HealthcareService",)" + more;
  if (!extensions.empty()) {
    out += R"("extension":[)";
    for (std::size_t i = 0; i < extensions.size(); ++i) out += (i ? "," : "") + extensions[i];
    out += "],";
  }
  return out + R"("name":"Family Counseling Services"})";
}

TEST(WorkflowDirectoryEntry, GapsAreWhatTheEntryLacks) {
  const DirectoryGaps none = directoryGaps(json(entry({})));
  EXPECT_TRUE(none.capacityUnknown && none.unassured && none.neverReviewed);
  EXPECT_EQ(describeGaps(none), "capacity unknown, not yet assured, never reviewed");
  const DirectoryGaps tierOnly = directoryGaps(json(entry({kTier})));
  EXPECT_TRUE(tierOnly.capacityUnknown && tierOnly.neverReviewed);
  EXPECT_FALSE(tierOnly.unassured);
  EXPECT_EQ(describeGaps(tierOnly), "capacity unknown, never reviewed");
  const DirectoryGaps all = directoryGaps(json(entry({kCapacity, kTier, kReviewed})));
  EXPECT_FALSE(all.any());
  EXPECT_EQ(describeGaps(all), "");
  EXPECT_FALSE(directoryGaps(json("[]")).any());
}

TEST(WorkflowDirectoryEntry, AnIncompleteEntryIsTaggedOnceWithAnInformationalIssue) {
  rapidjson::Document service = json(entry({kReviewed}));
  const auto issue = markDirectoryGaps(service);
  ASSERT_TRUE(issue);
  EXPECT_EQ(issue->severity, fhir::Severity::kInformation);
  EXPECT_EQ(issue->code, "informational");
  EXPECT_NE(issue->diagnostics.find("capacity unknown, not yet assured"), std::string::npos);
  EXPECT_EQ(issue->diagnostics.find("never reviewed"), std::string::npos);
  EXPECT_TRUE(wasDerived(service, "directory-unassured"));
  ASSERT_TRUE(markDirectoryGaps(service));  // again: still one tag
  EXPECT_EQ(service["meta"]["tag"].Size(), 1u);
  EXPECT_EQ(text(service["meta"]["tag"][0]),
            R"({"system":"https://fhir.social-prescribing.example.org/CodeSystem/hub-derived",)"
            R"("code":"directory-unassured"})");
}

TEST(WorkflowDirectoryEntry, TheTagGoesOnceTheEntryIsComplete) {
  // An update that completes the entry, carrying the tag (and another one) from the copy it read.
  rapidjson::Document service = json(
      entry({kCapacity, kTier, kReviewed},
            R"("meta":{"tag":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/)"
            R"(hub-derived","code":"directory-unassured"},{"system":"urn:x","code":"keep"}]},)"));
  EXPECT_FALSE(markDirectoryGaps(service));
  EXPECT_FALSE(wasDerived(service, "directory-unassured"));
  EXPECT_EQ(text(service["meta"]), R"({"tag":[{"system":"urn:x","code":"keep"}]})");
  // With nothing else in meta, meta goes too (R4 allows no empty object).
  rapidjson::Document alone = json(
      entry({kCapacity, kTier, kReviewed},
            R"("meta":{"tag":[{"system":"https://fhir.social-prescribing.example.org/CodeSystem/)"
            R"(hub-derived","code":"directory-unassured"}]},)"));
  EXPECT_FALSE(markDirectoryGaps(alone));
  EXPECT_FALSE(alone.HasMember("meta"));
  // A complete entry without the tag is left as it is.
  rapidjson::Document complete = json(entry({kCapacity, kTier, kReviewed}));
  EXPECT_FALSE(markDirectoryGaps(complete));
  EXPECT_FALSE(complete.HasMember("meta"));
}

TEST(WorkflowDirectoryEntry, AFullUpdateKeepsTheHubsDetailsItDoesNotCarry) {
  const rapidjson::Document stored = json(entry({kCapacity, kTier, kReviewed}));
  // A partner's system that knows nothing of the project's extensions, but has its own.
  rapidjson::Document incoming = json(entry({R"({"url":"urn:x","valueBoolean":true})"}));
  EXPECT_EQ(keepDirectoryDetails(stored, incoming),
            (std::vector<std::string>{"capacity", "governance-tier", "last-reviewed"}));
  EXPECT_FALSE(directoryGaps(incoming).any());
  EXPECT_EQ(incoming["extension"].Size(), 4u);
  EXPECT_EQ(text(incoming["extension"][1]), text(json(kCapacity)));
  // What the update carries wins; nothing is added to an entry that had nothing.
  rapidjson::Document newTier = json(entry({kTier}));
  EXPECT_EQ(keepDirectoryDetails(stored, newTier),
            (std::vector<std::string>{"capacity", "last-reviewed"}));
  EXPECT_EQ(newTier["extension"].Size(), 3u);
  rapidjson::Document plain = json(entry({}));
  EXPECT_TRUE(keepDirectoryDetails(json(entry({})), plain).empty());
  EXPECT_FALSE(plain.HasMember("extension"));
}

}  // namespace
}  // namespace sp::workflow
