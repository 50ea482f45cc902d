// Operators: math, equality and equivalence, comparison, three-valued logic, membership, union,
// type operators; empty propagation and the singleton rules.
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

std::string runOn(const std::string& expression, const std::string& json) {
  rapidjson::Document doc;
  fhir::parseJson(json, doc);
  Environment env;
  env.resource = resourceNode(doc);
  return render(Expression::parse(expression).evaluate(env.resource, env));
}

TEST(FhirPathOperators, IntegerArithmetic) {
  EXPECT_EQ(run("2 + 3"), "5");
  EXPECT_EQ(run("2 - 3"), "-1");
  EXPECT_EQ(run("4 * 5"), "20");
  EXPECT_EQ(run("7 div 2"), "3");
  EXPECT_EQ(run("-7 div 2"), "-3");
  EXPECT_EQ(run("7 mod 2"), "1");
  EXPECT_EQ(run("-7 mod 2"), "-1");
  EXPECT_EQ(run("+5"), "5");
  EXPECT_EQ(run("-(2 + 3)"), "-5");
  EXPECT_THROW(run("9223372036854775807 + 1"), FhirPathEvaluationError);
}

TEST(FhirPathOperators, DecimalArithmeticIsExact) {
  EXPECT_EQ(run("0.1 + 0.2"), "0.3");
  EXPECT_EQ(run("0.1 + 0.2 = 0.3"), "true");
  EXPECT_EQ(run("1.50 * 2"), "3.00");
  EXPECT_EQ(run("10 / 4"), "2.5");
  EXPECT_EQ(run("10 / 2"), "5.0");
  EXPECT_EQ(run("1 / 3"), "0.33333333");
  EXPECT_EQ(run("2 / 3"), "0.66666667");
  EXPECT_EQ(run("5.5 div 2"), "2");
  EXPECT_EQ(run("5.5 mod 2"), "1.5");
  EXPECT_EQ(run("1 + 1.5"), "2.5");
  EXPECT_EQ(run("(1 + 1.5) is Decimal"), "true");
}

TEST(FhirPathOperators, DivisionByZeroIsEmpty) {
  EXPECT_EQ(run("1 / 0"), "{}");
  EXPECT_EQ(run("1 div 0"), "{}");
  EXPECT_EQ(run("1 mod 0"), "{}");
  EXPECT_EQ(run("1.5 / 0.0"), "{}");
}

TEST(FhirPathOperators, StringsAndConcatenation) {
  EXPECT_EQ(run("'ab' + 'cd'"), "abcd");
  EXPECT_EQ(run("'ab' + {}"), "{}");
  EXPECT_EQ(run("'ab' & 'cd'"), "abcd");
  EXPECT_EQ(run("'ab' & {}"), "ab");
  EXPECT_EQ(run("{} & {}"), "");
  EXPECT_THROW(run("'a' + 1"), FhirPathEvaluationError);
  EXPECT_THROW(run("'a' & 1"), FhirPathEvaluationError);
}

TEST(FhirPathOperators, QuantityArithmetic) {
  EXPECT_EQ(run("4 'mg' + 6 'mg'"), "10 'mg'");
  EXPECT_EQ(run("1 'g' + 500 'mg'"), "1.5 'g'");
  EXPECT_EQ(run("3 'mg' * 2"), "6 'mg'");
  EXPECT_EQ(run("-(3 'mg')"), "-3 'mg'");
  EXPECT_EQ(run("1 'mg' + 1 'cm'"), "{}");
}

TEST(FhirPathOperators, EmptyPropagates) {
  EXPECT_EQ(run("{} + 1"), "{}");
  EXPECT_EQ(run("1 - {}"), "{}");
  EXPECT_EQ(run("{} = 1"), "{}");
  EXPECT_EQ(run("1 != {}"), "{}");
  EXPECT_EQ(run("{} = {}"), "{}");
  EXPECT_EQ(run("{} < 1"), "{}");
  EXPECT_EQ(run("-{}"), "{}");
  EXPECT_EQ(run("{} is Integer"), "{}");
}

