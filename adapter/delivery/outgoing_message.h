// The messages the adapter sends to partners, built as FHIR R4 message Bundles (type `message`,
// MessageHeader first) from stored resources. Pure: no I/O; thread-safe.
//
//  - BaRS `servicerequest-response` to the referrer when the provider accepts, rejects,
//    completes or reports non-attendance (the Task carries the detail: status, businessStatus,
//    statusReason).
//  - BaRS `servicerequest-request` to a receiver that prefers push: reason `new` for a new
//    referral or a warm handover, `update` for a cancellation (ServiceRequest revoked).
// Stored resources travel with their absolute fullUrl (base/Type/id), so the receiver can read
// them back from the adapter.
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <vector>

#include "workflow/task_status.h"

namespace sp::delivery {

inline constexpr const char* kBarsEventSystem =
    "https://fhir.nhs.uk/CodeSystem/message-events-bars";
inline constexpr const char* kBarsReasonSystem =
    "https://fhir.nhs.uk/CodeSystem/message-reason-bars";

// What about a Task change the referrer must hear.
enum class ReferrerNews { kAccepted, kRejected, kCompleted, kDidNotAttend };
const char* describe(ReferrerNews news);

// The news in a referral Task's move from `before` (null: created) to `after`, if any: a first
// move to accepted, rejected or completed, or businessStatus did-not-attend newly set. The
// sender's Task completed as handed over brings no news, nor does a warm handover's Task being
// accepted or rejected (between the two services); the new provider's non-attendance or
// completion on that Task is news (the referrer hears when the new provider acts).
std::optional<ReferrerNews> referrerNewsOf(const rapidjson::Value* before,
                                           const rapidjson::Value& after);

// What a change of a referral pushes to its receiver, if it prefers push: a new active referral
// (reason new), a cancellation (revoked or entered-in-error after being active: reason update).
enum class ReferralPush { kNew, kCancel };
std::optional<ReferralPush> referralPushOf(const rapidjson::Value* before,
                                           const rapidjson::Value& after);
const char* reasonCode(ReferralPush push);

// A stored resource that goes into a message.
struct MessageResource {
  std::string type;
  std::string id;
  const rapidjson::Value* body = nullptr;
};

struct MessageParts {
  std::string bundleId;             // a new UUID
  std::string messageId;            // a new UUID: MessageHeader.id
  std::string timestamp;            // FHIR instant
  std::string baseUrl;              // the adapter's base URL, for fullUrls and source.endpoint
  std::string eventCode;            // servicerequest-response or servicerequest-request
  std::string reasonCode;           // new, update; empty: no reason
  std::string destinationEndpoint;  // the partner's address or service id
  const rapidjson::Value* sender = nullptr;    // a Reference (the Task owner); may be null
  const rapidjson::Value* receiver = nullptr;  // a Reference; may be null
  std::string respondsTo;                      // MessageHeader.response.identifier; empty: none
  std::vector<MessageResource> resources;      // the first is the focus
};

// The message Bundle as JSON text.
std::string buildMessage(const MessageParts& parts);

}  // namespace sp::delivery
