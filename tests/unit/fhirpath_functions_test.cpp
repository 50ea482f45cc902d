// Function families: existence, filtering and projection, subsetting, combining, conversion,
// strings, utility, aggregate, and the FHIR additions memberOf/conformsTo/htmlChecks/getValue.
#include <gtest/gtest.h>

#include <string>

#include "fhir/json.h"
#include "fhirpath/fhirpath.h"
#include "fhirpath/system_value.h"
#include "fhirpath_test_support.h"

namespace sp::fhirpath {
namespace {

using testing::render;
using testing::run;

const char* const kQuestionnaire = R"({"resourceType":"Questionnaire","status":"draft",
  "item":[{"linkId":"1","type":"group","item":[{"linkId":"1.1","type":"string"},
                                              {"linkId":"1.2","type":"group",
                                               "item":[{"linkId":"1.2.1","type":"integer"}]}]},
          {"linkId":"2","type":"boolean"}]})";

std::string runOn(const std::string& expression, const char* json = kQuestionnaire) {
  rapidjson::Document doc;
  fhir::parseJson(json, doc);
  Environment env;
  env.resource = resourceNode(doc);
  return render(Expression::parse(expression).evaluate(env.resource, env));
}

TEST(FhirPathFunctions, Existence) {
  EXPECT_EQ(run("{}.empty()"), "true");
  EXPECT_EQ(run("(1 | 2).empty()"), "false");
  EXPECT_EQ(run("{}.exists()"), "false");
  EXPECT_EQ(run("(1 | 2).exists()"), "true");
  EXPECT_EQ(run("(1 | 2 | 3).exists($this > 2)"), "true");
  EXPECT_EQ(run("(1 | 2 | 3).exists($this > 5)"), "false");
  EXPECT_EQ(run("(1 | 2 | 3).all($this > 0)"), "true");
  EXPECT_EQ(run("(1 | 2 | 3).all($this > 1)"), "false");
  EXPECT_EQ(run("{}.all($this > 1)"), "true");
  EXPECT_EQ(run("(true | true).allTrue()"), "true");
  EXPECT_EQ(run("(true | false).allTrue()"), "false");
  EXPECT_EQ(run("(true | false).anyTrue()"), "true");
  EXPECT_EQ(run("(false | false).allFalse()"), "true");
  EXPECT_EQ(run("(true | false).anyFalse()"), "true");
  EXPECT_EQ(run("{}.allTrue()"), "true");
  EXPECT_EQ(run("{}.anyTrue()"), "false");
  EXPECT_EQ(run("(1 | 2).subsetOf(1 | 2 | 3)"), "true");
  EXPECT_EQ(run("(1 | 4).subsetOf(1 | 2 | 3)"), "false");
  EXPECT_EQ(run("{}.subsetOf(1)"), "true");
  EXPECT_EQ(run("(1 | 2 | 3).supersetOf(2 | 3)"), "true");
  EXPECT_EQ(run("(1 | 2).count()"), "2");
  EXPECT_EQ(run("{}.count()"), "0");
  EXPECT_EQ(run("(1 | 2).combine(2 | 3).distinct()"), "1,2,3");
  EXPECT_EQ(run("(1 | 2).isDistinct()"), "true");
  EXPECT_EQ(run("(1).combine(1.0).isDistinct()"), "false");
}

TEST(FhirPathFunctions, FilteringAndProjection) {
  EXPECT_EQ(run("(1 | 2 | 3 | 4).where($this mod 2 = 0)"), "2,4");
  EXPECT_EQ(run("(1 | 2 | 3).where($index > 0)"), "2,3");
  EXPECT_EQ(run("(1 | 2).select($this * 10)"), "10,20");
  EXPECT_EQ(runOn("item.select(linkId)"), "1,2");
  EXPECT_EQ(runOn("item.select(item.linkId)"), "1.1,1.2");
  EXPECT_EQ(runOn("repeat(item).linkId"), "1,2,1.1,1.2,1.2.1");
  EXPECT_EQ(runOn("item.repeat(item).where(type = 'group').linkId"), "1.2");
  EXPECT_EQ(runOn("descendants().linkId.isDistinct()"), "true");
  EXPECT_EQ(run("(1 | 'a' | 2.5).ofType(Integer)"), "1");
  EXPECT_EQ(run("(1 | 'a' | 2.5).ofType(System.String)"), "a");
  EXPECT_EQ(run("(1 | 2).where($this > 1) is Integer"), "true");
  EXPECT_THROW(run("(1 | 2).where($this.combine($this))"), FhirPathEvaluationError);
  EXPECT_EQ(run("(1 | 2).where('x')"), "1,2");  // a single non-Boolean counts as true
  EXPECT_EQ(run("(1 | 2).where({})"), "{}");
}

