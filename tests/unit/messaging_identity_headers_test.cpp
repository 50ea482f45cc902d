// The NHSD-* identity headers (messaging/identity_headers.h): read from base64 JSON, and refused
// when they name an organisation other than the sender.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "fhir/base64.h"
#include "fhir/errors.h"
#include "messaging/identity_headers.h"

namespace sp::messaging {
namespace {

using fhir::ErrorKind;
using fhir::FhirError;

std::string organisation(const std::string& ods) {
  return fhir::base64Encode(R"({"resourceType":"Organization","identifier":[{"system":)"
                            R"("https://fhir.nhs.uk/id/ods-organization-code","value":")" +
                            ods + R"("}]})");
}

std::string practitionerRoleAt(const std::string& ods) {
  return fhir::base64Encode(
      R"({"resourceType":"PractitionerRole","organization":{"identifier":{"system":)"
      R"("https://fhir.nhs.uk/Id/ods-organization-code","value":")" +
      ods + R"("}}})");
}

ErrorKind refusal(const std::map<std::string, std::string>& headers, const std::string& cert,
                  const std::vector<std::string>& sender) {
  try {
    checkIdentityHeaders(readIdentityHeaders(headers), cert, sender);
  } catch (const FhirError& e) {
    return e.kind();
  }
  return ErrorKind::kInternal;  // stands for "accepted"
}

TEST(MessagingIdentityHeaders, ReadsTheOrganisationOfEachHeader) {
  const auto ids = readIdentityHeaders({{"nhsd-end-user-organisation", organisation("A81001")},
                                        {"nhsd-requesting-practitioner", practitionerRoleAt("B1")},
                                        {"nhsd-requesting-software", "anything"}});
  ASSERT_EQ(ids.size(), 2u);
  EXPECT_EQ(ids[0].name, "NHSD-End-User-Organisation");
  EXPECT_EQ(ids[0].ods, std::vector<std::string>{"A81001"});
  EXPECT_EQ(ids[1].ods, std::vector<std::string>{"B1"});
  EXPECT_TRUE(readIdentityHeaders({{"nhsd-end-user-organisation", "e30="}})[0].ods.empty());
}

TEST(MessagingIdentityHeaders, AnUnreadableHeaderIsABadRequest) {
  EXPECT_EQ(refusal({{"nhsd-end-user-organisation", "not base64"}}, "", {}), ErrorKind::kInvalid);
  EXPECT_EQ(refusal({{"nhsd-end-user-organisation", fhir::base64Encode("[1]")}}, "", {}),
            ErrorKind::kInvalid);
  EXPECT_EQ(refusal({{"nhsd-requesting-practitioner", organisation("A81001")}}, "", {}),
            ErrorKind::kInvalid);
}

TEST(MessagingIdentityHeaders, TheOrganisationMustBeTheCertificatesOrElseTheSenders) {
  const std::map<std::string, std::string> gp{
      {"nhsd-end-user-organisation", organisation("A81001")}};
  EXPECT_EQ(refusal(gp, "A81001", {"Z1"}), ErrorKind::kInternal);  // the certificate decides
  EXPECT_EQ(refusal(gp, "Z1", {"A81001"}), ErrorKind::kForbidden);
  EXPECT_EQ(refusal(gp, "", {"A81001"}), ErrorKind::kInternal);
  EXPECT_EQ(refusal(gp, "", {"Z1"}), ErrorKind::kForbidden);
  EXPECT_EQ(refusal(gp, "", {}), ErrorKind::kInternal);  // nothing to compare with
  EXPECT_EQ(refusal({{"nhsd-requesting-practitioner", practitionerRoleAt("Z1")}}, "A81001", {}),
            ErrorKind::kForbidden);
}

}  // namespace
}  // namespace sp::messaging
