// Dates, times and decimals: partial precision, time zones, calendar arithmetic, and the exact
// decimal type underneath the numbers.
#include <gtest/gtest.h>

#include <string>

#include "fhir/json.h"
#include "fhirpath/decimal.h"
#include "fhirpath/fhirpath.h"
#include "fhirpath/system_value.h"
#include "fhirpath/temporal.h"
#include "fhirpath_test_support.h"

namespace sp::fhirpath {
namespace {

using testing::render;
using testing::run;

std::string runOn(const std::string& expression, const std::string& json) {
  rapidjson::Document doc;
  fhir::parseJson(json, doc);
  return render(Expression::parse(expression).evaluate(resourceNode(doc), Environment{}));
}

TEST(FhirPathTemporal, SamePrecisionCompares) {
  EXPECT_EQ(run("@2012 = @2012"), "true");
  EXPECT_EQ(run("@2012-01-01 = @2012-01-02"), "false");
  EXPECT_EQ(run("@2012-01-01 < @2012-01-02"), "true");
  EXPECT_EQ(run("@2012-01-01T10:30:00 > @2012-01-01T10:29:59"), "true");
  EXPECT_EQ(run("@T10:00:00.5 = @T10:00:00.500"), "true");
  EXPECT_EQ(run("@T10:00:00 < @T10:00:00.001"), "true");  // seconds and ms: one precision
}

TEST(FhirPathTemporal, DifferentPrecisionIsUncertain) {
  EXPECT_EQ(run("@2012 = @2012-01"), "{}");
  EXPECT_EQ(run("@2012 != @2012-01"), "{}");
  EXPECT_EQ(run("@2012-01 < @2012-01-15"), "{}");
  EXPECT_EQ(run("@2012-01 < @2012-02-15"), "true");  // decided before the precisions differ
  EXPECT_EQ(run("@2012-01-01T10:30 = @2012-01-01T10:30:00"), "{}");
  EXPECT_EQ(run("@2012-01-01T10:30 ~ @2012-01-01T10:30:00"), "false");
  EXPECT_EQ(run("@2012-01-01 = @2012-01-01T10:00"), "{}");
  EXPECT_EQ(run("@2012-01-01 < @2012-01-02T10:00"), "true");
  EXPECT_EQ(run("@T10 = @T10:00"), "{}");
  EXPECT_EQ(run("@2012-01 in (@2012-01 | @2013)"), "true");
}

TEST(FhirPathTemporal, TimeZonesAreNormalised) {
  EXPECT_EQ(run("@2012-01-01T10:00:00+01:00 = @2012-01-01T09:00:00Z"), "true");
  EXPECT_EQ(run("@2012-01-01T23:30:00-01:00 > @2012-01-02T00:00:00Z"), "true");
  EXPECT_EQ(run("@2012-01-01T00:30:00+01:00 < @2012-01-01T00:00:00Z"), "true");
  EXPECT_EQ(run("(@2012-01-01T10:00:00+01:00 | @2012-01-01T09:00:00Z).count()"), "1");
}

TEST(FhirPathTemporal, TimesDoNotMeetDates) {
  EXPECT_EQ(run("@T10:00 < @T11:00"), "true");
  EXPECT_EQ(run("@T10:00 = @2012"), "false");
  EXPECT_THROW(run("@T10:00 < @2012"), FhirPathEvaluationError);
}

TEST(FhirPathTemporal, StringsMeetingDatesAreReadAsDates) {
  EXPECT_EQ(run("'2012-01-01' = @2012-01-01"), "true");
  EXPECT_EQ(run("'2012-01-01' < @2012-02"), "true");
  EXPECT_EQ(run("'not a date' = @2012"), "false");
}

TEST(FhirPathTemporal, UntypedJsonDatesCompareAsDates) {
  const char* period = R"({"resourceType":"Encounter",
    "period":{"start":"2020-01-01","end":"2020-01-01T10:00:00Z"},
    "p2":{"start":"2020-01-01T10:00:00+02:00","end":"2020-01-01T09:00:00Z"}})";
  EXPECT_EQ(runOn("period.start <= period.end", period), "{}");
  EXPECT_EQ(runOn("p2.start <= p2.end", period), "true");
  EXPECT_EQ(runOn("period.start = '2020-01-01'", period), "true");
}

