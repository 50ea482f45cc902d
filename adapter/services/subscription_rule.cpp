#include <iostream>

#include "delivery/endpoints.h"
#include "delivery/subscription.h"
#include "fhir/errors.h"
#include "fhir/json.h"
#include "rest/rest_types.h"
#include "rest/search_current.h"
#include "search/query_parser.h"
#include "security/access_policy.h"
#include "security/compartment.h"
#include "services/delivery_rules.h"
#include "workflow/references.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;
using rapidjson::Value;

namespace {

// Subscriptions read per write at most (active rest-hooks on one type).
constexpr std::size_t kMaxSubscriptions = 200;

// A notification tells its subscriber that a resource matched: the criteria are evaluated with
// the access rules of the organisation that created the Subscription, so nobody learns of a
// record (or, through a chained criterion, of what it references) it could not search for.
// A Subscription made by an unchecked caller (plain HTTP in development) has no such limit.
// The subscriber is that organisation (its ODS code); "" for an unchecked caller.
std::string subscriberOf(store::StoreTransaction& tx, const std::string& subscriptionId) {
  const auto creators = tx.grantHolders("Subscription", subscriptionId, security::kCreator);
  return creators.empty() ? "" : creators.front();
}

std::optional<store::AccessFilter> subscriberAccess(const std::string& subscriber) {
  if (subscriber.empty()) return std::nullopt;
  return store::AccessFilter{subscriber, security::openTypes()};
}

void notifySubscriptions(const rest::ApiContext& api, store::StoreTransaction& tx,
                         const std::string& baseUrl, const store::ResourceVersion& written,
                         bool created) {
  const std::string& type = written.type;
  const std::string& id = written.id;
  const auto subscriptions = rest::searchCurrent(
      api, tx, "Subscription", {{"status", "active"}, {"type", "rest-hook"}}, kMaxSubscriptions);
  for (const store::ResourceVersion& s : subscriptions) {
    rapidjson::Document subscription;
    fhir::parseJson(s.body, subscription);
    std::vector<std::string> problems;
    const auto hook = delivery::readRestHook(subscription, problems);
    if (!hook || !problems.empty() || hook->criteriaType != type) continue;
    rest::QueryParams criteria = rest::parseQueryString(hook->criteriaQuery);
    criteria.emplace_back("_id", id);
    const std::string subscriber = subscriberOf(tx, s.id);
    try {
      if (rest::searchCurrent(api, tx, type, criteria, 1, subscriberAccess(subscriber)).empty())
        continue;
    } catch (const FhirError& e) {  // criteria that no longer parse: skip, never fail the write
      std::cerr << "Subscription/" << s.id << ": criteria not evaluated: " << e.what() << "\n";
      continue;
    }
    store::OutboxMessage message;
    message.receiver = hook->endpoint;
    message.url = hook->endpoint;
    message.kind = kSubscriptionNotification;
    message.correlationId = s.id;
    message.about = "Subscription/" + s.id;
    // Should it end undelivered, the subscriber finds the notice (CommunicationReporter).
    if (!subscriber.empty()) {
      message.recipient = std::string(workflow::kOdsSystem) + "|" + subscriber;
    }
    if (!hook->payload.empty()) {
      delivery::NotificationParts parts;
      parts.bundleId = api.ids.newId();
      parts.timestamp = fhir::formatInstant(api.clock.now());
      parts.baseUrl = baseUrl;
      parts.subscriptionId = s.id;
      parts.focusType = type;
      parts.focusId = id;
      parts.created = created;
      parts.versionId = written.versionId;
      parts.lastModified = fhir::formatInstant(written.lastUpdated);
      message.body = delivery::buildNotification(parts);
    }
    tx.enqueue(message);
  }
}

}  // namespace

bool SubscriptionRule::isNotifiedType(const std::string& type) {
  for (const char* watched : kNotifiedTypes) {
    if (type == watched) return true;
  }
  return false;
}

void SubscriptionRule::beforeWrite(rapidjson::Document& resource,
                                   rest::WriteContext& context) const {
  if (context.type != "Subscription" || !resource.IsObject()) return;
  std::vector<std::string> problems;
  const auto hook = delivery::readRestHook(resource, problems);
  if (hook && problems.empty() && context.api.indexer) {
    try {
      search::SearchLimits limits;
      search::parseSearch(hook->criteriaType, rest::parseQueryString(hook->criteriaQuery),
                          *context.api.indexer, limits, true);
    } catch (const FhirError& e) {
      problems.push_back(std::string("Subscription.criteria: ") + e.what());
    }
    if (!context.api.definitions.isResourceType(hook->criteriaType)) {
      problems.push_back("Subscription.criteria: " + hook->criteriaType +
                         " is not a resource type");
    } else if (!isNotifiedType(hook->criteriaType)) {
      // Only the writes of these types are watched (registerDeliveryRules): a Subscription on
      // another would be active and never notified.
      problems.push_back(
          "Subscription.criteria: notifications are sent for Task and "
          "ServiceRequest; " +
          hook->criteriaType + " is not watched");
    }
  }
  if (!problems.empty()) {
    std::vector<fhir::Issue> issues;
    for (const auto& p : problems) {
      issues.push_back({fhir::Severity::kError, "invalid", p, "Subscription"});
    }
    throw FhirError(ErrorKind::kUnprocessable, std::move(issues));
  }
  // R4: the client asks (requested), the server decides; a hook it can serve is active.
  if (fhir::getString(resource, "status") == "requested") {
    fhir::setMember(resource, "status", fhir::makeString("active", resource.GetAllocator()),
                    resource.GetAllocator());
  }
}

void SubscriptionRule::afterWrite(const store::ResourceVersion& written, const rapidjson::Value&,
                                  rest::WriteContext& context) const {
  if (written.deleted || context.type == "Subscription") return;
  const bool created = !context.previous || context.previous->deleted;
  // The Tasks and referrals the workflow writes itself come here too (ApiContext::followOnRules).
  notifySubscriptions(context.api, context.tx, base_.get(), written, created);
}

}  // namespace sp::services
