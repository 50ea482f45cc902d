// Lexing and parsing: literals, escapes, comments, precedence and syntax errors.
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

std::size_t errorOffset(const std::string& expression) {
  try {
    Expression::parse(expression);
  } catch (const FhirPathSyntaxError& e) {
    EXPECT_NE(std::string(e.what()).find("offset " + std::to_string(e.offset())),
              std::string::npos);
    return e.offset();
  }
  ADD_FAILURE() << "parsed: " << expression;
  return 0;
}

TEST(FhirPathParser, Literals) {
  EXPECT_EQ(run("true"), "true");
  EXPECT_EQ(run("false"), "false");
  EXPECT_EQ(run("42"), "42");
  EXPECT_EQ(run("-7"), "-7");
  EXPECT_EQ(run("3.140"), "3.140");
  EXPECT_EQ(run("'text'"), "text");
  EXPECT_EQ(run("{}"), "{}");
  EXPECT_EQ(run("@2020-01-02"), "2020-01-02");
  EXPECT_EQ(run("@2020-01-02T10:30:00.5+01:00"), "2020-01-02T10:30:00.5+01:00");
  EXPECT_EQ(run("@2015T"), "2015");
  EXPECT_EQ(run("@T14:30"), "14:30");
  EXPECT_EQ(run("4 'mg'"), "4 'mg'");
  EXPECT_EQ(run("1.5 'kg'"), "1.5 'kg'");
  EXPECT_EQ(run("2 years"), "2 'years'");
  EXPECT_EQ(run("-3 days"), "-3 'days'");
}

TEST(FhirPathParser, LiteralTypes) {
  const auto type = [](const std::string& e) {
    return Expression::parse(e).evaluate(Node{}, Environment{}).front().type;
  };
  EXPECT_EQ(type("1"), "System.Integer");
  EXPECT_EQ(type("1.0"), "System.Decimal");
  EXPECT_EQ(type("'a'"), "System.String");
  EXPECT_EQ(type("true"), "System.Boolean");
  EXPECT_EQ(type("@2020"), "System.Date");
  EXPECT_EQ(type("@2020-01-01T10:00"), "System.DateTime");
  EXPECT_EQ(type("@T10:00"), "System.Time");
  EXPECT_EQ(type("1 'mg'"), "System.Quantity");
}

