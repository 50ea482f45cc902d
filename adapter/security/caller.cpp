#include "security/caller.h"

#include "fhir/errors.h"

namespace sp::security {

std::string Caller::auditName() const {
  switch (kind) {
    case Kind::kOrganisation:
      return odsCode;
    case Kind::kDevelopment:
      return "development";
    case Kind::kAdapter:
      return "adapter";
  }
  return "";
}

Caller identify(const OrganisationRegistry& registry, const std::string& odsCode,
                const std::string& subject) {
  if (odsCode.empty() && subject.empty()) return Caller::development();
  if (odsCode.empty()) {
    throw fhir::FhirError(fhir::ErrorKind::kUnauthorized, "login",
                          "The client certificate names no organisation (no CN)");
  }
  const Organisation* org = registry.find(odsCode);
  if (!org) {
    throw fhir::FhirError(fhir::ErrorKind::kForbidden, "forbidden",
                          "Organisation " + odsCode + " is not registered with the adapter");
  }
  return Caller::organisation(*org, subject);
}

}  // namespace sp::security
