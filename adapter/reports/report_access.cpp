#include "reports/report_access.h"

#include <algorithm>
#include <stdexcept>

#include "reports/csv.h"

namespace sp::reports {

ReportAccess ReportAccess::parse(std::string_view csv) {
  ReportAccess access;
  int odsColumn = -1, roleColumn = -1;
  for (const CsvRow& row : parseCsv(csv, '#')) {
    if (row.fields.size() == 1 && row.fields[0].empty()) continue;
    if (odsColumn < 0) {
      for (std::size_t i = 0; i < row.fields.size(); ++i) {
        if (row.fields[i] == "ods_code") odsColumn = static_cast<int>(i);
        if (row.fields[i] == "role") roleColumn = static_cast<int>(i);
      }
      if (odsColumn < 0 || roleColumn < 0) {
        throw std::invalid_argument("line " + std::to_string(row.line) +
                                    ": expected a header with ods_code and role columns");
      }
      continue;
    }
    if (row.fields.size() <= static_cast<std::size_t>(std::max(odsColumn, roleColumn))) {
      throw std::invalid_argument("line " + std::to_string(row.line) + ": too few fields");
    }
    const std::string& ods = row.fields[odsColumn];
    if (ods.empty()) {
      throw std::invalid_argument("line " + std::to_string(row.line) + ": no ODS code");
    }
    access.roles_[ods] = row.fields[roleColumn];
  }
  if (odsColumn < 0) throw std::invalid_argument("no header line with ods_code and role columns");
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
    return "Reports are for " + who + ", known by their client certificate; this request "
           "has none";
  }
  const std::string role = roleOf(odsCode);
  if (role.empty()) return "Reports are for " + who + "; " + odsCode + " is not a known organisation";
  return "Reports are for " + who + "; " + odsCode + " is a " + role;
}

}  // namespace sp::reports
