// GET HealthcareService/$alternatives: a searchset Bundle of the alternatives to a service,
// nearest first (services/directory_search.h). Parameters: servicerequest=<id> (the service is
// its HealthcareService performer, the person its subject, the cohorts its reasonCode), or
// service=<id> with optional patient=<id> and cohort=<code>[,<code>]; _count (default 10, at
// most the page limit). The caller must be one that may read the referral and the person.
// Registered for HealthcareService at type level, GET. Thread-safe.
#pragma once

#include "rest/interactions.h"

namespace sp::services {

class AlternativesOperation : public rest::Operation {
 public:
  rest::InteractionResult run(const rest::ApiContext& ctx, store::StoreTransaction& tx,
                              const rest::Route& route,
                              const rest::InteractionInput& in) const override;
};

}  // namespace sp::services
