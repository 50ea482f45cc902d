// Who may see the impact report: organisations whose role is commissioner or
// directory-administrator. The caller is known by the ODS code in its client certificate (CN);
// roles come from certs/organisations.csv (slug,ods_code,name,role), the same file the
// development certificates are made from, read once at start-up. Pure; immutable after
// parse(), so thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace sp::reports {

class ReportAccess {
 public:
  // Throws std::invalid_argument naming the line for a malformed file (a header with ods_code
  // and role columns is required; other columns are ignored).
  static ReportAccess parse(std::string_view csv);
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
