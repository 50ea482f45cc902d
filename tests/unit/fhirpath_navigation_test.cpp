// Path navigation over RapidJSON: type-name prefixes, arrays, indexers, choice elements (with and
// without a TypeProvider), `_name` primitive extensions, children/descendants, resolve(),
// variables, and the promise that evaluation points into the caller's JSON.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "fhir/json.h"
#include "fhirpath/fhirpath.h"
#include "fhirpath/system_value.h"

namespace sp::fhirpath {
namespace {

std::string render(const Collection& items) {
  if (items.empty()) return "{}";
  std::string out;
  for (const Node& n : items) {
    if (!out.empty()) out += ",";
    const auto text = toSystemString(n);
    if (text) {
      out += *text;
    } else if (n.value) {
      out += fhir::writeJson(*n.value);
    } else {
      out += n.primitiveExtension ? "<no value>" : "<" + n.type + ">";
    }
  }
  return out;
}

// A TypeProvider from a table: (parent type, element or JSON key) -> type; choices listed.
class TableTypes : public TypeProvider {
 public:
  std::string elementType(const std::string& parent, const std::string& name) const override {
    const auto it = types_.find({parent, name});
    return it == types_.end() ? "" : it->second;
  }
  bool isChoice(const std::string& parent, const std::string& name) const override {
    return choices_.count({parent, name}) > 0;
  }
  std::map<std::pair<std::string, std::string>, std::string> types_ = {
      {{"Patient", "id"}, "http://hl7.org/fhirpath/System.String"},
      {{"Patient", "contact"}, "Patient.contact"},  // a backbone element named by its path
      {{"Patient", "gender"}, "code"},
      {{"Patient", "birthDate"}, "date"},
      {{"Patient", "name"}, "HumanName"},
      {{"HumanName", "family"}, "string"},
      {{"Observation", "valueQuantity"}, "Quantity"},
      {{"Observation", "valueString"}, "string"},
      {{"Observation", "effectiveDateTime"}, "dateTime"},
      {{"Quantity", "value"}, "decimal"},
      {{"Quantity", "unit"}, "string"},
      {{"Basic", "valueString"}, "string"},
  };
  std::map<std::pair<std::string, std::string>, bool> choices_ = {
      {{"Observation", "value"}, true},
      {{"Observation", "effective"}, true},
  };
};

class FhirPathNavigation : public ::testing::Test {
 protected:
  std::string eval(const std::string& expression, const std::string& json,
                   const TypeProvider* types = nullptr) {
    docs_.emplace_back();
    fhir::parseJson(json, docs_.back());
    Environment env;
    env.resource = resourceNode(docs_.back());
    env.types = types;
    return render(Expression::parse(expression).evaluate(env.resource, env));
  }
  std::vector<rapidjson::Document> docs_;
};

const char* const kPatient = R"({"resourceType":"Patient","id":"p1",
  "meta":{"lastUpdated":"2020-01-01T00:00:00Z"},
  "text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>"},
  "active":true,"gender":"female","birthDate":"1970-03-04",
  "_birthDate":{"extension":[{"url":"http://example.org/accuracy","valueString":"approx"}]},
  "name":[{"use":"official","family":"Doe","given":["Jane","Q"]},
          {"use":"nickname","given":["JD",null],
           "_given":[null,{"extension":[{"url":"http://example.org/x","valueCode":"masked"}]}]}],
  "_deceasedBoolean":{"extension":[{"url":"http://example.org/unknown","valueBoolean":true}]},
  "managingOrganization":{"reference":"Organization/o1"},
  "contained":[{"resourceType":"Practitioner","id":"pr1","name":[{"family":"Who"}]}],
  "generalPractitioner":[{"reference":"#pr1"},
                         {"reference":"http://example.org/fhir/Practitioner/77/_history/2"}]})";

const char* const kObservation = R"({"resourceType":"Observation","id":"o1",
  "status":"final","code":{"text":"weight"},
  "subject":{"reference":"Patient/p1"},
  "effectiveDateTime":"2021-05-06T07:08:09Z",
  "valueQuantity":{"value":72.50,"unit":"kg","system":"http://unitsofmeasure.org","code":"kg"},
  "component":[{"code":{"text":"a"},"valueString":"high"},
               {"code":{"text":"b"},"valueQuantity":{"value":3,"code":"mg"}}]})";

