// Cross-check of the validation corpus against the official R4 JSON Schema
// (tests/data/fhir.schema.json.gz): whatever the project's validator takes as valid, the
// schema takes too. And the schema check is a real one: it rejects what R4 forbids.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fhir_json_schema.h"

namespace sp::testing {
namespace {

namespace fs = std::filesystem;

FhirJsonSchema& schema() {
  static FhirJsonSchema s(std::string(SP_SOURCE_DIR) + "/tests/data/fhir.schema.json.gz");
  return s;
}

// Numbers as JSON numbers (fhir::parseJson keeps them as strings, to keep decimals exact; the
// schema checks their JSON type).
rapidjson::Document parse(const std::string& json) {
  rapidjson::Document doc;
  doc.Parse(json.c_str(), json.size());
  EXPECT_FALSE(doc.HasParseError()) << json.substr(0, 200);
  return doc;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(ValidationJsonSchema, EveryValidCorpusResourcePassesTheR4Schema) {
  std::vector<fs::path> files;
  for (const auto& f :
       fs::directory_iterator(std::string(SP_SOURCE_DIR) + "/tests/data/validation/valid")) {
    if (f.path().extension() == ".json") files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 12u);
  for (const auto& file : files) {
    const rapidjson::Document resource = parse(readFile(file));
    EXPECT_EQ(schema().check(resource), "") << file.filename();
  }
}

constexpr const char* kPatient = R"({"resourceType": "Patient", "id": "p1",
  "text": {"status": "generated", "div": "<div xmlns=\"http://www.w3.org/1999/xhtml\">P</div>"},
  "gender": "female", "birthDate": "1950-02-03"})";

TEST(ValidationJsonSchema, AResourceThatR4AllowsPasses) {
  EXPECT_EQ(schema().check(parse(kPatient)), "");
}

TEST(ValidationJsonSchema, AnUnknownElementIsRejected) {
  rapidjson::Document patient = parse(kPatient);
  patient.AddMember("favouriteColour", "blue", patient.GetAllocator());
  const std::string problem = schema().check(patient);
  EXPECT_NE(problem.find("additionalProperties"), std::string::npos) << problem;
  EXPECT_NE(problem.find("#/definitions/Patient"), std::string::npos) << problem;
}

TEST(ValidationJsonSchema, ABadPrimitiveFormatIsRejectedWhereItIs) {
  rapidjson::Document patient = parse(kPatient);
  patient["birthDate"].SetString("1950-13-40");
  const std::string problem = schema().check(patient);
  EXPECT_NE(problem.find("pattern"), std::string::npos) << problem;
  EXPECT_NE(problem.find("document #/birthDate"), std::string::npos) << problem;

  patient["birthDate"].SetString("1950-02-03");
  patient["gender"].SetInt(1);
  EXPECT_NE(schema().check(patient), "");
}

TEST(ValidationJsonSchema, AResourceInsideABundleIsCheckedAsItsOwnType) {
  // The schema picks an entry's definition by its resourceType (const, read as enum): a Patient
  // element on an Observation is unknown there.
  const std::string bundle = R"({"resourceType": "Bundle", "type": "collection", "entry": [
      {"resource": {"resourceType": "Observation", "status": "final",
                    "code": {"text": "weight"}, "gender": "female"}}]})";
  EXPECT_NE(schema().check(parse(bundle)), "");
  const std::string fixed = R"({"resourceType": "Bundle", "type": "collection", "entry": [
      {"resource": {"resourceType": "Observation", "status": "final", "code": {"text": "w"}}}]})";
  EXPECT_EQ(schema().check(parse(fixed)), "");
}

TEST(ValidationJsonSchema, AnUnknownResourceTypeIsNamed) {
  EXPECT_EQ(schema().check(parse(R"({"resourceType": "Referral"})")),
            "the schema defines no resource type Referral");
  EXPECT_EQ(schema().check(parse(R"({"id": "x"})")), "no resourceType");
}

}  // namespace
}  // namespace sp::testing