TEST(FhirPathFunctions, Subsetting) {
  EXPECT_EQ(run("(1 | 2 | 3).first()"), "1");
  EXPECT_EQ(run("(1 | 2 | 3).last()"), "3");
  EXPECT_EQ(run("(1 | 2 | 3).tail()"), "2,3");
  EXPECT_EQ(run("(1 | 2 | 3).skip(1)"), "2,3");
  EXPECT_EQ(run("(1 | 2 | 3).skip(5)"), "{}");
  EXPECT_EQ(run("(1 | 2 | 3).skip(-1)"), "1,2,3");
  EXPECT_EQ(run("(1 | 2 | 3).take(2)"), "1,2");
  EXPECT_EQ(run("(1 | 2 | 3).take(0)"), "{}");
  EXPECT_EQ(run("{}.first()"), "{}");
  EXPECT_EQ(run("(7).single()"), "7");
  EXPECT_EQ(run("{}.single()"), "{}");
  EXPECT_THROW(run("(1 | 2).single()"), FhirPathEvaluationError);
  EXPECT_EQ(run("(1 | 2 | 3).intersect(2 | 3 | 4)"), "2,3");
  EXPECT_EQ(run("(1 | 2 | 3).exclude(2)"), "1,3");
  EXPECT_EQ(run("(1).combine(1).combine(2).exclude(2)"), "1,1");  // keeps duplicates
}

TEST(FhirPathFunctions, Combining) {
  EXPECT_EQ(run("(1 | 2).union(2 | 3)"), "1,2,3");
  EXPECT_EQ(run("(1 | 2).combine(2 | 3)"), "1,2,2,3");
  EXPECT_EQ(run("{}.combine(1)"), "1");
  EXPECT_EQ(runOn("item.linkId.union(item.item.linkId)"), "1,2,1.1,1.2");
}

TEST(FhirPathFunctions, Iif) {
  EXPECT_EQ(run("iif(true, 'a', 'b')"), "a");
  EXPECT_EQ(run("iif(false, 'a', 'b')"), "b");
  EXPECT_EQ(run("iif({}, 'a', 'b')"), "b");
  EXPECT_EQ(run("iif(false, 'a')"), "{}");
  EXPECT_EQ(run("iif(true, 'a', %undefined)"), "a");  // the other branch is not evaluated
  EXPECT_EQ(runOn("item.first().iif(type = 'group', 'G', 'other')"), "G");
  EXPECT_EQ(run("{}.iif(empty(), 'none', 'some')"), "none");
}

TEST(FhirPathFunctions, Conversions) {
  EXPECT_EQ(run("'12'.toInteger()"), "12");
  EXPECT_EQ(run("'-3'.toInteger()"), "-3");
  EXPECT_EQ(run("'1.5'.toInteger()"), "{}");
  EXPECT_EQ(run("true.toInteger()"), "1");
  EXPECT_EQ(run("'1.50'.toDecimal()"), "1.50");
  EXPECT_EQ(run("3.toDecimal() is Decimal"), "true");
  EXPECT_EQ(run("'abc'.toDecimal()"), "{}");
  EXPECT_EQ(run("1.50.toString()"), "1.50");
  EXPECT_EQ(run("true.toString()"), "true");
  EXPECT_EQ(run("@2020-01.toString()"), "2020-01");
  EXPECT_EQ(run("(4 'mg').toString()"), "4 'mg'");
  EXPECT_EQ(run("'yes'.toBoolean()"), "true");
  EXPECT_EQ(run("'F'.toBoolean()"), "false");
  EXPECT_EQ(run("'maybe'.toBoolean()"), "{}");
  EXPECT_EQ(run("0.toBoolean()"), "false");
  EXPECT_EQ(run("'1'.convertsToInteger()"), "true");
  EXPECT_EQ(run("'x'.convertsToInteger()"), "false");
  EXPECT_EQ(run("'1.5'.convertsToDecimal()"), "true");
  EXPECT_EQ(run("'t'.convertsToBoolean()"), "true");
  EXPECT_EQ(run("1.convertsToString()"), "true");
  EXPECT_EQ(run("'2020-02-30'.convertsToDate()"), "false");
  EXPECT_EQ(run("'2020-02-29'.convertsToDate()"), "true");
  EXPECT_EQ(run("'2020-02-29T10:00:00Z'.toDate()"), "2020-02-29");
  EXPECT_EQ(run("'2020-02-29T10:00:00Z'.convertsToDateTime()"), "true");
  EXPECT_EQ(run("'2020-02-29'.toDateTime() is DateTime"), "true");
  EXPECT_EQ(run("'10:20'.toTime()"), "10:20");
  EXPECT_EQ(run("'25:00'.convertsToTime()"), "false");
  EXPECT_EQ(run("'5 \\'mg\\''.toQuantity()"), "5 'mg'");
  EXPECT_EQ(run("'2 days'.toQuantity() = 2 days"), "true");
  EXPECT_EQ(run("3.toQuantity()"), "3 '1'");
  EXPECT_EQ(run("{}.toInteger()"), "{}");
  EXPECT_THROW(run("(1 | 2).toString()"), FhirPathEvaluationError);
}

