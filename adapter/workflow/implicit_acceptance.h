// Implicit acceptance (issue #7's decision, docs/workflow.md): a provider's case system that has
// no word for "accepted" reports its first contact with the person ("Contacted" in a VCSE case
// system, translated to in-progress + first-contact-made) on a referral it has only received.
// The state machine has no requested/received -> in-progress move, so the adapter records the
// acceptance the contact implies as a version of its own first (accepted), then the contact
// (in-progress): the history, the place taken and the impact report's time to acceptance stay
// true. Pure; thread-safe.
#pragma once

#include <rapidjson/document.h>

namespace sp::workflow {

// True when a write moves a Task from requested or received straight to in-progress, either with
// no businessStatus of the project's (a UK Core or Gravity SDOH performer saying the work has
// begun: issue #17) or with one that records contact with the person: first-contact-made,
// plan-agreed or attending.
bool impliesAcceptance(const rapidjson::Value& before, const rapidjson::Value& after);

// The version the adapter records first: `before` with status accepted and its businessStatus
// kept in the project's codes only (a partner's own word in it would set the status again when
// codes are translated on the way in).
rapidjson::Document acceptanceStep(const rapidjson::Value& before);

}  // namespace sp::workflow