TEST_F(FhirPathNavigation, PathsAndArraysFlatten) {
  // The null given of the second name has an extension, so it is an item without a value.
  EXPECT_EQ(eval("name.given", kPatient), "Jane,Q,JD,<no value>");
  EXPECT_EQ(eval("name.given.where(hasValue())", kPatient), "Jane,Q,JD");
  EXPECT_EQ(eval("name.family", kPatient), "Doe");
  EXPECT_EQ(eval("name.where(use = 'official').given.first()", kPatient), "Jane");
  EXPECT_EQ(eval("nothing.here", kPatient), "{}");
  EXPECT_EQ(eval("active", kPatient), "true");
  EXPECT_EQ(eval("meta.lastUpdated", kPatient), "2020-01-01T00:00:00Z");
}

TEST_F(FhirPathNavigation, LeadingTypeName) {
  EXPECT_EQ(eval("Patient.name.family", kPatient), "Doe");
  EXPECT_EQ(eval("Resource.id", kPatient), "p1");
  EXPECT_EQ(eval("DomainResource.text.status", kPatient), "generated");
  EXPECT_EQ(eval("Observation.status", kPatient), "{}");
  EXPECT_EQ(eval("Resource.id", R"({"resourceType":"Bundle","id":"b"})"), "b");
  EXPECT_EQ(eval("DomainResource.id", R"({"resourceType":"Bundle","id":"b"})"), "{}");
}

TEST_F(FhirPathNavigation, LeadingTypeNameOfTheResourceFromAnElement) {
  rapidjson::Document doc;
  fhir::parseJson(kPatient, doc);
  Environment env;
  env.resource = resourceNode(doc);
  Node element;
  element.value = &doc["name"][0];
  element.type = "HumanName";
  const auto e = [&](const std::string& text) {
    return render(Expression::parse(text).evaluate(element, env));
  };
  EXPECT_EQ(e("family"), "Doe");
  EXPECT_EQ(e("Patient.id"), "p1");  // starts from %resource
  EXPECT_EQ(e("HumanName.family"), "Doe");
  EXPECT_EQ(e("Observation.id"), "{}");
  EXPECT_EQ(e("given.where(Patient.id = 'p1').count()"), "0");  // only at the path's root
  // Without env.resource, %resource is the context.
  EXPECT_EQ(render(Expression::parse("%resource.id").evaluate(resourceNode(doc), Environment{})),
            "p1");
}

TEST_F(FhirPathNavigation, Indexer) {
  EXPECT_EQ(eval("name[1].given[0]", kPatient), "JD");
  EXPECT_EQ(eval("name.given[2]", kPatient), "JD");
  EXPECT_EQ(eval("name[5]", kPatient), "{}");
  EXPECT_EQ(eval("name[-1]", kPatient), "{}");
  EXPECT_EQ(eval("name[0 + 1].use", kPatient), "nickname");
  EXPECT_THROW(eval("name['a']", kPatient), FhirPathEvaluationError);
}

TEST_F(FhirPathNavigation, ChoiceElementsWithoutTypeProvider) {
  EXPECT_EQ(eval("Observation.value.value", kObservation), "72.50");
  EXPECT_EQ(eval("Observation.value.as(Quantity).unit", kObservation), "kg");
  EXPECT_EQ(eval("(Observation.value as Quantity).code", kObservation), "kg");
  EXPECT_EQ(eval("Observation.value is Quantity", kObservation), "true");
  EXPECT_EQ(eval("Observation.value.as(string)", kObservation), "{}");
  EXPECT_EQ(eval("component.value.ofType(string)", kObservation), "high");
  EXPECT_EQ(eval("component.value.ofType(Quantity).value", kObservation), "3");
  EXPECT_EQ(eval("effective is dateTime", kObservation), "true");
  EXPECT_EQ(eval("effective > @2021-01-01", kObservation), "true");
  // A key that is the name followed by something that is not a type is not a choice.
  EXPECT_EQ(eval("value", R"({"resourceType":"Basic","valueSet":"x"})"), "{}");
}

TEST_F(FhirPathNavigation, ChoiceElementsWithTypeProvider) {
  const TableTypes types;
  EXPECT_EQ(eval("Observation.value.as(Quantity).value", kObservation, &types), "72.50");
  EXPECT_EQ(eval("Observation.value.value is decimal", kObservation, &types), "true");
  EXPECT_EQ(eval("effective.is(dateTime)", kObservation, &types), "true");
  // The provider says Basic has no choice `value`, so valueString is not found through it.
  EXPECT_EQ(eval("value", R"({"resourceType":"Basic","valueString":"x"})", &types), "{}");
}

