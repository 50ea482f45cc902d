// Delivery on the write path (docs/delivery.md): write rules that put messages for partners into
// the outbox in the same store transaction as the change that causes them, and the reporter
// that makes an undelivered message visible to whoever caused it.
//
//  - ReferrerResponseRule (Task, afterWrite): when a provider accepts, rejects, completes or
//    reports non-attendance on a referral's Task, a BaRS servicerequest-response goes to the
//    referrer: to the conversation's reply address when the referral came by message, else to
//    the messaging Endpoint of the referral's requester (Organization.endpoint, a
//    PractitionerRole's own or its organisation's, or, for a requester named only by its ODS
//    code, the Organization with that code). Codes are given back in the receiver's own vocabulary
//    when its partner entry declares one (mappings/partners.json, ownVocabulary).
//  - ReferralPushRule (ServiceRequest, Task; afterWrite): a new referral, a cancellation or a
//    warm handover goes as a BaRS servicerequest-request to a receiver that prefers push.
//  - SubscriptionRule: Subscription (beforeWrite) is checked and made active; any write of a
//    resource that matches an active rest-hook Subscription's criteria (evaluated by the search
//    code against the version just written) enqueues a notification (delivery/subscription.h).
//  - CommunicationReporter: an undelivered message becomes a Communication (status not-done,
//    basedOn the resource it was about, sender the organisation whose change caused it,
//    recipient the one it was for, the message as payload, the reason as statusReason) that
//    both can search: Communication?based-on=Task/x&status=not-done, ?recipient=Organization/y.
//
// Thread-safe: the rules keep no state between requests.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "delivery/delivery_worker.h"
#include "mapping/mapping_set.h"
#include "rest/interactions.h"
#include "rest/write_rules.h"
#include "store/resource_store.h"

namespace sp::services {

// The adapter's public base URL for the messages it sends (fullUrls, source.endpoint). Known
// only once the server listens when the port is chosen by the system, hence settable later.
class PublicBase {
 public:
  void set(std::string url) {
    std::lock_guard<std::mutex> lock(mutex_);
    url_ = std::move(url);
  }
  std::string get() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return url_;
  }

 private:
  mutable std::mutex mutex_;
  std::string url_;
};

// Codes in messages are given in the receiver's own vocabulary (`mappings`, null: canonical only).
class ReferrerResponseRule : public rest::WriteRule {
 public:
  ReferrerResponseRule(const PublicBase& base, const mapping::MappingSet* mappings)
      : base_(base), mappings_(mappings) {}
  void beforeWrite(rapidjson::Document&, rest::WriteContext&) const override {}
  void afterWrite(const store::ResourceVersion& written, const rapidjson::Value& resource,
                  rest::WriteContext& context) const override;

 private:
  const PublicBase& base_;
  const mapping::MappingSet* mappings_;
};

// Pushes referral requests to a receiver whose messaging Endpoint lists the BaRS event
// servicerequest-request among its payloadType codings (it prefers push to polling): a new
// active referral (reason new) to its performer, a cancellation (reason update, ServiceRequest
// revoked or entered-in-error) to the same, and a new warm handover Task (reason new) to the
// Task's owner. ServiceRequest and Task, afterWrite; register it after the workflow's rules.
class ReferralPushRule : public rest::WriteRule {
 public:
  ReferralPushRule(const PublicBase& base, const mapping::MappingSet* mappings)
      : base_(base), mappings_(mappings) {}
  void beforeWrite(rapidjson::Document&, rest::WriteContext&) const override {}
  void afterWrite(const store::ResourceVersion& written, const rapidjson::Value& resource,
                  rest::WriteContext& context) const override;

 private:
  const PublicBase& base_;
  const mapping::MappingSet* mappings_;
};

class SubscriptionRule : public rest::WriteRule {
 public:
  explicit SubscriptionRule(const PublicBase& base) : base_(base) {}
  // Subscription only: refuses (422) a Subscription the adapter cannot serve, and sets a
  // requested one active.
  void beforeWrite(rapidjson::Document& resource, rest::WriteContext& context) const override;
  // The types whose writes are watched; a Subscription on another is refused (422).
  static constexpr const char* kNotifiedTypes[] = {"Task", "ServiceRequest"};
  static bool isNotifiedType(const std::string& type);
  // Every type: notifies the active rest-hook Subscriptions whose criteria match `written`.
  void afterWrite(const store::ResourceVersion& written, const rapidjson::Value& resource,
                  rest::WriteContext& context) const override;

 private:
  const PublicBase& base_;
};

// Registers the delivery rules (Task responses, Subscriptions) for every type that needs them.
// The rules must outlive the API.
void registerDeliveryRules(rest::WriteRules& rules, const ReferrerResponseRule& responses,
                           const ReferralPushRule& pushes, const SubscriptionRule& subscriptions);

// The outbox kind of a Subscription notification (store/outbox.h).
inline constexpr const char* kSubscriptionNotification = "subscription-notification";

class CommunicationReporter : public delivery::UndeliveredReporter {
 public:
  CommunicationReporter(store::ResourceStore& store, const rest::ApiContext& api)
      : store_(store), api_(api) {}
  void reportUndelivered(const store::OutboxEntry& entry, int attempts,
                         const std::string& reason) override;

 private:
  store::ResourceStore& store_;
  const rest::ApiContext& api_;
};

// The id of the Communication that reports outbox message `outboxId` as undelivered.
std::string undeliveredCommunicationId(std::int64_t outboxId);

}  // namespace sp::services
