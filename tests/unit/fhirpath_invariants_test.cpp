// Real R4 invariants, read from fhir-profiles/r4, evaluated the way a validator would: the
// element path selects the context nodes, the constraint is evaluated on each with %resource set
// to the resource. Each invariant is checked on JSON that satisfies it and JSON that does not.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fhir/json.h"
#include "fhirpath/fhirpath.h"

namespace sp::fhirpath {
namespace {

class FhirPathInvariants : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    expressions_ = new std::map<std::string, std::string>();
    for (const char* file : {"profiles-resources.json", "profiles-types.json"}) {
      std::ifstream in(std::string(SP_SOURCE_DIR) + "/fhir-profiles/r4/" + file);
      std::stringstream text;
      text << in.rdbuf();
      rapidjson::Document bundle;
      fhir::JsonLimits limits;
      limits.maxDepth = 256;
      fhir::parseJson(text.str(), bundle, limits);
      for (const auto& entry : bundle["entry"].GetArray()) {
        const auto* snapshot = fhir::findMember(entry["resource"], "snapshot");
        if (!snapshot) continue;
        for (const auto& element : (*snapshot)["element"].GetArray()) {
          const auto* constraints = fhir::findMember(element, "constraint");
          if (!constraints) continue;
          for (const auto& c : constraints->GetArray()) {
            const std::string expression = fhir::getString(c, "expression");
            if (!expression.empty()) expressions_->emplace(fhir::getString(c, "key"), expression);
          }
        }
      }
    }
  }
  static void TearDownTestSuite() {
    delete expressions_;
    expressions_ = nullptr;
  }

  static const std::string& expression(const std::string& key) {
    const auto it = expressions_->find(key);
    EXPECT_NE(it, expressions_->end()) << key;
    return it->second;
  }

  // The invariant `key` on every node `path` selects in `json` ("" means the resource itself):
  // "true", "false" or "{}" per context node, comma-separated.
  static std::string check(const std::string& key, const std::string& json,
                           const std::string& path = "") {
    rapidjson::Document doc;
    fhir::parseJson(json, doc);
    Environment env;
    env.resource = resourceNode(doc);
    const Collection contexts = path.empty() ? Collection{env.resource}
                                             : Expression::parse(path).evaluate(env.resource, env);
    const Expression invariant = Expression::parse(expression(key));
    std::string out;
    for (const Node& context : contexts) {
      if (!out.empty()) out += ",";
      const auto result = invariant.evaluateBoolean(context, env);
      out += result ? (*result ? "true" : "false") : "{}";
    }
    return out;
  }

  static std::map<std::string, std::string>* expressions_;
};

std::map<std::string, std::string>* FhirPathInvariants::expressions_ = nullptr;

TEST_F(FhirPathInvariants, Ele1ElementsHaveValueOrChildren) {
  const char* json = R"({"resourceType":"Patient",
    "name":[{"family":"Doe"},{},{"id":"only-id"}],
    "birthDate":"1970-01-01",
    "gender":null,"_gender":{"extension":[{"url":"http://x","valueCode":"unknown"}]}})";
  EXPECT_EQ(check("ele-1", json, "Patient.name"), "true,false,false");
  EXPECT_EQ(check("ele-1", json, "Patient.birthDate"), "true");
  EXPECT_EQ(check("ele-1", json, "Patient.gender"), "true");  // extension instead of a value
}

TEST_F(FhirPathInvariants, Dom2NoNestedContained) {
  EXPECT_EQ(check("dom-2", R"({"resourceType":"Patient","contained":[
    {"resourceType":"Organization","id":"o"}]})"),
            "true");
  EXPECT_EQ(check("dom-2", R"({"resourceType":"Patient","contained":[
    {"resourceType":"Organization","id":"o","contained":[{"resourceType":"Basic"}]}]})"),
            "false");
}

TEST_F(FhirPathInvariants, Dom3ContainedResourcesAreReferenced) {
  EXPECT_EQ(check("dom-3", R"({"resourceType":"Patient",
    "managingOrganization":{"reference":"#o"},
    "contained":[{"resourceType":"Organization","id":"o"}]})"),
            "true");
  // Referenced from inside the container through a nested element.
  EXPECT_EQ(check("dom-3", R"({"resourceType":"Patient",
    "contact":[{"organization":{"reference":"#o"}}],
    "contained":[{"resourceType":"Organization","id":"o"}]})"),
            "true");
  // A contained resource that refers back to its container with '#'.
  EXPECT_EQ(check("dom-3", R"({"resourceType":"Patient","contained":[
    {"resourceType":"Organization","id":"o","partOf":{"reference":"#"}}]})"),
            "true");
  EXPECT_EQ(check("dom-3", R"({"resourceType":"Patient",
    "managingOrganization":{"reference":"#other"},
    "contained":[{"resourceType":"Organization","id":"o"}]})"),
            "false");
  EXPECT_EQ(check("dom-3", R"({"resourceType":"Patient"})"), "true");
}

