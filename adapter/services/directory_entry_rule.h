// The hub's rule for Directory of Services entries (HealthcareService): an entry that comes
// without capacity, governance tier or review date is accepted and held for what it is, tagged
// hub-derived `directory-unassured` with an informational issue in the answer; once the
// directory team completes it, the tag goes (workflow/directory_entry.h). Runs on every write
// of a HealthcareService by a caller (create, update, patch), before validation. Thread-safe.
#pragma once

#include <rapidjson/document.h>

#include "rest/write_rules.h"

namespace sp::services {

class DirectoryEntryRule : public rest::WriteRule {
 public:
  void beforeWrite(rapidjson::Document& resource, rest::WriteContext& context) const override;
};

}  // namespace sp::services
