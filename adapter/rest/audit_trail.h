// The audit trail of the REST API: the record each interaction leaves (written by
// performInteraction in the interaction's own store transaction, so a write and its record
// commit or roll back together), and the AuditEvent read and search that show the trail to the
// directory administrator (security/access_policy.h says who). AuditEvent is never written
// through the API.
#pragma once

#include <optional>
#include <string>

#include "rest/interactions.h"

namespace sp::rest {

// The restful-interaction code of the route's interaction ("read", "search-type", ...), or the
// operation's name ("$validate", "$translate", "reports").
std::string interactionName(const Route& route);

// The audit record of an interaction on `route` that answered `status`; `version` is the
// resource read or written, if any.
store::AuditRecord auditRecordOf(const ApiContext& ctx, const Route& route,
                                 const InteractionInput& in, int status,
                                 const std::optional<store::ResourceVersion>& version);

// GET AuditEvent/<id> and GET AuditEvent?agent=&entity-type=&entity-id=&_count= (newest first,
// paged by _cursor). Other parameters are refused with 400.
InteractionResult auditEventInteraction(const ApiContext& ctx, store::StoreTransaction& tx,
                                        const Route& route, const InteractionInput& in);

}  // namespace sp::rest
