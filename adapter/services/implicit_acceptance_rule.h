// The write rule that applies workflow/implicit_acceptance.h: when a partner's write of a Task
// moves it from requested or received straight to in-progress with a contact businessStatus
// ("Contacted" from a VCSE case system), the adapter first writes the accepted version through
// the whole write path (the same caller, so the state machine, who may move, the place taken,
// the referrer's response and Subscriptions all apply to it), and the partner's write follows
// it as the next version. Register it for Task after the mapping rule (it sees translated codes)
// and before the workflow's Task rule. Thread-safe: it keeps no state.
#pragma once

#include "rest/write_rules.h"

namespace sp::services {

class ImplicitAcceptanceRule : public rest::WriteRule {
 public:
  void beforeWrite(rapidjson::Document& task, rest::WriteContext& context) const override;
};

}  // namespace sp::services