TEST_F(FhirPathNavigation, FhirTypeHierarchy) {
  const TableTypes types;
  EXPECT_EQ(eval("gender is code", kPatient, &types), "true");
  EXPECT_EQ(eval("gender is string", kPatient, &types), "true");  // code derives from string
  EXPECT_EQ(eval("gender is FHIR.string", kPatient, &types), "true");
  EXPECT_EQ(eval("gender is System.String", kPatient, &types), "true");
  EXPECT_EQ(eval("gender is uri", kPatient, &types), "false");
  EXPECT_EQ(eval("gender.as(code)", kPatient, &types), "female");
  EXPECT_EQ(eval("name.family.is(string)", kPatient, &types), "true");
  EXPECT_EQ(eval("name.first() is HumanName", kPatient, &types), "true");
  EXPECT_EQ(eval("name.first() is Element", kPatient, &types), "true");
  EXPECT_EQ(eval("$this is DomainResource", kPatient), "true");
  EXPECT_EQ(eval("$this is Resource", kPatient), "true");
  EXPECT_EQ(eval("$this is Observation", kPatient), "false");
  EXPECT_EQ(eval("contained.ofType(Practitioner).id", kPatient), "pr1");
  EXPECT_EQ(eval("active is Boolean", kPatient), "true");  // FHIR boolean is a System.Boolean
  // StructureDefinitions type Element.id as a System URL; it reads as a FHIR string.
  EXPECT_EQ(eval("id is string", kPatient, &types), "true");
  const char* withContact = R"({"resourceType":"Patient","contact":[{"gender":"male"}]})";
  EXPECT_EQ(eval("contact.first() is BackboneElement", withContact, &types), "true");
  EXPECT_EQ(eval("contact.first() is DomainResource", withContact, &types), "false");
  // Without type information a JSON string is just a string.
  EXPECT_EQ(eval("gender is string", kPatient), "true");
  EXPECT_EQ(eval("gender is code", kPatient), "false");
}

TEST_F(FhirPathNavigation, TypedDatesCompareAsDates) {
  const TableTypes types;
  EXPECT_EQ(eval("birthDate < @2000-01-01", kPatient, &types), "true");
  EXPECT_EQ(eval("birthDate = @1970-03", kPatient, &types), "{}");
  EXPECT_EQ(eval("birthDate is date", kPatient, &types), "true");
}

TEST_F(FhirPathNavigation, PrimitiveExtensions) {
  EXPECT_EQ(eval("birthDate.extension.count()", kPatient), "1");
  EXPECT_EQ(eval("birthDate.extension('http://example.org/accuracy').value", kPatient), "approx");
  EXPECT_EQ(eval("birthDate.hasValue()", kPatient), "true");
  // given[1] of the second name is null in JSON with an extension in `_given`.
  EXPECT_EQ(eval("name[1].given.count()", kPatient), "2");
  EXPECT_EQ(eval("name[1].given[1].hasValue()", kPatient), "false");
  EXPECT_EQ(eval("name[1].given[1].extension.value", kPatient), "masked");
  EXPECT_EQ(eval("name[1].given[0].extension.exists()", kPatient), "false");
  // `_deceasedBoolean` without `deceasedBoolean`: the element exists but has no value.
  EXPECT_EQ(eval("deceased.exists()", kPatient), "true");
  EXPECT_EQ(eval("deceased.hasValue()", kPatient), "false");
  EXPECT_EQ(eval("deceased.extension.value", kPatient), "true");
}

TEST_F(FhirPathNavigation, ExtensionFunction) {
  const char* json = R"({"resourceType":"Patient","extension":[
    {"url":"http://a","valueString":"A"},{"url":"http://b","valueInteger":2},
    {"url":"http://a","valueString":"A2"}]})";
  EXPECT_EQ(eval("extension('http://a').value", json), "A,A2");
  EXPECT_EQ(eval("extension('http://b').value + 1", json), "3");
  EXPECT_EQ(eval("extension('http://none').exists()", json), "false");
  EXPECT_EQ(eval("extension(%ucum).exists()", json), "false");
}

TEST_F(FhirPathNavigation, ChildrenAndDescendants) {
  const char* json = R"({"resourceType":"Basic","code":{"coding":[{"code":"a"},{"code":"b"}]},
    "author":{"reference":"Patient/1"}})";
  EXPECT_EQ(eval("children().count()", json), "2");  // resourceType is not a child
  EXPECT_EQ(eval("code.children().count()", json), "2");
  EXPECT_EQ(eval("descendants().count()", json), "7");
  EXPECT_EQ(eval("descendants().code", json), "a,b");
  EXPECT_EQ(eval("descendants().reference", json), "Patient/1");
  // A primitive's children are its extension(s).
  EXPECT_EQ(eval("birthDate.children().count()", kPatient), "1");
}

