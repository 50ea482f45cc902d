// The golden corpus in tests/data/validation/: each valid resource passes with no issue at all;
// each invalid one yields exactly the issues in its .expected.json (severity, code, location).
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "fhir/definitions.h"
#include "fhir/json.h"
#include "validation/validator.h"

namespace sp::validation {
namespace {

namespace fs = std::filesystem;

const fhir::Definitions& definitions() {
  static const fhir::Definitions defs =
      fhir::Definitions::load(std::string(SP_SOURCE_DIR) + "/fhir-profiles");
  return defs;
}

const Validator& validator() {
  static const Validator v(definitions());
  return v;
}

std::string readFile(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> describe(std::vector<fhir::Issue> issues) {
  std::vector<std::string> out;
  for (const auto& i : issues) {
    out.push_back(i.expression + " " + i.code + " " + fhir::severityCode(i.severity));
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<fs::path> corpus(const std::string& folder) {
  std::vector<fs::path> files;
  for (const auto& f :
       fs::directory_iterator(std::string(SP_SOURCE_DIR) + "/tests/data/validation/" + folder)) {
    const std::string name = f.path().filename().string();
    if (f.path().extension() == ".json" && name.find(".expected.") == std::string::npos) {
      files.push_back(f.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<fhir::Issue> validateFile(const fs::path& path, rapidjson::Document& doc) {
  fhir::parseJson(readFile(path), doc);
  return validator().validate(doc);
}

TEST(ValidationCorpus, ValidResourcesHaveNoIssues) {
  const auto files = corpus("valid");
  ASSERT_GE(files.size(), 12u);
  for (const auto& file : files) {
    rapidjson::Document doc;
    const auto issues = describe(validateFile(file, doc));
    EXPECT_TRUE(issues.empty()) << file.filename() << ":\n  " << ::testing::PrintToString(issues);
  }
}

TEST(ValidationCorpus, InvalidResourcesHaveExactlyTheExpectedIssues) {
  const auto files = corpus("invalid");
  ASSERT_GE(files.size(), 25u);
  for (const auto& file : files) {
    rapidjson::Document doc;
    const auto actual = describe(validateFile(file, doc));
    fs::path expectedPath = file;
    expectedPath.replace_extension(".expected.json");
    rapidjson::Document expectedDoc;
    fhir::parseJson(readFile(expectedPath), expectedDoc);
    std::vector<fhir::Issue> expectedIssues;
    for (const auto& e : expectedDoc.GetArray()) {
      const std::string severity = fhir::getString(e, "severity");
      expectedIssues.push_back(
          fhir::Issue{severity == "warning" ? fhir::Severity::kWarning : fhir::Severity::kError,
                      fhir::getString(e, "code"), "", fhir::getString(e, "expression")});
    }
    EXPECT_EQ(actual, describe(expectedIssues)) << file.filename();
  }
}

TEST(ValidationCorpus, FewInvariantsAreSkipped) {
  for (const auto& s : validator().skippedInvariants()) std::cout << "skipped: " << s << "\n";
  EXPECT_LE(validator().skippedInvariants().size(), 10u);
}

// validateCore: R4's own definition only. A HealthcareService lacking what the project's
// required directory-entry profile asks for is still valid R4; a wrong JSON type is not.
TEST(ValidatorCore, ChecksTheCoreDefinitionOnly) {
  rapidjson::Document service;
  fhir::parseJson(R"({"resourceType":"HealthcareService","name":"Walks",
    "identifier":[{"system":"https://fhir.nhs.uk/Id/dos-service-id","value":"9"}]})",
                  service);
  EXPECT_TRUE(Validator::hasErrors(validator().validate(service)));
  EXPECT_FALSE(Validator::hasErrors(validator().validateCore(service)));
  rapidjson::Document patient;
  fhir::parseJson(R"({"resourceType":"Patient","birthDate":19840412})", patient);
  const auto issues = validator().validateCore(patient);
  ASSERT_TRUE(Validator::hasErrors(issues));
  EXPECT_EQ(issues.front().expression, "Patient.birthDate");
  rapidjson::Document unknown;
  fhir::parseJson(R"({"resourceType":"Robot"})", unknown);
  EXPECT_TRUE(Validator::hasErrors(validator().validateCore(unknown)));
}

}  // namespace
}  // namespace sp::validation