TEST(FhirPathOperators, OperandsMustBeSingletons) {
  EXPECT_THROW(run("(1 | 2) + 1"), FhirPathEvaluationError);
  EXPECT_THROW(run("(1 | 2) < 3"), FhirPathEvaluationError);
  EXPECT_THROW(run("(1 | 2) in (1 | 2)"), FhirPathEvaluationError);
  EXPECT_THROW(run("(1 | 2) is Integer"), FhirPathEvaluationError);
  EXPECT_THROW(run("(true | false) and true"), FhirPathEvaluationError);
}

TEST(FhirPathOperators, Equality) {
  EXPECT_EQ(run("1 = 1"), "true");
  EXPECT_EQ(run("1 = 1.0"), "true");
  EXPECT_EQ(run("1.0 = 1.00"), "true");
  EXPECT_EQ(run("1 = 2"), "false");
  EXPECT_EQ(run("'a' = 'a'"), "true");
  EXPECT_EQ(run("'a' = 'A'"), "false");
  EXPECT_EQ(run("1 = '1'"), "false");
  EXPECT_EQ(run("true = true"), "true");
  EXPECT_EQ(run("1 != 2"), "true");
  EXPECT_EQ(run("(1 | 2 | 3) = (1 | 2 | 3)"), "true");
  EXPECT_EQ(run("(1 | 2) = (2 | 1)"), "false");  // order matters for =
  EXPECT_EQ(run("(1 | 2) = (1 | 2 | 3)"), "false");
  EXPECT_EQ(run("4 'mg' = 4 'mg'"), "true");
  EXPECT_EQ(run("1 'g' = 1000 'mg'"), "true");
  EXPECT_EQ(run("1 'g' = 1 'cm'"), "{}");
  EXPECT_EQ(run("1 week = 7 days"), "true");
  EXPECT_EQ(run("1 year = 1 'a'"), "{}");  // calendar vs UCUM year: not comparable for =
  EXPECT_EQ(run("1 year ~ 1 'a'"), "true");
}

TEST(FhirPathOperators, Equivalence) {
  EXPECT_EQ(run("'a' ~ 'A'"), "true");
  EXPECT_EQ(run("'a  b ' ~ ' A B'"), "true");
  EXPECT_EQ(run("'a' !~ 'b'"), "true");
  EXPECT_EQ(run("1.2 ~ 1.21"), "true");  // at the lesser precision
  EXPECT_EQ(run("1.2 ~ 1.26"), "false");
  EXPECT_EQ(run("{} ~ {}"), "true");
  EXPECT_EQ(run("{} ~ 1"), "false");
  EXPECT_EQ(run("(1 | 2) ~ (2 | 1)"), "true");  // order does not matter for ~
  EXPECT_EQ(run("(1 | 2) !~ (1 | 3)"), "true");
}

TEST(FhirPathOperators, DeepEqualityOfComplexValues) {
  const std::string patient = R"({"resourceType":"Patient",
    "name":[{"family":"Doe","given":["J"]},{"given":["J"],"family":"Doe"},{"family":"DOE",
    "given":["j"]}],"multipleBirthInteger":2,"extension":[{"url":"u","valueDecimal":2.0}]})";
  EXPECT_EQ(runOn("name[0] = name[1]", patient), "true");
  EXPECT_EQ(runOn("name[0] = name[2]", patient), "false");
  EXPECT_EQ(runOn("name[0] ~ name[2]", patient), "true");
  EXPECT_EQ(runOn("name.distinct().count()", patient), "2");
  EXPECT_EQ(runOn("name[0] = 'Doe'", patient), "false");
  EXPECT_EQ(runOn("extension.value = 2", patient), "true");
}

TEST(FhirPathOperators, Comparison) {
  EXPECT_EQ(run("1 < 2"), "true");
  EXPECT_EQ(run("2 <= 2.0"), "true");
  EXPECT_EQ(run("2.5 > 2"), "true");
  EXPECT_EQ(run("3 >= 4"), "false");
  EXPECT_EQ(run("'abc' < 'abd'"), "true");
  EXPECT_EQ(run("'B' < 'a'"), "true");  // code-point order
  EXPECT_EQ(run("5 'mg' < 1 'g'"), "true");
  EXPECT_EQ(run("5 'mg' < 1 'cm'"), "{}");
  EXPECT_THROW(run("1 < 'a'"), FhirPathEvaluationError);
  EXPECT_THROW(run("true < false"), FhirPathEvaluationError);
}

