#include "reports/report_access.h"

namespace sp::reports {

ReportAccess ReportAccess::withRoles(std::map<std::string, std::string> roles) {
  ReportAccess access;
  access.roles_ = std::move(roles);
  return access;
}

ReportAccess ReportAccess::open() {
  ReportAccess access;
  access.open_ = true;
  return access;
}

std::string ReportAccess::roleOf(const std::string& odsCode) const {
  const auto it = roles_.find(odsCode);
  return it == roles_.end() ? "" : it->second;
}

bool ReportAccess::mayView(const std::string& odsCode) const {
  return open_ || (!odsCode.empty() && roleMayView(roleOf(odsCode)));
}

std::string ReportAccess::refusal(const std::string& odsCode) const {
  const std::string who = "commissioner and directory-administrator organisations";
  if (odsCode.empty()) {
    return "Reports are for " + who +
           ", known by their client certificate; this request "
           "has none";
  }
  const std::string role = roleOf(odsCode);
  if (role.empty())
    return "Reports are for " + who + "; " + odsCode + " is not a known organisation";
  return "Reports are for " + who + "; " + odsCode + " is a " + role;
}

}  // namespace sp::reports