TEST(FhirPathParser, StringEscapes) {
  EXPECT_EQ(run(R"('it\'s')"), "it's");
  EXPECT_EQ(run(R"('a\\b')"), "a\\b");
  EXPECT_EQ(run(R"('tab\there')"), "tab\there");
  EXPECT_EQ(run(R"('\u00e9')"), "\xc3\xa9");
  EXPECT_EQ(run(R"('\uD83D\uDE00')"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(run(R"('a\/b\"c\`d')"), "a/b\"c`d");
  // Unknown escapes keep their backslash (the R4 invariants' regular expressions use \. \s).
  EXPECT_EQ(run(R"('\.\s')"), "\\.\\s");
}

TEST(FhirPathParser, CommentsAndWhitespace) {
  EXPECT_EQ(run("1 + // one\n 2"), "3");
  EXPECT_EQ(run("1 /* two */ + 2"), "3");
  EXPECT_EQ(run("  (1\n+\t2)  "), "3");
}

TEST(FhirPathParser, Precedence) {
  EXPECT_EQ(run("1 + 2 * 3"), "7");
  EXPECT_EQ(run("(1 + 2) * 3"), "9");
  EXPECT_EQ(run("10 - 4 - 3"), "3");  // left-associative
  EXPECT_EQ(run("2 * 3 div 4"), "1");
  EXPECT_EQ(run("-'abc'.length()"), "-3");            // unary minus applies after the path
  EXPECT_EQ(run("1 + 1 = 2"), "true");                // additive binds tighter than =
  EXPECT_EQ(run("1 < 2 = true"), "true");             // comparison tighter than equality
  EXPECT_EQ(run("true or false and false"), "true");  // and tighter than or
  EXPECT_EQ(run("false implies false or true"), "true");
  EXPECT_EQ(run("(1 | 2 | 1).count()"), "2");  // union
  EXPECT_EQ(run("1 | 2 = 1 | 2"), "true");     // | tighter than =
  EXPECT_EQ(run("2 in 1 | 2"), "true");        // | tighter than in
  EXPECT_EQ(run("'a' & 'b' = 'ab'"), "true");
  EXPECT_EQ(run("1 + 2 is Integer"), "true");  // is looser than +
  EXPECT_EQ(run("true xor true or true"), "true");
}

TEST(FhirPathParser, KeywordsAsNames) {
  rapidjson::Document doc;
  fhir::parseJson(R"({"resourceType":"Basic","div":"d","contains":"c","as":"x"})", doc);
  const auto eval = [&](const std::string& e) {
    return render(Expression::parse(e).evaluate(resourceNode(doc), Environment{}));
  };
  EXPECT_EQ(eval("`div`"), "d");
  EXPECT_EQ(eval("Basic.contains"), "c");
  EXPECT_EQ(eval("Basic.as"), "x");
  EXPECT_EQ(eval("contains.contains('c')"), "true");
}

TEST(FhirPathParser, ExternalConstantSpellings) {
  EXPECT_EQ(run("%ucum"), "http://unitsofmeasure.org");
  EXPECT_EQ(run("%`vs-administrative-gender`"),
            "http://hl7.org/fhir/ValueSet/administrative-gender");
  EXPECT_EQ(run("%'ext-patient-birthPlace'"),
            "http://hl7.org/fhir/StructureDefinition/patient-birthPlace");
  EXPECT_THROW(run("%nope"), FhirPathEvaluationError);
}

TEST(FhirPathParser, SyntaxErrorsNameTheOffset) {
  EXPECT_EQ(errorOffset("1 +"), 3u);
  EXPECT_EQ(errorOffset("name.where(x"), 12u);
  EXPECT_EQ(errorOffset("'open"), 0u);
  EXPECT_EQ(errorOffset("a ? b"), 2u);
  EXPECT_EQ(errorOffset("a.b)"), 3u);
  EXPECT_EQ(errorOffset("and"), 0u);
  EXPECT_EQ(errorOffset("x is"), 4u);
  EXPECT_EQ(errorOffset("@2020-13-01"), 0u);
  EXPECT_EQ(errorOffset("$that"), 0u);
  EXPECT_EQ(errorOffset("99999999999999999999"), 0u);
  EXPECT_EQ(errorOffset("a /* never closed"), 2u);
}

TEST(FhirPathParser, UnknownFunctionsAndArityAreSyntaxErrors) {
  EXPECT_EQ(errorOffset("name.frobnicate()"), 5u);
  EXPECT_EQ(errorOffset("name.count(1)"), 5u);
  EXPECT_EQ(errorOffset("name.where()"), 5u);
  EXPECT_EQ(errorOffset("ofType('x' + 'y')"), 11u);
  EXPECT_EQ(errorOffset("matches('[unclosed')"), 8u);
}

TEST(FhirPathParser, DeepNestingIsRefused) {
  EXPECT_EQ(run(std::string(100, '(') + "1" + std::string(100, ')')), "1");
  EXPECT_THROW(Expression::parse(std::string(5000, '(') + "1" + std::string(5000, ')')),
               FhirPathSyntaxError);
  EXPECT_THROW(Expression::parse(std::string(5000, '-') + "1"), FhirPathSyntaxError);
  std::string chain = "a";
  for (int i = 0; i < 2000; ++i) chain += ".a";
  EXPECT_THROW(Expression::parse(chain), FhirPathSyntaxError);
}

TEST(FhirPathParser, ExpressionKeepsItsTextAndIsShareable) {
  const Expression e = Expression::parse("1 + 1");
  const Expression copy = e;
  EXPECT_EQ(copy.text(), "1 + 1");
  EXPECT_EQ(render(copy.evaluate(Node{}, Environment{})), "2");
}

}  // namespace
}  // namespace sp::fhirpath