struct TruthRow {
  const char* left;
  const char* right;
  const char* andResult;
  const char* orResult;
  const char* xorResult;
  const char* impliesResult;
};

TEST(FhirPathOperators, ThreeValuedLogicTruthTables) {
  const TruthRow rows[] = {
      {"true", "true", "true", "true", "false", "true"},
      {"true", "false", "false", "true", "true", "false"},
      {"true", "{}", "{}", "true", "{}", "{}"},
      {"false", "true", "false", "true", "true", "true"},
      {"false", "false", "false", "false", "false", "true"},
      {"false", "{}", "false", "{}", "{}", "true"},
      {"{}", "true", "{}", "true", "{}", "true"},
      {"{}", "false", "false", "{}", "{}", "{}"},
      {"{}", "{}", "{}", "{}", "{}", "{}"},
  };
  for (const auto& r : rows) {
    const std::string l = r.left;
    const std::string rt = r.right;
    EXPECT_EQ(run(l + " and " + rt), r.andResult) << l << " and " << rt;
    EXPECT_EQ(run(l + " or " + rt), r.orResult) << l << " or " << rt;
    EXPECT_EQ(run(l + " xor " + rt), r.xorResult) << l << " xor " << rt;
    EXPECT_EQ(run(l + " implies " + rt), r.impliesResult) << l << " implies " << rt;
  }
  EXPECT_EQ(run("true.not()"), "false");
  EXPECT_EQ(run("false.not()"), "true");
  EXPECT_EQ(run("{}.not()"), "{}");
}

TEST(FhirPathOperators, LogicUsesSingletonEvaluation) {
  EXPECT_EQ(run("'x' and true"), "true");  // a single non-Boolean item counts as true
  EXPECT_EQ(run("5.not()"), "false");
  // Short-circuit: the right side is not evaluated when the left decides.
  EXPECT_EQ(run("false and (1 | 2) = (1 + (1 | 2))"), "false");
  EXPECT_EQ(run("true or %undefined"), "true");
  EXPECT_EQ(run("false implies %undefined"), "true");
}

TEST(FhirPathOperators, Membership) {
  EXPECT_EQ(run("1 in (1 | 2)"), "true");
  EXPECT_EQ(run("3 in (1 | 2)"), "false");
  EXPECT_EQ(run("1 in {}"), "false");
  EXPECT_EQ(run("{} in (1 | 2)"), "{}");
  EXPECT_EQ(run("(1 | 2) contains 2"), "true");
  EXPECT_EQ(run("(1 | 2) contains 5"), "false");
  EXPECT_EQ(run("(1 | 2) contains {}"), "{}");
  EXPECT_EQ(run("'b' in ('a' | 'b')"), "true");
  EXPECT_EQ(run("1.0 in (1 | 2)"), "true");
}

TEST(FhirPathOperators, UnionRemovesDuplicates) {
  EXPECT_EQ(run("1 | 2 | 2 | 1"), "1,2");
  EXPECT_EQ(run("(1 | 1.0).count()"), "1");
  EXPECT_EQ(run("('a' | 'A').count()"), "2");
  EXPECT_EQ(run("{} | 1"), "1");
}

TEST(FhirPathOperators, TypeOperators) {
  EXPECT_EQ(run("1 is Integer"), "true");
  EXPECT_EQ(run("1 is System.Integer"), "true");
  EXPECT_EQ(run("1 is Decimal"), "false");
  EXPECT_EQ(run("1.5 is Decimal"), "true");
  EXPECT_EQ(run("'a' is String"), "true");
  EXPECT_EQ(run("'a' is System.String"), "true");
  EXPECT_EQ(run("'a' is FHIR.string"), "false");  // a System.String is not a FHIR string
  EXPECT_EQ(run("true is Boolean"), "true");
  EXPECT_EQ(run("@2020 is Date"), "true");
  EXPECT_EQ(run("@2020-01-01T10:00 is DateTime"), "true");
  EXPECT_EQ(run("@T10:00 is Time"), "true");
  EXPECT_EQ(run("4 'mg' is Quantity"), "true");
  EXPECT_EQ(run("1 as Integer"), "1");
  EXPECT_EQ(run("1 as String"), "{}");
  EXPECT_EQ(run("(1 | 'a' | 2) as Integer"), "1,2");  // lenient: filters like ofType()
}

}  // namespace
}  // namespace sp::fhirpath
