// Who is calling: a registered partner organisation (from its client certificate), a
// development caller over --plain-http (no identity, so no access rules), or the adapter itself
// doing its own follow-on work (handover expiry, publishing its mapping tables), possibly on a
// partner's behalf (a message's directory entries). The one model of the caller: access rules,
// the audit trail, the partner's vocabulary and the workflow's actor (services/) all derive
// from it.
#pragma once

#include <string>

#include "security/organisation_registry.h"

namespace sp::security {

struct Caller {
  enum class Kind { kOrganisation, kDevelopment, kAdapter };
  Kind kind = Kind::kAdapter;
  // kOrganisation: the caller's ODS code; kAdapter: the organisation it acts for (its codes and
  // its place in the workflow), empty for its own work; kDevelopment: empty.
  std::string odsCode;
  std::string subject;            // the certificate's subject, one line; kOrganisation only
  Role role = Role::kGpPractice;  // kOrganisation only

  static Caller organisation(const Organisation& org, std::string subject) {
    return {Kind::kOrganisation, org.odsCode, std::move(subject), org.role};
  }
  static Caller development() { return {Kind::kDevelopment, "", "", Role::kGpPractice}; }
  static Caller adapter() { return {Kind::kAdapter, "", "", Role::kGpPractice}; }
  // The adapter doing work a partner asked for, unchecked by access rules but in the partner's
  // vocabulary and with the partner as the workflow's actor.
  static Caller onBehalfOf(std::string odsCode) {
    return {Kind::kAdapter, std::move(odsCode), "", Role::kGpPractice};
  }

  // Access rules apply to organisations only.
  bool checked() const { return kind == Kind::kOrganisation; }
  bool is(Role r) const { return checked() && role == r; }
  // The name an audit record gives the caller: its ODS code, "development" or "adapter".
  std::string auditName() const;
};

// The caller behind a request's client certificate. `odsCode` is the certificate's CN and
// `subject` its whole subject; both empty mean no certificate, which only --plain-http allows
// (the TLS endpoint refuses such connections), and give the development caller.
// Throws FhirError kUnauthorized for a certificate without a CN and kForbidden for an
// organisation the registry does not know.
Caller identify(const OrganisationRegistry& registry, const std::string& odsCode,
                const std::string& subject);

}  // namespace sp::security
