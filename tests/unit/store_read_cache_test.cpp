#include <gtest/gtest.h>

#include "store/read_cache.h"

namespace sp::store {
namespace {

ResourceVersion versionOf(const std::string& type, const std::string& id, std::int64_t n) {
  ResourceVersion v;
  v.type = type;
  v.id = id;
  v.versionId = n;
  v.body = "{\"resourceType\":\"" + type + "\",\"id\":\"" + id + "\"}";
  return v;
}

TEST(ReadCache, UnknownUntilRemembered) {
  ReadCache cache;
  EXPECT_EQ(cache.current("Patient", "p1"), nullptr);
  cache.rememberCurrent("Patient", "p1", versionOf("Patient", "p1", 3));
  ASSERT_NE(cache.current("Patient", "p1"), nullptr);
  EXPECT_EQ((*cache.current("Patient", "p1"))->versionId, 3);
  EXPECT_EQ(cache.current("Patient", "p2"), nullptr);
  EXPECT_EQ(cache.current("Task", "p1"), nullptr);
}

TEST(ReadCache, RemembersThatSomethingDoesNotExist) {
  ReadCache cache;
  cache.rememberCurrent("Task", "t1", std::nullopt);
  const auto* known = cache.current("Task", "t1");
  ASSERT_NE(known, nullptr);
  EXPECT_FALSE(known->has_value());
}

TEST(ReadCache, AWriteBecomesTheCurrentVersion) {
  ReadCache cache;
  cache.rememberCurrent("Task", "t1", std::nullopt);
  cache.wrote(versionOf("Task", "t1", 1));
  ASSERT_TRUE(cache.current("Task", "t1")->has_value());
  EXPECT_EQ((*cache.current("Task", "t1"))->versionId, 1);
  cache.wrote(versionOf("Task", "t1", 2));
  EXPECT_EQ((*cache.current("Task", "t1"))->versionId, 2);
}

TEST(ReadCache, AWriteForgetsTheIdentifierLookUpsOfItsTypeOnly) {
  ReadCache cache;
  const IdentifierToken nhs{"https://fhir.nhs.uk/Id/nhs-number", "9000000009"};
  const IdentifierToken ods{"https://fhir.nhs.uk/Id/ods-organization-code", "A81001"};
  cache.rememberIdentified("Patient", nhs, {});
  cache.rememberIdentified("Organization", ods, {"o1"});
  cache.wrote(versionOf("Patient", "p9", 1));
  EXPECT_EQ(cache.identified("Patient", nhs), nullptr);
  ASSERT_NE(cache.identified("Organization", ods), nullptr);
  EXPECT_EQ(*cache.identified("Organization", ods), std::vector<std::string>{"o1"});
}

TEST(ReadCache, IdentifierLookUpsDependOnSystemAndValue) {
  ReadCache cache;
  cache.rememberIdentified("Organization", {"", "A81001"}, {"o1", "o2"});
  EXPECT_EQ(
      cache.identified("Organization", {"https://fhir.nhs.uk/Id/ods-organization-code", "A81001"}),
      nullptr);
  EXPECT_EQ(cache.identified("Organization", {"", "A81002"}), nullptr);
  EXPECT_EQ(cache.identified("Organization", {"", "A81001"})->size(), 2u);
}

TEST(ReadCache, ForgettingIdentifiersKeepsVersions) {
  ReadCache cache;
  cache.rememberIdentified("Patient", {"", "9000000009"}, {"p1"});
  cache.rememberCurrent("Patient", "p1", versionOf("Patient", "p1", 1));
  cache.forgetIdentifiers();
  EXPECT_EQ(cache.identified("Patient", {"", "9000000009"}), nullptr);
  EXPECT_NE(cache.current("Patient", "p1"), nullptr);
  cache.clear();
  EXPECT_EQ(cache.current("Patient", "p1"), nullptr);
}

}  // namespace
}  // namespace sp::store
