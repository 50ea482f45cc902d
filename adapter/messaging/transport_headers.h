// The HTTP headers of a FHIR message (MESSAGING.md "HTTP headers"), read without HTTP types:
// X-Request-Id and X-Correlation-Id (required UUIDs for BaRS partners, generated otherwise),
// NHSD-Target-Identifier (base64 JSON or system|value), the other NHSD-* headers kept as they
// came for the audit trail. (Accept's `version` parameter is negotiated by rest/negotiation.)
#pragma once

#include <map>
#include <optional>
#include <string>

namespace sp::messaging {

struct ServiceIdentifier {
  std::string system;
  std::string value;
};

struct TransportHeaders {
  std::string requestId;      // empty when absent
  std::string correlationId;  // empty when absent
  std::optional<ServiceIdentifier> target;
  std::string nhsdHeadersJson = "{}";  // every nhsd-* header, by lower-case name
};

// Reads the headers (names in lower case). Throws FhirError kInvalid when a present header is
// malformed (an X-Request-Id that is not a UUID, a target identifier that cannot be read).
TransportHeaders readTransportHeaders(const std::map<std::string, std::string>& headers);

// BaRS partners must send both ids; throws FhirError kInvalid naming the missing one.
void requireBarsHeaders(const TransportHeaders& headers);

// Fills absent ids with generated ones (FHIR partners).
void completeIds(TransportHeaders& headers, const std::string& newRequestId,
                 const std::string& newCorrelationId);

// "system|value", or base64 of {"system": ..., "value": ...}. nullopt when neither.
std::optional<ServiceIdentifier> parseServiceIdentifier(const std::string& text);

}  // namespace sp::messaging