TEST_F(FhirPathNavigation, ResolveWithoutResolver) {
  EXPECT_EQ(eval("Observation.subject.where(resolve() is Patient).reference", kObservation),
            "Patient/p1");
  EXPECT_EQ(eval("Observation.subject.where(resolve() is Group).exists()", kObservation), "false");
  EXPECT_EQ(eval("managingOrganization.resolve() is Organization", kPatient), "true");
  EXPECT_EQ(eval("generalPractitioner[0].resolve().name.family", kPatient), "Who");
  EXPECT_EQ(eval("generalPractitioner[1].resolve() is Practitioner", kPatient), "true");
  EXPECT_EQ(eval("'urn:uuid:123'.resolve()", kPatient), "{}");
}

TEST_F(FhirPathNavigation, ResolveInsideABundle) {
  const char* bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[
    {"fullUrl":"urn:uuid:1","resource":{"resourceType":"Patient","id":"a","gender":"male"}},
    {"fullUrl":"urn:uuid:2","resource":{"resourceType":"Observation",
      "subject":{"reference":"urn:uuid:1"}}}]})";
  EXPECT_EQ(eval("entry[1].resource.subject.resolve().gender", bundle), "male");
}

TEST_F(FhirPathNavigation, ResolveUsesTheCallback) {
  rapidjson::Document target;
  fhir::parseJson(R"({"resourceType":"Patient","id":"p1","gender":"other"})", target);
  rapidjson::Document doc;
  fhir::parseJson(kObservation, doc);
  Environment env;
  env.resource = resourceNode(doc);
  std::vector<std::string> asked;
  env.resolve = [&](const std::string& ref) -> std::optional<Node> {
    asked.push_back(ref);
    if (ref == "Patient/p1") return resourceNode(target);
    return std::nullopt;
  };
  const auto result = Expression::parse("subject.resolve().gender").evaluate(env.resource, env);
  EXPECT_EQ(render(result), "other");
  EXPECT_EQ(asked, std::vector<std::string>{"Patient/p1"});
}

TEST_F(FhirPathNavigation, VariablesAndConstants) {
  EXPECT_EQ(eval("name.select($index)", kPatient), "0,1");
  EXPECT_EQ(eval("name.where($this.use = 'nickname').given.first()", kPatient), "JD");
  EXPECT_EQ(eval("name.select(%resource.id)", kPatient), "p1,p1");
  EXPECT_EQ(eval("%context.id", kPatient), "p1");
  EXPECT_EQ(eval("%rootResource.id", kPatient), "p1");
  EXPECT_EQ(eval("$this.id", kPatient), "p1");

  rapidjson::Document bundle;
  fhir::parseJson(R"({"resourceType":"Bundle","id":"b","entry":[{"resource":
    {"resourceType":"Patient","id":"inner"}}]})",
                  bundle);
  Environment env;
  env.rootResource = resourceNode(bundle);
  env.resource = resourceNode(bundle["entry"][0]["resource"]);
  env.variables["answer"] = {integerNode(42)};
  const auto e = [&](const std::string& text) {
    return render(Expression::parse(text).evaluate(env.resource, env));
  };
  EXPECT_EQ(e("%resource.id"), "inner");
  EXPECT_EQ(e("%rootResource.id"), "b");
  EXPECT_EQ(e("%answer + 1"), "43");
}

TEST_F(FhirPathNavigation, NodesPointIntoTheCallersJson) {
  rapidjson::Document doc;
  fhir::parseJson(kPatient, doc);
  const auto given = Expression::parse("name.given").evaluate(resourceNode(doc), Environment{});
  ASSERT_EQ(given.size(), 4u);
  EXPECT_EQ(given[0].value, &doc["name"][0]["given"][0]);
  EXPECT_EQ(given[2].value, &doc["name"][1]["given"][0]);
  EXPECT_EQ(given[3].value, nullptr);  // JSON null with an extension
  EXPECT_EQ(given[3].primitiveExtension, &doc["name"][1]["_given"][1]);
  const auto text = Expression::parse("text").evaluate(resourceNode(doc), Environment{});
  ASSERT_EQ(text.size(), 1u);
  EXPECT_EQ(text[0].value, &doc["text"]);  // a whole object: a pointer, not a copy
  EXPECT_FALSE(text[0].isComputed());
}

TEST_F(FhirPathNavigation, OneExpressionEvaluatesOnSeveralThreads) {
  const Expression e = Expression::parse("name.where(use = 'official').given.count() = 2");
  rapidjson::Document doc;
  fhir::parseJson(kPatient, doc);
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (e.evaluateBoolean(resourceNode(doc), Environment{}) == true) ++ok[t];
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int n : ok) EXPECT_EQ(n, 200);
}

}  // namespace
}  // namespace sp::fhirpath
