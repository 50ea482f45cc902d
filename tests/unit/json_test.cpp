#include "fhir/json.h"

#include <gtest/gtest.h>

#include "fhir/errors.h"

namespace sp::fhir {
namespace {

std::string roundTrip(const std::string& text) {
  rapidjson::Document doc;
  parseJson(text, doc);
  return writeJson(doc);
}

ErrorKind parseError(const std::string& text, std::size_t depth = 64) {
  rapidjson::Document doc;
  try {
    parseJson(text, doc, JsonLimits{depth});
  } catch (const FhirError& e) {
    return e.kind();
  }
  return ErrorKind::kInternal;  // parsed: not what the caller expected
}

TEST(Json, DecimalsKeepTheirPrecision) {
  EXPECT_EQ(roundTrip(R"({"a":1.50,"b":0.10,"c":-2.000,"d":1e3,"e":1.0E-7})"),
            R"({"a":1.50,"b":0.10,"c":-2.000,"d":1e3,"e":1.0E-7})");
}

TEST(Json, IntegersAreInt64AndHugeOnesStayExact) {
  rapidjson::Document doc;
  parseJson(R"({"n":42,"big":123456789012345678901234567890})", doc);
  EXPECT_TRUE(doc["n"].IsInt64());
  EXPECT_EQ(doc["n"].GetInt64(), 42);
  EXPECT_TRUE(isDecimal(doc["big"]));
  EXPECT_EQ(numberText(doc["big"]), "123456789012345678901234567890");
  EXPECT_EQ(writeJson(doc), R"({"n":42,"big":123456789012345678901234567890})");
}

TEST(Json, DecimalAccessors) {
  rapidjson::Document doc(rapidjson::kObjectType);
  setMember(doc, "v", makeDecimal("3.140", doc.GetAllocator()), doc.GetAllocator());
  EXPECT_TRUE(isDecimal(doc["v"]));
  EXPECT_EQ(numberText(doc["v"]), "3.140");
  EXPECT_EQ(getString(doc, "v"), "");  // a decimal is not a string
  EXPECT_EQ(writeJson(doc), R"({"v":3.140})");
}

TEST(Json, StringsAndStructureRoundTrip) {
  const std::string text = R"({"s":"a\"b\\c\n\u00e9","arr":[true,false,null,{}],"o":{"x":[]}})";
  EXPECT_EQ(roundTrip(text),
            "{\"s\":\"a\\\"b\\\\c\\n\xc3\xa9\",\"arr\":[true,false,null,{}],\"o\":{\"x\":[]}}");
}

TEST(Json, RejectsMalformedInput) {
  EXPECT_EQ(parseError("{"), ErrorKind::kInvalid);
  EXPECT_EQ(parseError(""), ErrorKind::kInvalid);
  EXPECT_EQ(parseError("{} {}"), ErrorKind::kInvalid);
  EXPECT_EQ(parseError("{\"a\":01}"), ErrorKind::kInvalid);
  EXPECT_EQ(parseError("\xff\xfe"), ErrorKind::kInvalid);
  EXPECT_EQ(parseError("{\"a\":\"\xc3\x28\"}"), ErrorKind::kInvalid);  // invalid UTF-8
}

TEST(Json, RejectsDuplicateMembersAndControlCharacters) {
  EXPECT_EQ(parseError(R"({"a":1,"a":2})"), ErrorKind::kInvalid);
  EXPECT_EQ(parseError(R"({"a":{"b":1,"b":1}})"), ErrorKind::kInvalid);
  EXPECT_EQ(parseError("{\"a\":\"x\\u0000y\"}"), ErrorKind::kInvalid);
  EXPECT_EQ(parseError("{\"a\":\"x\\u0001y\"}"), ErrorKind::kInvalid);
  // The same name in sibling objects is fine.
  EXPECT_EQ(parseError(R"({"a":{"b":1},"c":{"b":1}})"), ErrorKind::kInternal);
  // Tabs and newlines are allowed in FHIR strings.
  EXPECT_EQ(parseError("{\"a\":\"x\\ty\\nz\"}"), ErrorKind::kInternal);
}

TEST(Json, FindsADuplicateNameInALargeObjectOrDeepInArrays) {
  std::string large = "{";
  for (int i = 0; i < 40; ++i) large += "\"k" + std::to_string(i) + "\":" + std::to_string(i) + ",";
  EXPECT_EQ(parseError(large + "\"z\":0}"), ErrorKind::kInternal);
  EXPECT_EQ(parseError(large + "\"k7\":0}"), ErrorKind::kInvalid);
  EXPECT_EQ(parseError(R"({"a":[{"b":[{"c":1,"d":2,"c":3}]}]})"), ErrorKind::kInvalid);
  EXPECT_EQ(parseError(R"([{"c":1},{"c":2}])"), ErrorKind::kInternal);
}

TEST(Json, RejectsInvalidUtf8IncludingEscapedLoneSurrogates) {
  EXPECT_EQ(parseError("{\"a\":\"\xFF\"}"), ErrorKind::kInvalid);
  EXPECT_EQ(parseError("{\"\xC3\x28\":1}"), ErrorKind::kInvalid);
  EXPECT_EQ(parseError(R"({"a":"\udc00"})"), ErrorKind::kInvalid);  // low surrogate alone
  EXPECT_EQ(parseError(R"({"\ud800x":1})"), ErrorKind::kInvalid);   // high surrogate alone
  EXPECT_EQ(roundTrip(R"({"a":"\ud83d\ude00"})"), "{\"a\":\"\xF0\x9F\x98\x80\"}");  // a pair
}

TEST(Json, EnforcesDepthLimit) {
  std::string ok = "{\"a\":[[[1]]]}";  // depth 4
  EXPECT_EQ(parseError(ok, 4), ErrorKind::kInternal);
  EXPECT_EQ(parseError(ok, 3), ErrorKind::kInvalid);
  std::string deep(100000, '[');  // iterative parsing: no stack overflow, a clean error
  EXPECT_EQ(parseError(deep), ErrorKind::kInvalid);
}

TEST(Json, ErrorNamesTheOffset) {
  rapidjson::Document doc;
  try {
    parseJson(R"({"a":1,})", doc);
    FAIL();
  } catch (const FhirError& e) {
    EXPECT_NE(std::string(e.what()).find("offset 7"), std::string::npos) << e.what();
    EXPECT_EQ(e.issues().front().code, "structure");
  }
}

}  // namespace
}  // namespace sp::fhir
