// Small codecs: base64, query strings, percent-encoding, OperationOutcome and Bundle writing.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "fhir/base64.h"
#include "fhir/bundle_writer.h"
#include "fhir/operation_outcome.h"
#include "rest/rest_types.h"

namespace sp {
namespace {

TEST(Base64, RoundTripAndRejection) {
  for (const std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    EXPECT_EQ(fhir::base64Decode(fhir::base64Encode(s)), s);
  }
  EXPECT_EQ(fhir::base64Encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(fhir::base64Decode("Zm8="), "fo");
  EXPECT_FALSE(fhir::base64Decode("Zm8"));
  EXPECT_FALSE(fhir::base64Decode("Z=8="));
  EXPECT_FALSE(fhir::base64Decode("Zm 8"));
  EXPECT_FALSE(fhir::base64Decode("Zg==Zg=="));
}

TEST(QueryString, DecodesInOrderKeepingRepeats) {
  const rest::QueryParams p = rest::parseQueryString("a=1&b=x%7Cy&a=2&c&d=a+b");
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0], (std::pair<std::string, std::string>{"a", "1"}));
  EXPECT_EQ(p[1].second, "x|y");
  EXPECT_EQ(p[2], (std::pair<std::string, std::string>{"a", "2"}));
  EXPECT_EQ(p[3], (std::pair<std::string, std::string>{"c", ""}));
  EXPECT_EQ(p[4].second, "a b");
  EXPECT_EQ(rest::percentDecode("100%", false), "100%");
  EXPECT_EQ(rest::percentDecode("%zz", false), "%zz");
  EXPECT_EQ(rest::percentEncode("a b&c"), "a%20b%26c");
}

TEST(OperationOutcome, CarriesEveryIssue) {
  const std::string json = fhir::operationOutcomeJson(
      {fhir::Issue{fhir::Severity::kError, "required", "missing", "Task.status"},
       fhir::Issue{fhir::Severity::kWarning, "code-invalid", "odd code", ""}});
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_TRUE(doc.IsObject());
  EXPECT_STREQ(doc["resourceType"].GetString(), "OperationOutcome");
  ASSERT_EQ(doc["issue"].Size(), 2u);
  EXPECT_STREQ(doc["issue"][0]["expression"][0].GetString(), "Task.status");
  EXPECT_STREQ(doc["issue"][1]["severity"].GetString(), "warning");
  EXPECT_FALSE(doc["issue"][1].HasMember("expression"));
}

TEST(BundleWriter, EmbedsRawResources) {
  fhir::BundleEntry e;
  e.fullUrl = "http://x/Patient/1";
  e.resourceJson = R"({"resourceType":"Patient","id":"1","x":1.50})";
  e.searchMode = "match";
  const std::string json = fhir::writeBundle("searchset", "b1", "2026-01-01T00:00:00.000Z", 1,
                                             {{"self", "http://x"}}, {e});
  EXPECT_NE(json.find(R"("resource":{"resourceType":"Patient","id":"1","x":1.50})"),
            std::string::npos)
      << json;
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  ASSERT_TRUE(doc.IsObject());
  EXPECT_EQ(doc["total"].GetInt(), 1);
  EXPECT_STREQ(doc["entry"][0]["search"]["mode"].GetString(), "match");
}

}  // namespace
}  // namespace sp
