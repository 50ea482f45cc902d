// Every FHIRPath expression shipped with the R4 definitions must parse: the constraint
// expressions of profiles-resources.json and profiles-types.json, and the search parameter
// expressions of search-parameters.json. They must also evaluate without error over a minimal
// resource, and the engine's data type table must match profiles-types.json.
#include <gtest/gtest.h>

#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhirpath/fhirpath.h"
#include "fhirpath/type_system.h"

namespace sp::fhirpath {
namespace {

std::string readFile(const std::string& relative) {
  const std::string path = std::string(SP_SOURCE_DIR) + "/fhir-profiles/r4/" + relative;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void loadBundle(const std::string& relative, rapidjson::Document& doc) {
  fhir::JsonLimits limits;
  limits.maxDepth = 256;
  fhir::parseJson(readFile(relative), doc, limits);
}

struct Constraint {
  std::string key;
  std::string path;  // the element the constraint sits on
  std::string expression;
};

// Every constraint of every snapshot element (ele-1 and friends repeat on each element).
std::vector<Constraint> constraints(const rapidjson::Document& bundle) {
  std::vector<Constraint> out;
  for (const auto& entry : bundle["entry"].GetArray()) {
    const auto& sd = entry["resource"];
    if (fhir::getString(sd, "resourceType") != "StructureDefinition") continue;
    const auto* snapshot = fhir::findMember(sd, "snapshot");
    if (!snapshot) continue;
    for (const auto& element : (*snapshot)["element"].GetArray()) {
      const auto* list = fhir::findMember(element, "constraint");
      if (!list) continue;
      for (const auto& c : list->GetArray()) {
        const std::string expression = fhir::getString(c, "expression");
        if (expression.empty()) continue;
        out.push_back({fhir::getString(c, "key"), fhir::getString(element, "path"), expression});
      }
    }
  }
  return out;
}

// Expressions this engine deliberately does not parse, each with its reason. It is empty:
// every R4 constraint and search parameter expression parses. Keep it small if it ever grows.
const std::set<std::string> kSkipped = {};

TEST(FhirPathR4Definitions, EveryConstraintExpressionParses) {
  std::size_t total = 0;
  std::size_t parsed = 0;
  std::size_t skipped = 0;
  std::set<std::string> distinct;
  for (const char* file : {"profiles-resources.json", "profiles-types.json"}) {
    rapidjson::Document bundle;
    loadBundle(file, bundle);
    for (const auto& c : constraints(bundle)) {
      ++total;
      distinct.insert(c.expression);
      if (kSkipped.count(c.expression) > 0) {
        ++skipped;
        continue;
      }
      try {
        Expression::parse(c.expression);
        ++parsed;
      } catch (const FhirPathSyntaxError& e) {
        ADD_FAILURE() << c.key << ": " << e.what() << "\n  " << c.expression;
      }
    }
  }
  EXPECT_GT(total, 9000u);
  EXPECT_GT(distinct.size(), 190u);  // R4 4.0.1 alone has 198
  EXPECT_EQ(parsed + skipped, total);
  EXPECT_LE(kSkipped.size(), 5u);
  std::cout << "[ constraints ] parsed " << parsed << " of " << total << " (" << distinct.size()
            << " distinct expressions, " << skipped << " skipped)\n";
}

TEST(FhirPathR4Definitions, EverySearchParameterExpressionParses) {
  rapidjson::Document bundle;
  loadBundle("search-parameters.json", bundle);
  std::size_t total = 0;
  std::size_t parsed = 0;
  std::size_t skipped = 0;
  for (const auto& entry : bundle["entry"].GetArray()) {
    const std::string expression = fhir::getString(entry["resource"], "expression");
    if (expression.empty()) continue;  // _text, _content and _query have none
    ++total;
    if (kSkipped.count(expression) > 0) {
      ++skipped;
      continue;
    }
    try {
      Expression::parse(expression);
      ++parsed;
    } catch (const FhirPathSyntaxError& e) {
      ADD_FAILURE() << fhir::getString(entry["resource"], "id") << ": " << e.what();
    }
  }
  EXPECT_GT(total, 1300u);
  EXPECT_EQ(parsed + skipped, total);
  std::cout << "[ search ] parsed " << parsed << " of " << total << " (" << skipped
            << " skipped)\n";
}

// Root-level invariants of every resource evaluate without error over a minimal instance.
TEST(FhirPathR4Definitions, ResourceInvariantsEvaluateOnAMinimalResource) {
  rapidjson::Document bundle;
  loadBundle("profiles-resources.json", bundle);
  std::size_t evaluated = 0;
  for (const auto& c : constraints(bundle)) {
    if (c.path.find('.') != std::string::npos) continue;
    rapidjson::Document resource;
    fhir::parseJson(R"({"resourceType":")" + c.path + R"(","id":"x"})", resource);
    Environment env;
    env.resource = resourceNode(resource);
    try {
      Expression::parse(c.expression).evaluateBoolean(env.resource, env);
      ++evaluated;
    } catch (const FhirPathEvaluationError& e) {
      ADD_FAILURE() << c.path << " " << c.key << ": " << e.what();
    }
  }
  EXPECT_GT(evaluated, 500u);
}

// Every search parameter expression evaluates without error on a minimal resource of each
// base type.
TEST(FhirPathR4Definitions, SearchExpressionsEvaluateOnMinimalResources) {
  rapidjson::Document bundle;
  loadBundle("search-parameters.json", bundle);
  std::size_t evaluated = 0;
  for (const auto& entry : bundle["entry"].GetArray()) {
    const auto& sp = entry["resource"];
    const std::string expression = fhir::getString(sp, "expression");
    if (expression.empty()) continue;
    const Expression parsed = Expression::parse(expression);
    for (const auto& base : sp["base"].GetArray()) {
      rapidjson::Document resource;
      fhir::parseJson(std::string(R"({"resourceType":")") + base.GetString() + R"(","id":"x"})",
                      resource);
      Environment env;
      env.resource = resourceNode(resource);
      try {
        parsed.evaluate(env.resource, env);
        ++evaluated;
      } catch (const FhirPathEvaluationError& e) {
        ADD_FAILURE() << fhir::getString(sp, "id") << " on " << base.GetString() << ": "
                      << e.what();
      }
    }
  }
  EXPECT_GT(evaluated, 1300u);
}

TEST(FhirPathR4Definitions, BuiltInDataTypesMatchProfilesTypes) {
  rapidjson::Document bundle;
  loadBundle("profiles-types.json", bundle);
  std::set<std::string> fromFile;
  for (const auto& entry : bundle["entry"].GetArray()) {
    const auto& sd = entry["resource"];
    if (fhir::getString(sd, "resourceType") != "StructureDefinition") continue;
    const std::string name = fhir::getString(sd, "name");
    fromFile.insert(name);
    EXPECT_TRUE(isDataType(name)) << name;
    // The engine's base type is the file's baseDefinition (for a constraint: its type).
    std::string base = fhir::getString(sd, "baseDefinition");
    base = base.substr(base.rfind('/') + 1);
    if (fhir::getString(sd, "derivation") == "constraint") base = fhir::getString(sd, "type");
    EXPECT_EQ(baseType(name), base) << name;
  }
  for (const auto& name : r4DataTypeNames()) {
    EXPECT_EQ(fromFile.count(std::string(name)), 1u) << name;
  }
}

}  // namespace
}  // namespace sp::fhirpath
