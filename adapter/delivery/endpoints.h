// Where a partner receives messages: its FHIR messaging Endpoint, and the reply addresses
// senders give (MessageHeader.source.endpoint). Pure readers over FHIR JSON; thread-safe.
#pragma once

#include <rapidjson/document.h>

#include <string>

namespace sp::delivery {

inline constexpr const char* kConnectionTypeSystem =
    "http://terminology.hl7.org/CodeSystem/endpoint-connection-type";
inline constexpr const char* kFhirMessaging = "hl7-fhir-msg";
inline constexpr const char* kFhirRest = "hl7-fhir-rest";

// Endpoint.address when the Endpoint is active (or has no status) and its connectionType is
// hl7-fhir-msg; "" otherwise.
std::string messagingAddressOf(const rapidjson::Value& endpoint);

// True when the Endpoint lists `eventCode` of `eventSystem` among its payloadType codings: the
// partner wants those messages pushed to it (for example BaRS servicerequest-request: new
// referrals, cancellations and handovers).
bool acceptsEvent(const rapidjson::Value& endpoint, const char* eventSystem, const char* eventCode);

// A reply address as senders give it: an http(s) URL, or a service id `system|value`.
struct ReplyAddress {
  std::string url;     // set when it is a URL
  std::string system;  // set (with value) when it is a service id
  std::string value;
  bool empty() const { return url.empty() && value.empty(); }
};
ReplyAddress parseReplyAddress(const std::string& text);

}  // namespace sp::delivery