TEST(FhirPathFunctions, Strings) {
  EXPECT_EQ(run("'abcdef'.indexOf('cd')"), "2");
  EXPECT_EQ(run("'abcdef'.indexOf('x')"), "-1");
  EXPECT_EQ(run("'abcdef'.indexOf('')"), "0");
  EXPECT_EQ(run("'abcdef'.substring(3)"), "def");
  EXPECT_EQ(run("'abcdef'.substring(1, 2)"), "bc");
  EXPECT_EQ(run("'abcdef'.substring(4, 10)"), "ef");
  EXPECT_EQ(run("'abcdef'.substring(6)"), "{}");
  EXPECT_EQ(run("'abcdef'.substring(-1)"), "{}");
  EXPECT_EQ(run("'abc'.startsWith('ab')"), "true");
  EXPECT_EQ(run("'abc'.startsWith('')"), "true");
  EXPECT_EQ(run("'abc'.endsWith('bc')"), "true");
  EXPECT_EQ(run("'abc'.endsWith('abcd')"), "false");
  EXPECT_EQ(run("'abc'.contains('b')"), "true");
  EXPECT_EQ(run("'abc'.contains({})"), "{}");
  EXPECT_EQ(run("'aBc'.upper()"), "ABC");
  EXPECT_EQ(run("'aBc'.lower()"), "abc");
  EXPECT_EQ(run("'a-b-c'.replace('-', '+')"), "a+b+c");
  EXPECT_EQ(run("'abc'.replace('', 'x')"), "xaxbxcx");
  EXPECT_EQ(run("'2020-01'.matches('^[0-9]{4}-[0-9]{2}$')"), "true");
  EXPECT_EQ(run("'ab12'.matches('[0-9]')"), "true");  // anywhere in the string
  EXPECT_EQ(run("'abc'.matches('^b')"), "false");
  EXPECT_EQ(run("'abc'.matches('[a-' + 'c]+')"), "true");  // a pattern computed at run time
  EXPECT_THROW(run("'abc'.matches('(' + '')"), FhirPathEvaluationError);
  EXPECT_EQ(run("'a.b.c'.replaceMatches('\\\\..*', '')"), "a");
  EXPECT_EQ(run("'John Smith'.replaceMatches('(\\\\w+) (\\\\w+)', '$2, $1')"), "Smith, John");
  EXPECT_EQ(run("'abab'.matches('(ab)\\\\1')"), "true");  // back-references work
  EXPECT_EQ(run("'h\xc3\xa9llo'.length()"), "5");         // code points, not bytes
  EXPECT_EQ(run("'h\xc3\xa9llo'.substring(1, 2)"), "\xc3\xa9l");
  EXPECT_EQ(run("'abc'.toChars()"), "a,b,c");
  EXPECT_EQ(run("'  a b  '.trim()"), "a b");
  EXPECT_EQ(run("'a,b,,c'.split(',')"), "a,b,,c");
  EXPECT_EQ(run("'a,b,,c'.split(',').count()"), "4");
  EXPECT_EQ(run("('a' | 'b' | 'c').join('-')"), "a-b-c");
  EXPECT_EQ(run("('a' | 'b').join()"), "ab");
  EXPECT_EQ(run("{}.upper()"), "{}");
  EXPECT_THROW(run("('a' | 'b').upper()"), FhirPathEvaluationError);
  EXPECT_THROW(run("1.upper()"), FhirPathEvaluationError);
}

