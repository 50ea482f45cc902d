#include "rest/delivery_rules.h"

#include <iostream>

#include "delivery/endpoints.h"
#include "delivery/outgoing_message.h"
#include "delivery/subscription.h"
#include "fhir/base64.h"
#include "fhir/errors.h"
#include "fhir/json.h"
#include "fhir/project_urls.h"
#include "mapping/mapping_set.h"
#include "mapping/normaliser.h"
#include "messaging/vocabulary.h"
#include "rest/resource_write.h"
#include "rest/rest_types.h"
#include "rest/workflow_rules.h"
#include "search/query_parser.h"
#include "security/access_policy.h"
#include "security/compartment.h"
#include "workflow/references.h"
#include "workflow/referral.h"
#include "workflow/task_rules.h"
#include "workflow/vocabulary.h"

namespace sp::rest {

using fhir::ErrorKind;
using fhir::FhirError;
using rapidjson::Value;

namespace {

// Subscriptions read per write at most (active rest-hooks on one type).
constexpr std::size_t kMaxSubscriptions = 200;
constexpr const char* kSubscriptionNotification = "subscription-notification";
constexpr const char* kOutboxIdentifierSystem = fhir::kOutboxMessageIdSystem;

struct Parsed {
  store::ResourceVersion version;
  rapidjson::Document doc;
};

std::optional<Parsed> loadCurrent(store::StoreTransaction& tx, const std::string& type,
                                  const std::string& id) {
  if (type.empty() || id.empty()) return std::nullopt;
  auto v = tx.current(type, id, false);
  if (!v || v->deleted || v->body.empty()) return std::nullopt;
  Parsed out;
  out.version = std::move(*v);
  fhir::parseJson(out.version.body, out.doc);
  return out;
}

std::unique_ptr<rapidjson::Document> parseBody(const std::string& body) {
  if (body.empty()) return nullptr;
  auto doc = std::make_unique<rapidjson::Document>();
  fhir::parseJson(body, *doc);
  return doc;
}

// Which Endpoints count: any messaging Endpoint (replies), or only one that asks for pushed
// referral requests.
enum class Wanted { kReplies, kPushedReferrals };

// The first messaging Endpoint among a resource's `endpoint` references: its address.
std::string messagingEndpointOf(store::StoreTransaction& tx, const Value& resource, Wanted wanted) {
  for (const Value* ref : workflow::elements(resource, "endpoint")) {
    const auto local = workflow::localReference(ref);
    if (local.type != "Endpoint") continue;
    if (auto endpoint = loadCurrent(tx, "Endpoint", local.id)) {
      if (wanted == Wanted::kPushedReferrals &&
          !delivery::acceptsEvent(endpoint->doc, delivery::kBarsEventSystem,
                                  "servicerequest-request")) {
        continue;
      }
      std::string address = delivery::messagingAddressOf(endpoint->doc);
      if (!address.empty()) return address;
    }
  }
  return "";
}

std::string firstOds(const Value& organisation) {
  const auto codes = workflow::odsIdentifiers(organisation);
  return codes.empty() ? "" : *codes.begin();
}

// A party as the outbox and ReplyRoute keep it (store/outbox.h: origin, recipient): its literal
// reference ("Organization/x"), or, for a reference by ODS code only (GP systems send
// `{"identifier": {"system": ODS, "value": ...}}`), the identifier as `system|value`. "" when
// the reference names neither.
std::string partyText(const Value* reference) {
  const auto local = workflow::localReference(reference);
  if (!local.empty()) return local.text();
  if (const auto ods = workflow::odsCodeOf(reference)) {
    return std::string(workflow::kOdsSystem) + "|" + *ods;
  }
  return "";
}

// The ODS code of a party kept as partyText `system|value`; "" for a literal reference.
std::string odsOfPartyText(const std::string& text) {
  const std::string prefix = std::string(workflow::kOdsSystem) + "|";
  return text.rfind(prefix, 0) == 0 ? text.substr(prefix.size()) : "";
}

// A Reference value for a party kept as partyText.
Value partyReference(const std::string& text, rapidjson::Document::AllocatorType& a) {
  Value out(rapidjson::kObjectType);
  const std::string ods = odsOfPartyText(text);
  if (ods.empty()) {
    out.AddMember("reference", fhir::makeString(text, a), a);
    return out;
  }
  out.AddMember("type", "Organization", a);  // a logical reference says what it names
  Value identifier(rapidjson::kObjectType);
  identifier.AddMember("system", fhir::makeString(workflow::kOdsSystem, a), a);
  identifier.AddMember("value", fhir::makeString(ods, a), a);
  out.AddMember("identifier", identifier, a);
  return out;
}

// A party as MessageHeader.sender or destination.receiver may name it: R4 allows only a
// Practitioner, PractitionerRole or Organization. A HealthcareService is named by the
// Organization that provides it; a reference by ODS code stays as it is; anything else (a
// Patient who referred themselves) is left out (nullopt).
std::optional<rapidjson::Document> messageParty(store::StoreTransaction& tx, const Value* reference,
                                                int depth = 0) {
  if (!reference || !reference->IsObject()) return std::nullopt;
  const auto local = workflow::localReference(reference);
  const bool allowed = local.empty()
                           ? workflow::odsCodeOf(reference).has_value()
                           : local.type == "Organization" || local.type == "PractitionerRole" ||
                                 local.type == "Practitioner";
  if (allowed) {
    rapidjson::Document out;
    out.CopyFrom(*reference, out.GetAllocator());
    return out;
  }
  if (local.type != "HealthcareService" || depth > 0) return std::nullopt;
  auto service = loadCurrent(tx, "HealthcareService", local.id);
  if (!service) return std::nullopt;
  return messageParty(tx, fhir::findMember(service->doc, "providedBy"), depth + 1);
}

// Sets the route's recipient to the organisation an Organization reference names (literal, or by
// ODS code only), with its ODS code for its own vocabulary.
void setRecipientOrganisation(store::StoreTransaction& tx, const Value* reference,
                              ReplyRoute& route) {
  const auto local = workflow::localReference(reference);
  if (local.type == "Organization") {
    route.recipient = local.text();
    if (auto organisation = loadCurrent(tx, "Organization", local.id)) {
      route.recipientOds = firstOds(organisation->doc);
    }
  } else if (const auto ods = workflow::odsCodeOf(reference); ods && local.empty()) {
    route.recipient = partyText(reference);
    route.recipientOds = *ods;
  }
}

// The messaging address of whoever a Reference names: an Organization or HealthcareService
// with a messaging Endpoint, a PractitionerRole's own Endpoint or its organisation's, or an
// Organization named only by its ODS code (as GP systems send it): the first Organization with
// that code that has one. Fills the recipient with the organisation behind the party (the role
// itself when it names none), so an undelivered message is granted to it.
std::string addressOfParty(store::StoreTransaction& tx, const Value* reference, ReplyRoute& route,
                           Wanted wanted = Wanted::kReplies) {
  auto local = workflow::localReference(reference);
  if (local.empty()) {
    const auto ods = workflow::odsCodeOf(reference);
    if (!ods) return "";
    for (const std::string& id :
         tx.findByIdentifier("Organization", store::IdentifierToken{workflow::kOdsSystem, *ods})) {
      auto organisation = loadCurrent(tx, "Organization", id);
      if (!organisation) continue;
      std::string address = messagingEndpointOf(tx, organisation->doc, wanted);
      if (address.empty()) continue;
      route.recipient = "Organization/" + id;
      route.recipientOds = *ods;
      return address;
    }
    return "";
  }
  if (local.type == "PractitionerRole") {
    auto role = loadCurrent(tx, "PractitionerRole", local.id);
    if (!role) return "";
    const Value* organisation = fhir::findMember(role->doc, "organization");
    if (std::string own = messagingEndpointOf(tx, role->doc, wanted); !own.empty()) {
      route.recipient = local.text();
      setRecipientOrganisation(tx, organisation, route);
      return own;
    }
    return addressOfParty(tx, organisation, route, wanted);
  }
  if (local.type != "Organization" && local.type != "HealthcareService") return "";
  auto party = loadCurrent(tx, local.type, local.id);
  if (!party) return "";
  if (local.type == "Organization") {
    route.recipient = local.text();
    route.recipientOds = firstOds(party->doc);
  } else {
    setRecipientOrganisation(tx, fhir::findMember(party->doc, "providedBy"), route);
  }
  return messagingEndpointOf(tx, party->doc, wanted);
}

// A stored resource as the receiver should see it: its own words added where its partner entry
// declares an own vocabulary (issue #7, outbound).
void presentToReceiver(const ApiContext& api, rapidjson::Document& resource,
                       const ReplyRoute& route) {
  if (!api.mappings || (route.recipientOds.empty() && route.destination.empty())) return;
  mapping::presentTo(*api.mappings, resource,
                     mapping::Sender{route.recipientOds, route.destination});
}

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

void notifySubscriptions(const ApiContext& api, store::StoreTransaction& tx,
                         const std::string& baseUrl, const store::ResourceVersion& written,
                         bool created) {
  const std::string& type = written.type;
  const std::string& id = written.id;
  const auto subscriptions = searchCurrent(
      api, tx, "Subscription", {{"status", "active"}, {"type", "rest-hook"}}, kMaxSubscriptions);
  for (const store::ResourceVersion& s : subscriptions) {
    rapidjson::Document subscription;
    fhir::parseJson(s.body, subscription);
    std::vector<std::string> problems;
    const auto hook = delivery::readRestHook(subscription, problems);
    if (!hook || !problems.empty() || hook->criteriaType != type) continue;
    QueryParams criteria = parseQueryString(hook->criteriaQuery);
    criteria.emplace_back("_id", id);
    const std::string subscriber = subscriberOf(tx, s.id);
    try {
      if (searchCurrent(api, tx, type, criteria, 1, subscriberAccess(subscriber)).empty()) continue;
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

std::string resolveReplyAddress(store::StoreTransaction& tx, const std::string& replyAddress,
                                ReplyRoute& route) {
  const delivery::ReplyAddress address = delivery::parseReplyAddress(replyAddress);
  if (!address.url.empty()) return address.url;
  if (address.empty()) return "";
  for (const std::string& id : tx.findByIdentifier(
           "HealthcareService", store::IdentifierToken{address.system, address.value})) {
    rapidjson::Document ref(rapidjson::kObjectType);
    ref.AddMember("reference", fhir::makeString("HealthcareService/" + id, ref.GetAllocator()),
                  ref.GetAllocator());
    if (std::string url = addressOfParty(tx, &ref, route); !url.empty()) return url;
  }
  return "";
}

std::optional<ReplyRoute> replyRouteFor(store::StoreTransaction& tx,
                                        const std::string& serviceRequestId,
                                        const rapidjson::Value& referral) {
  ReplyRoute route;
  if (const auto conversation = tx.conversationFor(serviceRequestId)) {
    // A referral that came by message: reply where its sender said, in its conversation.
    route.correlationId = conversation->correlationId;
    route.respondsTo = conversation->requestBundleId;
    route.recipientOds = conversation->senderOrganisation;
    route.destination = conversation->replyEndpoint;
    route.url = resolveReplyAddress(tx, conversation->replyEndpoint, route);
    if (route.recipient.empty() && !conversation->senderOrganisation.empty()) {
      // A reply address given as a URL: the sender is known by its ODS code.
      route.recipient = std::string(workflow::kOdsSystem) + "|" + conversation->senderOrganisation;
    }
  } else {
    // A referral made over REST: its conversation is the referral itself.
    route.correlationId = serviceRequestId;
  }
  if (route.url.empty()) {
    route.url = addressOfParty(tx, fhir::findMember(referral, "requester"), route);
    if (route.destination.empty()) route.destination = route.url;
  }
  if (route.url.empty()) return std::nullopt;
  return route;
}

void ReferrerResponseRule::afterWrite(const store::ResourceVersion& written,
                                      WriteContext& context) const {
  if (written.deleted) return;
  auto after = parseBody(written.body);
  if (!after) return;
  auto before =
      context.previous && !context.previous->deleted ? parseBody(context.previous->body) : nullptr;
  const auto news = delivery::referrerNewsOf(before.get(), *after);
  if (!news) return;
  const auto focus = workflow::localReference(fhir::findMember(*after, "focus"));
  if (focus.type != "ServiceRequest") return;
  auto referral = loadCurrent(context.tx, "ServiceRequest", focus.id);
  if (!referral) return;
  const auto route = replyRouteFor(context.tx, focus.id, referral->doc);
  if (!route) return;

  const ApiContext& api = context.api;
  presentToReceiver(api, referral->doc, *route);
  presentToReceiver(api, *after, *route);
  const std::string base = base_.get();
  delivery::MessageParts parts;
  parts.bundleId = api.ids.newId();
  parts.messageId = api.ids.newId();
  parts.timestamp = fhir::formatInstant(api.clock.now());
  parts.baseUrl = base;
  parts.eventCode = "servicerequest-response";
  parts.destinationEndpoint = route->destination;
  const auto sender = messageParty(context.tx, fhir::findMember(*after, "owner"));
  if (sender) parts.sender = &*sender;
  rapidjson::Document receiver(rapidjson::kObjectType);
  if (!route->recipient.empty()) {
    receiver.CopyFrom(partyReference(route->recipient, receiver.GetAllocator()),
                      receiver.GetAllocator());
    parts.receiver = &receiver;
  }
  parts.respondsTo = route->respondsTo;
  parts.resources = {{"ServiceRequest", focus.id, &referral->doc},
                     {"Task", written.id, after.get()}};

  store::OutboxMessage message;
  message.receiver = route->url;
  message.url = route->url;
  message.kind = "bars-response";
  message.body = delivery::buildMessage(parts);
  message.correlationId = route->correlationId;
  message.about = "Task/" + written.id;
  message.origin = partyText(fhir::findMember(*after, "owner"));
  message.recipient = route->recipient;
  context.tx.enqueue(message);
}

namespace {

// Pushes one servicerequest-request message (referral, cancellation or handover) to `party`,
// when its Endpoint asks for pushed referral requests.
void pushReferral(const ApiContext& api, store::StoreTransaction& tx, const std::string& baseUrl,
                  const Value* party, const std::string& reason, const std::string& kind,
                  const std::string& about, const std::string& serviceRequestId,
                  rapidjson::Document& referral, rapidjson::Document* task,
                  const std::string& taskId) {
  ReplyRoute route;
  route.url = addressOfParty(tx, party, route, Wanted::kPushedReferrals);
  if (route.url.empty()) return;
  route.destination = route.url;
  const auto conversation = tx.conversationFor(serviceRequestId);
  route.correlationId = conversation ? conversation->correlationId : serviceRequestId;
  auto patient = loadCurrent(tx, "Patient",
                             workflow::localReference(fhir::findMember(referral, "subject")).id);
  presentToReceiver(api, referral, route);
  if (task) presentToReceiver(api, *task, route);
  delivery::MessageParts parts;
  parts.bundleId = api.ids.newId();
  parts.messageId = api.ids.newId();
  parts.timestamp = fhir::formatInstant(api.clock.now());
  parts.baseUrl = baseUrl;
  parts.eventCode = "servicerequest-request";
  parts.reasonCode = reason;
  parts.destinationEndpoint = route.destination;
  const auto sender = messageParty(tx, fhir::findMember(referral, "requester"));
  if (sender) parts.sender = &*sender;
  // The organisation behind the receiving party (a HealthcareService's provider).
  rapidjson::Document receiver(rapidjson::kObjectType);
  if (!route.recipient.empty()) {
    receiver.CopyFrom(partyReference(route.recipient, receiver.GetAllocator()),
                      receiver.GetAllocator());
    parts.receiver = &receiver;
  }
  parts.resources = {{"ServiceRequest", serviceRequestId, &referral}};
  if (task) parts.resources.push_back({"Task", taskId, task});
  if (patient) parts.resources.push_back({"Patient", patient->version.id, &patient->doc});
  store::OutboxMessage message;
  message.receiver = route.url;
  message.url = route.url;
  message.kind = kind;
  message.body = delivery::buildMessage(parts);
  message.correlationId = route.correlationId;
  message.about = about;
  message.origin = partyText(fhir::findMember(referral, "requester"));
  message.recipient = route.recipient.empty() ? partyText(party) : route.recipient;
  tx.enqueue(message);
  // The request is kept as Bundle/<its Bundle.id>, tagged (message-direction pushed, its
  // correlation id), so the receiver's BaRS servicerequest-response, which names it in
  // MessageHeader.response.identifier, finds the referral (rest/process_message.cpp).
  rapidjson::Document pushed;
  fhir::parseJson(message.body, pushed);
  storeMessageBundle(api, tx, parts.bundleId, pushed,
                     {{messaging::kTagDirection, messaging::kDirectionPushed},
                      {messaging::kTagCorrelationId, route.correlationId}});
}

}  // namespace

void ReferralPushRule::afterWrite(const store::ResourceVersion& written,
                                  WriteContext& context) const {
  if (written.deleted) return;
  auto after = parseBody(written.body);
  if (!after) return;
  const bool created = !context.previous || context.previous->deleted;
  if (written.type == "Task") {
    // A warm handover asks its new owner to take the person on.
    if (!created || !workflow::isWarmHandover(*after)) return;
    const auto focus = workflow::localReference(fhir::findMember(*after, "focus"));
    if (focus.type != "ServiceRequest") return;
    auto referral = loadCurrent(context.tx, "ServiceRequest", focus.id);
    if (!referral) return;
    pushReferral(context.api, context.tx, base_.get(), fhir::findMember(*after, "owner"), "new",
                 "handover-push", "Task/" + written.id, focus.id, referral->doc, after.get(),
                 written.id);
    return;
  }
  auto before = created ? nullptr : parseBody(context.previous->body);
  const auto push = delivery::referralPushOf(before.get(), *after);
  if (!push) return;
  const std::string taskId = workflow::referralTaskId(written.id);
  auto task = loadCurrent(context.tx, "Task", taskId);
  pushReferral(context.api, context.tx, base_.get(), workflow::firstPerformer(*after),
               delivery::reasonCode(*push),
               *push == delivery::ReferralPush::kNew ? "referral-push" : "cancellation-push",
               "ServiceRequest/" + written.id, written.id, *after, task ? &task->doc : nullptr,
               taskId);
}

void SubscriptionRule::beforeWrite(rapidjson::Document& resource, WriteContext& context) const {
  if (context.type != "Subscription" || !resource.IsObject()) return;
  std::vector<std::string> problems;
  const auto hook = delivery::readRestHook(resource, problems);
  if (hook && problems.empty() && context.api.indexer) {
    try {
      search::SearchLimits limits;
      search::parseSearch(hook->criteriaType, parseQueryString(hook->criteriaQuery),
                          *context.api.indexer, limits, true);
    } catch (const FhirError& e) {
      problems.push_back(std::string("Subscription.criteria: ") + e.what());
    }
    if (!context.api.definitions.isResourceType(hook->criteriaType)) {
      problems.push_back("Subscription.criteria: " + hook->criteriaType +
                         " is not a resource type");
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

void SubscriptionRule::afterWrite(const store::ResourceVersion& written,
                                  WriteContext& context) const {
  if (written.deleted || context.type == "Subscription") return;
  const bool created = !context.previous || context.previous->deleted;
  // The Tasks and referrals the workflow writes itself come here too (ApiContext::followOnRules).
  notifySubscriptions(context.api, context.tx, base_.get(), written, created);
}

void registerDeliveryRules(WriteRules& rules, const ReferrerResponseRule& responses,
                           const ReferralPushRule& pushes, const SubscriptionRule& subscriptions) {
  rules.add("Task", &responses);
  rules.add("Task", &pushes);
  rules.add("ServiceRequest", &pushes);
  for (const char* type : {"Subscription", "Task", "ServiceRequest"}) {
    rules.add(type, &subscriptions);
  }
}

std::string undeliveredCommunicationId(std::int64_t outboxId) {
  return "undelivered-" + std::to_string(outboxId);
}

namespace {

// R4: the Subscription (`about`, "Subscription/id") whose notification could not be delivered
// goes to status `error` with the reason; it is notified no more until its owner sets it active
// again. Written without the write rules (they would make it active).
void markSubscriptionInError(const ApiContext& api, store::StoreTransaction& tx,
                             const std::string& about, const std::string& reason) {
  const std::string prefix = "Subscription/";
  if (about.rfind(prefix, 0) != 0) return;
  const std::string id = about.substr(prefix.size());
  const auto held = tx.current("Subscription", id, true);
  if (!held || held->deleted) return;
  rapidjson::Document subscription;
  fhir::parseJson(held->body, subscription);
  auto failed = delivery::subscriptionInError(subscription, "Notification undelivered: " + reason);
  if (!failed) return;
  ApiContext bare = api;
  bare.rules = nullptr;
  InteractionInput in;
  InteractionResult result;
  writeVersion(bare, tx, "Subscription", id, *failed, held, "PUT", in, result);
}

// The organisation behind a party kept as partyText, as an undelivered notice names it: an
// Organization by its literal reference and its ODS code; a PractitionerRole or
// HealthcareService as the organisation behind it (itself when it names none); an ODS code as
// the identifier, with the literal reference when exactly one Organization has that code. The
// compartment grants the notice to whichever organisation it names (security/compartment.h).
Value organisationReference(store::StoreTransaction& tx, const std::string& text,
                            rapidjson::Document::AllocatorType& a, int depth = 0) {
  std::string literal;
  std::string ods = odsOfPartyText(text);
  if (!ods.empty()) {
    const auto ids =
        tx.findByIdentifier("Organization", store::IdentifierToken{workflow::kOdsSystem, ods});
    if (ids.size() == 1) literal = "Organization/" + ids.front();
  } else {
    literal = text;
    const auto local = workflow::parseReference(text);
    if (local.type == "Organization") {
      if (auto organisation = loadCurrent(tx, "Organization", local.id)) {
        ods = firstOds(organisation->doc);
      }
    } else if ((local.type == "PractitionerRole" || local.type == "HealthcareService") &&
               depth < 2) {
      if (auto party = loadCurrent(tx, local.type, local.id)) {
        const std::string behind = partyText(fhir::findMember(
            party->doc, local.type == "PractitionerRole" ? "organization" : "providedBy"));
        if (!behind.empty()) return organisationReference(tx, behind, a, depth + 1);
      }
    }
  }
  Value out(rapidjson::kObjectType);
  if (!literal.empty()) {
    out.AddMember("reference", fhir::makeString(literal, a), a);
  } else if (!ods.empty()) {
    out.AddMember("type", "Organization", a);
  }
  if (!ods.empty()) {
    Value identifier(rapidjson::kObjectType);
    identifier.AddMember("system", fhir::makeString(workflow::kOdsSystem, a), a);
    identifier.AddMember("value", fhir::makeString(ods, a), a);
    out.AddMember("identifier", identifier, a);
  }
  return out;
}

}  // namespace

void CommunicationReporter::reportUndelivered(const store::OutboxEntry& entry, int attempts,
                                              const std::string& reason) {
  const std::string id = undeliveredCommunicationId(entry.id);
  store_.inTransaction([&](store::StoreTransaction& tx) {
    const auto existing = tx.current("Communication", id, true);
    if (existing && !existing->deleted) return;  // reported before a crash: once is enough
    if (entry.message.kind == kSubscriptionNotification) {
      markSubscriptionInError(api_, tx, entry.message.about, reason);
    }
    rapidjson::Document c(rapidjson::kObjectType);
    auto& a = c.GetAllocator();
    const auto text = [&a](const std::string& s) { return fhir::makeString(s, a); };
    const auto reference = [&](const std::string& r) {
      Value out(rapidjson::kObjectType);
      out.AddMember("reference", text(r), a);
      return out;
    };
    c.AddMember("resourceType", "Communication", a);
    Value identifier(rapidjson::kObjectType);
    identifier.AddMember("system", text(kOutboxIdentifierSystem), a);
    identifier.AddMember("value", text(std::to_string(entry.id)), a);
    Value identifiers(rapidjson::kArrayType);
    identifiers.PushBack(identifier, a);
    c.AddMember("identifier", identifiers, a);
    if (!entry.message.about.empty()) {
      Value basedOn(rapidjson::kArrayType);
      basedOn.PushBack(reference(entry.message.about), a);
      c.AddMember("basedOn", basedOn, a);
    }
    c.AddMember("status", "not-done", a);
    Value statusReason(rapidjson::kObjectType);
    statusReason.AddMember("text", text("Undelivered: " + reason), a);
    c.AddMember("statusReason", statusReason, a);
    // Whoever sent it and whoever it was for find it: the compartment grants it to both.
    if (!entry.message.recipient.empty()) {
      Value recipients(rapidjson::kArrayType);
      recipients.PushBack(organisationReference(tx, entry.message.recipient, a), a);
      c.AddMember("recipient", recipients, a);
    }
    if (!entry.message.origin.empty()) {
      c.AddMember("sender", organisationReference(tx, entry.message.origin, a), a);
    }
    // The message itself, exactly as it was sent, so that it can be passed on another way.
    if (!entry.message.body.empty()) {
      Value attachment(rapidjson::kObjectType);
      attachment.AddMember("contentType", text(entry.message.contentType), a);
      attachment.AddMember("data", text(fhir::base64Encode(entry.message.body)), a);
      attachment.AddMember("title", text("The undelivered " + entry.message.kind + " message"), a);
      Value payload(rapidjson::kObjectType);
      payload.AddMember("contentAttachment", attachment, a);
      Value payloads(rapidjson::kArrayType);
      payloads.PushBack(payload, a);
      c.AddMember("payload", payloads, a);
    }
    Value note(rapidjson::kObjectType);
    note.AddMember("text",
                   text("The adapter could not deliver a " + entry.message.kind + " message to " +
                        entry.message.url + " after " + std::to_string(attempts) +
                        " attempt(s); X-Correlation-Id " + entry.message.correlationId + "."),
                   a);
    Value notes(rapidjson::kArrayType);
    notes.PushBack(note, a);
    c.AddMember("note", notes, a);
    ApiContext bare = api_;
    bare.rules = nullptr;
    InteractionInput in;
    InteractionResult result;
    writeVersion(bare, tx, "Communication", id, c, existing, "PUT", in, result);
  });
}

}  // namespace sp::rest