TEST_F(FhirPathInvariants, Dom4Dom5ContainedMeta) {
  const char* clean = R"({"resourceType":"Patient","contained":[
    {"resourceType":"Organization","id":"o","meta":{"tag":[{"code":"t"}]}}]})";
  EXPECT_EQ(check("dom-4", clean), "true");
  EXPECT_EQ(check("dom-5", clean), "true");
  EXPECT_EQ(check("dom-4", R"({"resourceType":"Patient","contained":[
    {"resourceType":"Organization","id":"o","meta":{"versionId":"1"}}]})"),
            "false");
  EXPECT_EQ(check("dom-4", R"({"resourceType":"Patient","contained":[
    {"resourceType":"Organization","id":"o","meta":{"lastUpdated":"2020-01-01T00:00:00Z"}}]})"),
            "false");
  EXPECT_EQ(check("dom-5", R"({"resourceType":"Patient","contained":[
    {"resourceType":"Organization","id":"o","meta":{"security":[{"code":"R"}]}}]})"),
            "false");
}

TEST_F(FhirPathInvariants, Dom6NarrativeDiv) {
  EXPECT_EQ(check("dom-6", R"({"resourceType":"Patient","text":{"status":"generated",
    "div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"}})"),
            "true");
  EXPECT_EQ(check("dom-6", R"({"resourceType":"Patient"})"), "false");
}

TEST_F(FhirPathInvariants, Ext1ValueOrExtensionsNotBoth) {
  const char* json = R"({"resourceType":"Patient","extension":[
    {"url":"http://a","valueString":"x"},
    {"url":"http://b","extension":[{"url":"part","valueInteger":1}]},
    {"url":"http://c","valueString":"x","extension":[{"url":"part","valueInteger":1}]},
    {"url":"http://d"}]})";
  EXPECT_EQ(check("ext-1", json, "Patient.extension"), "true,true,false,false");
  // Nested extensions are checked too.
  EXPECT_EQ(check("ext-1", json, "Patient.extension.extension"), "true,true");
}

// Parameters inv-1 (its key is shared with other definitions, so the expression is given here):
// `resource` is an element name like any other, not the %resource variable.
TEST_F(FhirPathInvariants, Inv1ParameterHasOneOfValueResourcePart) {
  const std::string inv1 =
      "(part.exists() and value.empty() and resource.empty()) or "
      "(part.empty() and (value.exists() xor resource.exists()))";
  rapidjson::Document doc;
  fhir::parseJson(R"({"resourceType":"Parameters","parameter":[{"name":"a","valueBoolean":false},
    {"name":"b","valueString":"x"},{"name":"c","resource":{"resourceType":"Patient"}},
    {"name":"d","part":[{"name":"e","valueCode":"f"}]},{"name":"g"}]})",
                  doc);
  Environment env;
  env.resource = resourceNode(doc);
  std::string out;
  for (const Node& context :
       Expression::parse("Parameters.parameter").evaluate(env.resource, env)) {
    const auto result = Expression::parse(inv1).evaluateBoolean(context, env);
    out += std::string(out.empty() ? "" : ",") + (result ? (*result ? "true" : "false") : "{}");
  }
  EXPECT_EQ(out, "true,true,true,true,false");
}

TEST_F(FhirPathInvariants, Pat1ContactHasDetails) {
  const char* json = R"({"resourceType":"Patient","contact":[
    {"name":{"family":"Roe"}},{"telecom":[{"system":"phone","value":"1"}]},
    {"relationship":[{"text":"friend"}]},{"organization":{"reference":"Organization/1"}}]})";
  EXPECT_EQ(check("pat-1", json, "Patient.contact"), "true,true,false,true");
}

TEST_F(FhirPathInvariants, Per1StartNotAfterEnd) {
  const char* json = R"({"resourceType":"Encounter","period":{"start":"2020-01-01"},
    "location":[
      {"period":{"start":"2020-01-01T10:00:00Z","end":"2020-01-01T11:00:00Z"}},
      {"period":{"start":"2020-01-02","end":"2020-01-01"}},
      {"period":{"start":"2020-01-01T12:00:00+02:00","end":"2020-01-01T10:30:00Z"}},
      {"period":{"start":"2020-01-01T12:00:00-02:00","end":"2020-01-01T10:30:00Z"}},
      {"period":{"start":"2020-01-01","end":"2020-01-01T10:30:00Z"}}]})";
  EXPECT_EQ(check("per-1", json, "Encounter.period"), "true");
  // Time zones are normalised; different precisions give empty (not a failure).
  EXPECT_EQ(check("per-1", json, "Encounter.location.period"), "true,false,true,false,{}");
}

