// What the Open Referral UK mapping makes is valid R4 and, once the hub has tagged it as it does
// on every write (workflow/directory_entry.h), meets sp-directory-entry: the upstream full
// example, every one of the 128 permutations, and the v1 page.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "fhir/definitions.h"
#include "fhir/json.h"
#include "mapping/oruk_page.h"
#include "mapping/oruk_service.h"
#include "validation/validator.h"
#include "workflow/directory_entry.h"

namespace sp::mapping {
namespace {

rapidjson::Document readJson(const std::string& relative) {
  std::ifstream in(std::string(SP_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  rapidjson::Document doc;
  fhir::parseJson(text.str(), doc);
  return doc;
}

const validation::Validator& validator() {
  static const fhir::Definitions defs =
      fhir::Definitions::load(std::string(SP_SOURCE_DIR) + "/fhir-profiles");
  static const validation::Validator v(defs);
  return v;
}

OrukFeed feed(OrukVersion version) {
  OrukFeed f =
      parseOrukFeed("northvale-council", readJson("mappings/feeds/northvale-council.json"));
  f.version = version;
  return f;
}

std::string errors(const std::vector<fhir::Issue>& issues) {
  std::string text;
  for (const auto& i : issues) {
    if (i.severity == fhir::Severity::kError || i.severity == fhir::Severity::kFatal) {
      text += i.expression + ": " + i.diagnostics + "\n";
    }
  }
  return text;
}

void expectValid(MappedService& m) {
  ASSERT_FALSE(m.refused());
  workflow::markDirectoryGaps(m.service);
  EXPECT_EQ(errors(validator().validate(m.service)), "");
  if (m.organization) {
    EXPECT_EQ(errors(validator().validate(*m.organization)), "");
  }
  for (const auto& location : m.locations) EXPECT_EQ(errors(validator().validate(location)), "");
}

TEST(OrukValidation, TheFullExampleIsValid) {
  const auto doc = readJson("tests/data/oruk/uk-profile/examples/service_full.json");
  MappedService m = mapOrukService(doc, feed(OrukVersion::kV3), {}, "service");
  expectValid(m);
}

TEST(OrukValidation, EveryPermutationIsValid) {
  const auto doc = readJson("tests/data/oruk/oruk-validator/Mocks/V3.0-UK-Test/service_list.json");
  const OrukPage page = readOrukPage(doc, 1);
  for (rapidjson::SizeType i = 0; i < page.items->Size(); ++i) {
    MappedService m = mapOrukService((*page.items)[i], feed(OrukVersion::kV3), {}, "c");
    SCOPED_TRACE(i);
    expectValid(m);
  }
}

TEST(OrukValidation, TheV1PageIsValid) {
  for (const char* file : {"services-page-1.json", "services-page-2.json"}) {
    const auto doc = readJson(std::string("tests/data/oruk/northvale-v1/") + file);
    const OrukPage page = readOrukPage(doc, 1);
    for (rapidjson::SizeType i = 0; i < page.items->Size(); ++i) {
      MappedService m = mapOrukService((*page.items)[i], feed(OrukVersion::kV1), {}, "c");
      SCOPED_TRACE(std::string(file) + " " + std::to_string(i));
      expectValid(m);
    }
  }
}

}  // namespace
}  // namespace sp::mapping
