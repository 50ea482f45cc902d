#include "security/organisation_registry.h"

#include <stdexcept>
#include <vector>

#include "reports/csv.h"

namespace sp::security {
namespace {

constexpr std::pair<Role, std::string_view> kRoleCodes[] = {
    {Role::kGpPractice, "gp-practice"},
    {Role::kLinkWorkerService, "link-worker-service"},
    {Role::kSinglePointOfReferral, "single-point-of-referral"},
    {Role::kVcseProvider, "vcse-provider"},
    {Role::kMentalHealthNavigator, "mental-health-navigator"},
    {Role::kDirectoryAdministrator, "directory-administrator"},
    {Role::kCommissioner, "commissioner"},
};

int columnOf(const std::vector<std::string>& header, const std::string& name) {
  for (std::size_t i = 0; i < header.size(); ++i) {
    if (header[i] == name) return static_cast<int>(i);
  }
  throw std::invalid_argument("line 1: the header has no '" + name + "' column");
}

}  // namespace

std::string_view roleCode(Role role) {
  for (const auto& [r, code] : kRoleCodes) {
    if (r == role) return code;
  }
  return "";
}

std::optional<Role> parseRole(std::string_view code) {
  for (const auto& [r, c] : kRoleCodes) {
    if (c == code) return r;
  }
  return std::nullopt;
}

OrganisationRegistry OrganisationRegistry::parse(std::string_view csv) {
  const std::vector<reports::CsvRow> rows = reports::parseCsv(csv, '#');
  if (rows.empty()) throw std::invalid_argument("line 1: the file is empty");
  const int ods = columnOf(rows.front().fields, "ods_code");
  const int role = columnOf(rows.front().fields, "role");
  int name = -1;
  for (std::size_t i = 0; i < rows.front().fields.size(); ++i) {
    if (rows.front().fields[i] == "name") name = static_cast<int>(i);
  }
  OrganisationRegistry registry;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& fields = rows[r].fields;
    const std::string where = "line " + std::to_string(rows[r].line) + ": ";
    if (fields.size() == 1 && fields[0].empty()) continue;  // a blank line
    if (static_cast<int>(fields.size()) <= std::max(ods, role)) {
      throw std::invalid_argument(where + "too few columns");
    }
    Organisation org;
    org.odsCode = fields[static_cast<std::size_t>(ods)];
    if (org.odsCode.empty()) throw std::invalid_argument(where + "no ODS code");
    const auto parsed = parseRole(fields[static_cast<std::size_t>(role)]);
    if (!parsed) {
      throw std::invalid_argument(where + "unknown role '" +
                                  fields[static_cast<std::size_t>(role)] + "'");
    }
    org.role = *parsed;
    if (name >= 0 && name < static_cast<int>(fields.size())) {
      org.name = fields[static_cast<std::size_t>(name)];
    }
    if (!registry.organisations_.emplace(org.odsCode, org).second) {
      throw std::invalid_argument(where + "ODS code " + org.odsCode + " is listed twice");
    }
  }
  return registry;
}

const Organisation* OrganisationRegistry::find(const std::string& odsCode) const {
  auto it = organisations_.find(odsCode);
  return it == organisations_.end() ? nullptr : &it->second;
}

}  // namespace sp::security
