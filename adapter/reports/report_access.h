// Who may see the impact report: organisations whose role is commissioner or
// directory-administrator. The caller is known by the ODS code in its client certificate (CN);
// roles are the partner registry's (security::OrganisationRegistry, certs/organisations.csv,
// read once at start-up; services/report_operations.h makes this from it). Pure; immutable, so
// thread-safe.
#pragma once

#include <map>
#include <string>

namespace sp::reports {

class ReportAccess {
 public:
  // The organisations (ODS code -> role code, "commissioner", "gp-practice"...).
  static ReportAccess withRoles(std::map<std::string, std::string> roles);
  // Everyone may see reports, including callers without a certificate (--dev-open-reports).
  static ReportAccess open();

  // The role of an ODS code, or "" when the organisation is not listed.
  std::string roleOf(const std::string& odsCode) const;
  bool mayView(const std::string& odsCode) const;
  // Why not, for the OperationOutcome.
  std::string refusal(const std::string& odsCode) const;
  bool isOpen() const { return open_; }

  static bool roleMayView(const std::string& role) {
    return role == "commissioner" || role == "directory-administrator";
  }

 private:
  std::map<std::string, std::string> roles_;  // ODS code -> role
  bool open_ = false;
};

}  // namespace sp::reports