TEST(FhirPathTemporal, CalendarArithmetic) {
  EXPECT_EQ(run("@2012-01-31 + 1 month"), "2012-02-29");
  EXPECT_EQ(run("@2012-03-01 - 1 day"), "2012-02-29");
  EXPECT_EQ(run("@2012 + 24 months"), "2014");
  EXPECT_EQ(run("@2012 + 25 months"), "2014");  // truncated to the value's precision
  EXPECT_EQ(run("@2012-01-01 + 36 hours"), "2012-01-02");
  EXPECT_EQ(run("@2012-12-31 + 1 'd'"), "2013-01-01");
  EXPECT_EQ(run("@2012-01-01T10:00:00Z + 90 minutes"), "2012-01-01T11:30:00Z");
  EXPECT_EQ(run("@2012-01-01T00:00:00.000Z - 1 'ms'"), "2011-12-31T23:59:59.999Z");
  EXPECT_EQ(run("@2012-01-01 + 2 weeks"), "2012-01-15");
  EXPECT_EQ(run("@2012-01-01 + 1 year = @2013-01-01"), "true");
  EXPECT_EQ(run("@T23:00 + 2 hours"), "01:00");
  EXPECT_EQ(run("@2012-01-01 + 1 'mg'"), "{}");
}

TEST(FhirPathTemporal, InvalidLiteralsAreSyntaxErrors) {
  EXPECT_THROW(Expression::parse("@2013-02-29"), FhirPathSyntaxError);
  EXPECT_THROW(Expression::parse("@2013-01-01T25:00"), FhirPathSyntaxError);
  EXPECT_THROW(Expression::parse("@T10:61"), FhirPathSyntaxError);
  EXPECT_NO_THROW(Expression::parse("@2012-02-29T23:59:59.999-05:00"));
}

TEST(FhirPathTemporal, ParsingAndFormatting) {
  const auto t = Temporal::parseDateTime("2020-02-03T04:05:06.7+05:30");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, TemporalKind::kDateTime);
  EXPECT_EQ(t->precision, TemporalPrecision::kSecond);
  EXPECT_EQ(t->millisecond, 700);
  EXPECT_EQ(t->offsetMinutes, 330);
  EXPECT_EQ(t->toString(), "2020-02-03T04:05:06.7+05:30");
  EXPECT_FALSE(Temporal::parseDateTime("2020-1-01"));
  EXPECT_FALSE(Temporal::parseDateTime("2020-01-01T10:00:00X"));
  EXPECT_FALSE(Temporal::parseTime("10:00Z"));
  EXPECT_EQ(Temporal::parseTime("T08")->precision, TemporalPrecision::kHour);
}

TEST(FhirPathDecimal, ParseFormatAndCompare) {
  EXPECT_EQ(Decimal::parse("1.50")->toString(), "1.50");
  EXPECT_EQ(Decimal::parse("-0.001")->toString(), "-0.001");
  EXPECT_EQ(Decimal::parse("1e3")->toString(), "1000");
  EXPECT_EQ(Decimal::parse("1.0E-7")->toString(), "0.00000010");
  EXPECT_EQ(Decimal::parse("123456789012345678901234567890")->toString(),
            "123456789012345678901234567890");
  EXPECT_FALSE(Decimal::parse("1.2.3"));
  EXPECT_FALSE(Decimal::parse("abc"));
  EXPECT_FALSE(Decimal::parse("1e400"));
  EXPECT_EQ(Decimal::compare(*Decimal::parse("1.0"), *Decimal::parse("1.00")), 0);
  EXPECT_EQ(Decimal::compare(*Decimal::parse("-2"), *Decimal::parse("1.5")), -1);
  EXPECT_EQ(Decimal::parse("2.345")->roundedTo(2).toString(), "2.35");
  EXPECT_EQ(Decimal::parse("-2.345")->roundedTo(2).toString(), "-2.35");
  EXPECT_EQ(Decimal::parse("1.500")->trimmed().toString(), "1.5");
  EXPECT_EQ(Decimal::parse("7.0")->toInteger(), 7);
  EXPECT_FALSE(Decimal::parse("7.5")->toInteger());
}

TEST(FhirPathDecimal, JsonDecimalsKeepTheirText) {
  const char* json = R"({"resourceType":"Observation","valueQuantity":{"value":1.50},
    "n":[1.0,1,1.00]})";
  EXPECT_EQ(runOn("value.value", json), "1.50");
  EXPECT_EQ(runOn("value.value = 1.5", json), "true");
  EXPECT_EQ(runOn("value.value is decimal", json), "true");
  EXPECT_EQ(runOn("value.value.toString()", json), "1.50");
  EXPECT_EQ(runOn("n.distinct().count()", json), "1");
  EXPECT_EQ(runOn("value.value * 2", json), "3.00");
}

}  // namespace
}  // namespace sp::fhirpath
