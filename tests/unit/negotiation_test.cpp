#include "rest/negotiation.h"

#include <gtest/gtest.h>

#include "fhir/errors.h"

namespace sp::rest {
namespace {

RestRequest withHeader(const std::string& name, const std::string& value) {
  RestRequest r;
  r.headers[name] = value;
  return r;
}

bool notAcceptable(const RestRequest& r) {
  try {
    negotiateResponseType(r);
  } catch (const fhir::FhirError& e) {
    return e.kind() == fhir::ErrorKind::kNotAcceptable;
  }
  return false;
}

TEST(Negotiation, AcceptHeader) {
  EXPECT_EQ(negotiateResponseType(RestRequest{}), "application/fhir+json; charset=utf-8");
  EXPECT_EQ(negotiateResponseType(withHeader("accept", "*/*")),
            "application/fhir+json; charset=utf-8");
  EXPECT_EQ(negotiateResponseType(withHeader("accept", "application/json")),
            "application/json; charset=utf-8");
  EXPECT_EQ(negotiateResponseType(withHeader("accept", "text/html, application/fhir+json;q=0.9")),
            "application/fhir+json; charset=utf-8");
  EXPECT_EQ(negotiateResponseType(withHeader("accept", "application/fhir+json; version=1.0.0")),
            "application/fhir+json; charset=utf-8");
  EXPECT_TRUE(notAcceptable(withHeader("accept", "application/fhir+xml")));
  EXPECT_TRUE(notAcceptable(withHeader("accept", "application/fhir+json; version=2.0.0")));
  EXPECT_TRUE(notAcceptable(withHeader("accept", "application/json;q=0")));
}

TEST(Negotiation, FormatParameterWins) {
  RestRequest r = withHeader("accept", "application/fhir+xml");
  r.query = {{"_format", "json"}};
  EXPECT_EQ(negotiateResponseType(r), "application/fhir+json; charset=utf-8");
  r.query = {{"_format", "xml"}};
  EXPECT_TRUE(notAcceptable(r));
}

TEST(Negotiation, BodyTypes) {
  EXPECT_NO_THROW(requireBodyType(withHeader("content-type", "application/fhir+json"), false));
  EXPECT_NO_THROW(
      requireBodyType(withHeader("content-type", "application/json; charset=utf-8"), false));
  EXPECT_NO_THROW(requireBodyType(withHeader("content-type", "application/json-patch+json"), true));
  EXPECT_THROW(requireBodyType(withHeader("content-type", "application/json"), true),
               fhir::FhirError);
  EXPECT_THROW(requireBodyType(withHeader("content-type", "text/plain"), false), fhir::FhirError);
  EXPECT_THROW(requireBodyType(RestRequest{}, false), fhir::FhirError);
}

TEST(Negotiation, ReturnPreference) {
  EXPECT_EQ(returnPreference(RestRequest{}), ReturnPreference::kRepresentation);
  EXPECT_EQ(returnPreference(withHeader("prefer", "return=minimal")), ReturnPreference::kMinimal);
  EXPECT_EQ(returnPreference(withHeader("prefer", "handling=strict, return=OperationOutcome")),
            ReturnPreference::kOperationOutcome);
}

}  // namespace
}  // namespace sp::rest