TEST(FhirPathFunctions, RegularExpressionsOnLongStrings) {
  // std::regex's recursive matcher would overflow the stack on these (see regex.h).
  rapidjson::Document doc;
  fhir::parseJson(R"({"resourceType":"Basic","long":")" + std::string(200000, 'a') +
                      R"(","medium":")" + std::string(10000, 'a') + R"("})",
                  doc);
  const auto eval = [&](const std::string& e) {
    return render(Expression::parse(e).evaluate(resourceNode(doc), Environment{}));
  };
  EXPECT_EQ(eval("long.matches('^[a-z]+$')"), "true");
  EXPECT_EQ(eval("long.matches('(a|b)*c')"), "false");
  EXPECT_EQ(eval("long.matches('aaa$')"), "true");
  EXPECT_EQ(eval("medium.replaceMatches('a+', 'x')"), "x");
  EXPECT_THROW(eval("long.replaceMatches('a+', 'x')"), FhirPathEvaluationError);
  // A pattern with back-references refuses long input instead of risking the stack.
  EXPECT_THROW(eval("medium.matches('(a)\\\\1')"), FhirPathEvaluationError);
}

TEST(FhirPathFunctions, UtilityAndAggregate) {
  EXPECT_EQ(run("(1 | 2).trace('x')"), "1,2");
  EXPECT_EQ(run("(1 | 2).trace('x', $this + 1)"), "1,2");
  EXPECT_EQ(run("(1 | 2 | 3).aggregate($this + $total, 0)"), "6");
  EXPECT_EQ(run("(1 | 2 | 3).aggregate(iif($total.empty(), $this, iif($this > $total, $this, "
                "$total)))"),
            "3");
  Environment env;
  env.now = std::chrono::system_clock::time_point(std::chrono::milliseconds(1612345678901));
  const auto at = [&](const std::string& e) {
    return render(Expression::parse(e).evaluate(Node{}, env));
  };
  EXPECT_EQ(at("now()"), "2021-02-03T09:47:58.901Z");
  EXPECT_EQ(at("today()"), "2021-02-03");
  EXPECT_EQ(at("timeOfDay()"), "09:47:58.901");
  EXPECT_EQ(at("today() < now()"), "{}");  // day vs millisecond precision
  EXPECT_EQ(at("today() = @2021-02-03"), "true");
  EXPECT_EQ(at("now() > @2021-02-03T09:00:00Z"), "true");
}

TEST(FhirPathFunctions, FhirAdditions) {
  const char* obs = R"({"resourceType":"Observation","status":"final",
    "code":{"coding":[{"system":"http://loinc.org","code":"1234-5"}]},
    "text":{"status":"generated","div":"<div>x</div>"}})";
  rapidjson::Document doc;
  fhir::parseJson(obs, doc);
  Environment env;
  env.resource = resourceNode(doc);
  const auto e = [&](const std::string& text) {
    return render(Expression::parse(text).evaluate(env.resource, env));
  };
  EXPECT_EQ(e("code.coding.memberOf('http://vs')"), "{}");  // no terminology: empty
  env.memberOf = [](const Node& coding, const std::string& url) -> std::optional<bool> {
    if (url != "http://vs") return std::nullopt;
    return fhir::getString(*coding.value, "code") == "1234-5";
  };
  EXPECT_EQ(e("code.coding.memberOf('http://vs')"), "true");
  EXPECT_EQ(e("code.coding.memberOf('http://other')"), "{}");
  EXPECT_EQ(e("conformsTo('http://hl7.org/fhir/StructureDefinition/Observation')"), "true");
  EXPECT_EQ(e("text.div.htmlChecks()"), "true");
  EXPECT_EQ(e("status.getValue()"), "final");
  EXPECT_EQ(e("status.getValue() is System.String"), "true");
  EXPECT_EQ(e("code.getValue()"), "{}");
  EXPECT_EQ(e("status.hasValue()"), "true");
  EXPECT_EQ(e("code.hasValue()"), "false");
  EXPECT_EQ(e("code.coding.code.hasValue()"), "true");
}

}  // namespace
}  // namespace sp::fhirpath
