#include "fhir/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace sp::fhir {
namespace {

TEST(Ids, ValidIdSyntax) {
  EXPECT_TRUE(isValidId("abc-123.X"));
  EXPECT_TRUE(isValidId(std::string(64, 'a')));
  EXPECT_FALSE(isValidId(std::string(65, 'a')));
  EXPECT_FALSE(isValidId(""));
  EXPECT_FALSE(isValidId("a_b"));
  EXPECT_FALSE(isValidId("a/b"));
  EXPECT_FALSE(isValidId("a b"));
  EXPECT_FALSE(isValidId("' OR 1=1"));
}

TEST(Ids, Etags) {
  EXPECT_EQ(weakEtag(3), "W/\"3\"");
  EXPECT_EQ(parseEtagVersion("W/\"3\""), 3);
  EXPECT_EQ(parseEtagVersion("\"12\""), 12);
  EXPECT_EQ(parseEtagVersion("7"), 7);
  EXPECT_EQ(parseEtagVersion(" W/\"5\" "), 5);
  EXPECT_FALSE(parseEtagVersion("W/\"x\""));
  EXPECT_FALSE(parseEtagVersion(""));
  EXPECT_FALSE(parseEtagVersion("W/\"\""));
  EXPECT_FALSE(parseEtagVersion("99999999999999999999"));
}

TEST(Ids, InstantsFormatAndParse) {
  const TimePoint t = *parseInstant("2026-11-25T12:34:56.789Z");
  EXPECT_EQ(formatInstant(t), "2026-11-25T12:34:56.789Z");
  EXPECT_EQ(formatHttpDate(t), "Wed, 25 Nov 2026 12:34:56 GMT");
  EXPECT_EQ(formatInstant(*parseInstant("2026-11-25T13:34:56.789+01:00")),
            "2026-11-25T12:34:56.789Z");
  EXPECT_EQ(formatInstant(*parseInstant("2026-11-25")), "2026-11-25T00:00:00.000Z");
  EXPECT_EQ(formatInstant(*parseInstant("2026-11-25T12:00:00.5Z")), "2026-11-25T12:00:00.500Z");
}

TEST(Ids, InvalidInstantsAreRefused) {
  for (const char* bad : {"", "yesterday", "2026-13-01", "2026-11-25T12:00:00",
                          "2026-11-25T25:00:00Z", "2026-11-25T12:00:00.Z",
                          "2026-11-25T12:00:00+1:00", "2999-01-01", "2026-11-25T12:00:00Zjunk"}) {
    EXPECT_FALSE(parseInstant(bad)) << bad;
  }
}

TEST(Ids, InstantsInMillisecondsRunFromYear1To9999) {
  EXPECT_EQ(parseInstantMillis("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parseInstantMillis("2026-11-25T13:34:56.789+01:00"), 1795610096789);
  EXPECT_EQ(parseInstantMillis("9999-12-31T23:59:59.999Z"), 253402300799999);
  EXPECT_EQ(parseInstantMillis("0001-01-01"), -62135596800000);
  EXPECT_FALSE(parseInstantMillis("0000-01-01"));
  EXPECT_FALSE(parseInstantMillis("9999-12-31T24:00:00Z"));
  EXPECT_FALSE(parseInstant("2262-04-10T00:00:00Z"));  // past what a TimePoint holds
}

TEST(Ids, UuidsAreVersion4AndDistinct) {
  UuidGenerator gen;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = gen.newId();
    EXPECT_TRUE(isUuid(id)) << id;
    EXPECT_EQ(id[14], '4');
    EXPECT_TRUE(isValidId(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_FALSE(isUuid("not-a-uuid"));
}

}  // namespace
}  // namespace sp::fhir
