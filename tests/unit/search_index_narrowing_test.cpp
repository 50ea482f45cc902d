// Narrowing a search parameter shared by several resource types to one of them: the lexical
// rules, and, over the real R4 parameters, that the narrowed form finds what the whole
// expression finds on resources of each base type.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "fhir/definitions.h"
#include "fhir/json.h"
#include "fhirpath/fhirpath.h"
#include "search/type_narrowing.h"
#include "validation/definitions_type_provider.h"

namespace sp::search {
namespace {

bool knownType(const std::string& type) {
  static const std::set<std::string> kTypes = {"Patient", "Practitioner", "Observation",
                                               "DeviceRequest", "Condition"};
  return kTypes.count(type) > 0;
}

std::string narrow(const std::string& expression, const std::string& type) {
  return narrowToType(expression, type, knownType);
}

TEST(SearchNarrowing, KeepsTheBranchesOfTheType) {
  EXPECT_EQ(narrow("Patient.address | Practitioner.address", "Patient"), "Patient.address");
  EXPECT_EQ(narrow("Patient.name.given|Practitioner.name.given", "Practitioner"),
            "Practitioner.name.given");
  EXPECT_EQ(narrow("Condition.code | (DeviceRequest.code as CodeableConcept) | Observation.code",
                   "DeviceRequest"),
            "(DeviceRequest.code as CodeableConcept)");
  EXPECT_EQ(narrow("Patient.telecom.where(system='phone') | Practitioner.telecom", "Patient"),
            "Patient.telecom.where(system='phone')");
  EXPECT_EQ(narrow("Patient.x | Practitioner.y", "Observation"), "");
}

TEST(SearchNarrowing, KeepsWhatItCannotJudge) {
  // Not resource types, or not starting a path: kept.
  EXPECT_EQ(narrow("Resource.meta.tag | Patient.x | Unknown.y | %resource.z", "Observation"),
            "Resource.meta.tag | Unknown.y | %resource.z");
  // A leading parenthesis with a union inside it: kept whole.
  EXPECT_EQ(narrow("(Patient.a | Observation.b).first() | Practitioner.c", "Observation"),
            "(Patient.a | Observation.b).first()");
  // An operator binding more loosely than `|` at the top: the text is not split.
  for (const char* text :
       {"Patient.a | Practitioner.b = 'x'", "Patient.a.exists() or Practitioner.b | Patient.c",
        "Patient.a | Practitioner.b implies true", "'a' in Patient.a | Practitioner.b"}) {
    EXPECT_EQ(narrow(text, "Observation"), text);
  }
  // Inside brackets those operators do not matter.
  EXPECT_EQ(narrow("Patient.a.where(b = 'x' or c) | Practitioner.b", "Practitioner"),
            "Practitioner.b");
  // Strings with `|` and comments: handled by the lexer.
  EXPECT_EQ(narrow("Patient.a.where(b = 'x|y') | Practitioner.b", "Patient"),
            "Patient.a.where(b = 'x|y')");
  EXPECT_EQ(narrow("Practitioner.b // the end\n | Patient.c", "Practitioner"),
            "Practitioner.b // the end\n");
  EXPECT_EQ(narrow("Patient.a | 'unterminated", "Observation"), "Patient.a | 'unterminated");
  EXPECT_EQ(narrow("Patient.a", "Observation"), "Patient.a");  // one branch: unchanged
}

rapidjson::Document load(const std::string& relative) {
  const std::string path = std::string(SP_SOURCE_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  rapidjson::Document doc;
  fhir::JsonLimits limits;
  limits.maxDepth = 256;
  fhir::parseJson(buffer.str(), doc, limits);
  return doc;
}

// Every shared R4 parameter, narrowed to each base, parses; on the project's example resources
// the narrowed form finds the same items as the whole expression.
TEST(SearchNarrowing, EveryR4SharedParameterNarrowsFaithfully) {
  const auto defs = fhir::Definitions::load(std::string(SP_SOURCE_DIR) + "/fhir-profiles");
  const validation::DefinitionsTypeProvider types(defs);
  const auto isType = [&](const std::string& t) { return defs.isResourceType(t); };
  std::vector<rapidjson::Document> examples;
  for (const char* file :
       {"Patient-pat-pryce.json", "ServiceRequest-sr-pryce-gp.json",
        "Observation-obs-pryce-wemwbs-baseline.json", "CarePlan-cp-pryce.json",
        "Encounter-enc-pryce-first-contact.json", "Consent-consent-pryce-sharing.json",
        "QuestionnaireResponse-qr-pryce-what-matters.json"}) {
    examples.push_back(load(std::string("tests/data/validation/valid/") + file));
  }
  std::size_t narrowed = 0;
  std::size_t compared = 0;
  for (const auto& p : defs.searchParameters()) {
    if (p.bases.size() < 2 || p.expression.empty() || p.type == "composite") continue;
    for (const auto& base : p.bases) {
      const std::string text = narrowToType(p.expression, base, isType);
      EXPECT_FALSE(text.empty()) << p.code << " on " << base;
      if (text.empty()) continue;
      ++narrowed;
      const auto part = fhirpath::Expression::parse(text);
      const auto whole = fhirpath::Expression::parse(p.expression);
      for (const auto& resource : examples) {
        if (fhir::getString(resource, "resourceType") != base) continue;
        fhirpath::Environment env;
        env.resource = fhirpath::resourceNode(resource);
        env.types = &types;
        const auto a = part.evaluate(env.resource, env);
        const auto b = whole.evaluate(env.resource, env);
        ASSERT_EQ(a.size(), b.size()) << p.code << " on " << base;
        for (std::size_t i = 0; i < a.size(); ++i) {
          EXPECT_EQ(a[i].value, b[i].value) << p.code;
          EXPECT_EQ(a[i].type, b[i].type) << p.code;
        }
        ++compared;
      }
    }
  }
  EXPECT_GT(narrowed, 300u);
  EXPECT_GT(compared, 20u);
}

}  // namespace
}  // namespace sp::search
