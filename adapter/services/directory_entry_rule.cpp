#include "services/directory_entry_rule.h"

#include "workflow/directory_entry.h"

namespace sp::services {

void DirectoryEntryRule::beforeWrite(rapidjson::Document& service, rest::WriteContext& c) const {
  if (auto issue = workflow::markDirectoryGaps(service)) {
    issue->diagnostics = "HealthcareService/" + c.id + ": " + issue->diagnostics;
    c.warnings.push_back(std::move(*issue));
  }
}

}  // namespace sp::services
