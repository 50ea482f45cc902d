// The audit trail's vocabulary: which AuditEvent action an interaction is, and how a stored
// audit record reads as an R4 AuditEvent (type rest, subtype the restful interaction, the
// calling organisation as agent with its certificate subject, the resource or query as entity,
// the request and correlation ids as entity details). Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "store/access.h"

namespace sp::security {

// C (create), R (read, vread, search, history), U (update, patch), D (delete), E (operations).
std::string auditAction(const std::string& interaction);

// The organisation an AuditEvent `agent` search value names, as a token over the agent's
// identifier: "X" and "https://fhir.nhs.uk/Id/ods-organization-code|X" name X, and that system
// with no code ("...|") names every agent (""). nullopt when the value can match no agent (another
// system, or "|X", an identifier without a system).
std::optional<std::string> auditAgentCode(const std::string& tokenValue);

// The AuditEvent JSON of one record.
std::string auditEventJson(const store::AuditRecord& record);

}  // namespace sp::security
