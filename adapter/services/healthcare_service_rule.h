// The workflow's rule for HealthcareService writes: free places are kept by the adapter across
// full updates (PUT), and so are capacity, governance tier and review date when the update does
// not carry them (workflow/directory_entry.h); PATCH sets or removes them. Thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <string>

#include "rest/write_rules.h"
#include "services/workflow_settings.h"

namespace sp::services {

class HealthcareServiceRule : public rest::WriteRule {
 public:
  void beforeWrite(rapidjson::Document& resource, rest::WriteContext& context) const override;
};

}  // namespace sp::services
