// FHIR R4 Subscription with a rest-hook channel (the Gravity SDOH way of learning of new and
// changed Tasks without polling): reading a Subscription, and the notification it receives.
// Pure; thread-safe.
//
// Payload choice (docs/delivery.md): no channel.payload means an empty POST (R4's "ping");
// any payload (application/fhir+json) gets an id-only notification in the shape of the R4
// Subscriptions Backport: a Bundle of type `history` whose first entry is a Parameters
// (subscription, status, type event-notification, notification-event with the focus) and whose
// second entry names the changed resource (fullUrl, request and response, no resource body), so
// the partner reads it with its own rights. Every entry of a `history` Bundle carries both
// `request` and `response` (R4 bdl-3 and bdl-4), as in the Backport's examples.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sp::delivery {

struct RestHook {
  std::string criteriaType;   // "Task" of "Task?owner=Organization/x"
  std::string criteriaQuery;  // "owner=Organization/x" (may be empty: every Task)
  std::string endpoint;       // where notifications go
  std::string payload;        // "" (empty notification) or a MIME type
};

// The rest-hook channel of a Subscription, or the reasons it is not one the adapter can serve
// (each a message naming the element). `problems` empty means the hook is usable.
std::optional<RestHook> readRestHook(const rapidjson::Value& subscription,
                                     std::vector<std::string>& problems);

struct NotificationParts {
  std::string bundleId;
  std::string timestamp;
  std::string baseUrl;
  std::string subscriptionId;
  std::string focusType;
  std::string focusId;
  bool created = false;        // the focus was created (POST) rather than updated (PUT)
  std::int64_t versionId = 0;  // the focus version written; 0: unknown (no etag)
  std::string lastModified;    // its meta.lastUpdated (FHIR instant); may be empty
};

// The id-only notification Bundle as JSON text.
std::string buildNotification(const NotificationParts& parts);

// R4: a Subscription whose notifications cannot be delivered goes to status `error`, with
// `error` saying why. The Subscription so changed; nullopt when it is not active (already in
// error, or off): nothing to change.
std::optional<rapidjson::Document> subscriptionInError(const rapidjson::Value& subscription,
                                                       const std::string& reason);

}  // namespace sp::delivery