TEST_F(FhirPathInvariants, Rng2LowNotAboveHigh) {
  const char* json = R"({"resourceType":"Observation","valueRange":{"low":{"value":1,"code":"mg"},
    "high":{"value":2.5,"code":"mg"}},"component":[{"valueRange":{"low":{"value":3,"code":"g"},
    "high":{"value":20,"code":"mg"}}}]})";
  EXPECT_EQ(check("rng-2", json, "Observation.value"), "true");
  EXPECT_EQ(check("rng-2", json, "Observation.component.value"), "false");
}

TEST_F(FhirPathInvariants, Obs6AndObs7) {
  EXPECT_EQ(check("obs-6", R"({"resourceType":"Observation","valueString":"x"})"), "true");
  EXPECT_EQ(check("obs-6", R"({"resourceType":"Observation","valueString":"x",
    "dataAbsentReason":{"text":"asked"}})"),
            "false");
  const char* obs7 = R"({"resourceType":"Observation",
    "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
    "valueString":"x","component":[{"code":{"coding":[{"system":"http://loinc.org",
    "code":"85354-9"}]}}]})";
  EXPECT_EQ(check("obs-7", obs7), "false");
  EXPECT_EQ(check("obs-7", R"({"resourceType":"Observation",
    "code":{"coding":[{"system":"http://loinc.org","code":"85354-9"}]},
    "component":[{"code":{"coding":[{"system":"http://loinc.org","code":"8480-6"}]}}],
    "valueString":"x"})"),
            "true");
}

TEST_F(FhirPathInvariants, Ref1LocalReferencesResolve) {
  const char* json = R"({"resourceType":"Patient","contained":[
    {"resourceType":"Organization","id":"o"}],
    "managingOrganization":{"reference":"#o"},
    "generalPractitioner":[{"reference":"#missing"},{"reference":"Practitioner/1"}]})";
  EXPECT_EQ(check("ref-1", json, "Patient.managingOrganization"), "true");
  EXPECT_EQ(check("ref-1", json, "Patient.generalPractitioner"), "false,true");
}

TEST_F(FhirPathInvariants, Bdl7FullUrlsAreUnique) {
  EXPECT_EQ(check("bdl-7", R"({"resourceType":"Bundle","type":"collection","entry":[
    {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Basic"}},
    {"fullUrl":"urn:uuid:2","resource":{"resourceType":"Basic"}}]})"),
            "true");
  EXPECT_EQ(check("bdl-7", R"({"resourceType":"Bundle","type":"collection","entry":[
    {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Basic"}},
    {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Basic"}}]})"),
            "false");
  EXPECT_EQ(check("bdl-7", R"({"resourceType":"Bundle","type":"history","entry":[
    {"fullUrl":"urn:uuid:1"},{"fullUrl":"urn:uuid:1"}]})"),
            "true");
}

TEST_F(FhirPathInvariants, Age1UsesUcum) {
  const char* json = R"({"resourceType":"Condition","onsetAge":{"value":40,
    "system":"http://unitsofmeasure.org","code":"a"},"abatementAge":{"value":-1,
    "system":"http://unitsofmeasure.org","code":"a"}})";
  EXPECT_EQ(check("age-1", json, "Condition.onset"), "true");
  EXPECT_EQ(check("age-1", json, "Condition.abatement"), "false");
}

TEST_F(FhirPathInvariants, Eld2MinNotAboveMax) {
  const char* json = R"({"resourceType":"StructureDefinition","snapshot":{"element":[
    {"path":"A","min":0,"max":"*"},{"path":"A.b","min":1,"max":"1"},
    {"path":"A.c","min":2,"max":"1"}]}})";
  EXPECT_EQ(check("eld-2", json, "StructureDefinition.snapshot.element"), "true,true,false");
}

TEST_F(FhirPathInvariants, Que1GroupsHaveItems) {
  const char* json = R"({"resourceType":"Questionnaire","item":[
    {"linkId":"1","type":"group","item":[{"linkId":"1.1","type":"string"}]},
    {"linkId":"2","type":"group"},
    {"linkId":"3","type":"display","item":[{"linkId":"3.1","type":"string"}]}]})";
  EXPECT_EQ(check("que-1", json, "Questionnaire.item"), "true,false,false");
}

}  // namespace
}  // namespace sp::fhirpath
