#include "rest/delivery_rules.h"

#include <iostream>

#include "delivery/endpoints.h"
#include "delivery/outgoing_message.h"
#include "delivery/subscription.h"
#include "fhir/errors.h"
#include "fhir/json.h"
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
constexpr const char* kOutboxIdentifierSystem =
    "https://fhir.social-prescribing.example.org/Id/outbox-message";

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

// The messaging address of whoever a Reference names: an Organization or HealthcareService
// with a messaging Endpoint, or a PractitionerRole's organisation. Fills the recipient.
std::string addressOfParty(store::StoreTransaction& tx, const Value* reference, ReplyRoute& route,
                           Wanted wanted = Wanted::kReplies) {
  auto local = workflow::localReference(reference);
  if (local.type == "PractitionerRole") {
    auto role = loadCurrent(tx, "PractitionerRole", local.id);
    if (!role) return "";
    if (std::string own = messagingEndpointOf(tx, role->doc, wanted); !own.empty()) return own;
    local = workflow::localReference(fhir::findMember(role->doc, "organization"));
  }
  if (local.type != "Organization" && local.type != "HealthcareService") return "";
  auto party = loadCurrent(tx, local.type, local.id);
  if (!party) return "";
  if (local.type == "Organization") {
    route.recipient = local.text();
    route.recipientOds = firstOds(party->doc);
  } else if (const auto org = workflow::localReference(fhir::findMember(party->doc, "providedBy"));
             org.type == "Organization") {
    route.recipient = org.text();
    if (auto owner = loadCurrent(tx, "Organization", org.id)) {
      route.recipientOds = firstOds(owner->doc);
    }
  }
  return messagingEndpointOf(tx, party->doc, wanted);
}

std::string referenceText(const Value* reference) {
  const auto local = workflow::localReference(reference);
  return local.empty() ? "" : local.text();
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
std::optional<store::AccessFilter> subscriberAccess(store::StoreTransaction& tx,
                                                    const std::string& subscriptionId) {
  const auto creators = tx.grantHolders("Subscription", subscriptionId, security::kCreator);
  if (creators.empty()) return std::nullopt;
  return store::AccessFilter{creators.front(), security::openTypes()};
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
    try {
      if (searchCurrent(api, tx, type, criteria, 1, subscriberAccess(tx, s.id)).empty()) continue;
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
  parts.sender = fhir::findMember(*after, "owner");
  rapidjson::Document receiver(rapidjson::kObjectType);
  if (!route->recipient.empty()) {
    receiver.AddMember("reference", fhir::makeString(route->recipient, receiver.GetAllocator()),
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
  message.origin = referenceText(fhir::findMember(*after, "owner"));
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
  parts.sender = fhir::findMember(referral, "requester");
  parts.receiver = party;
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
  message.origin = referenceText(fhir::findMember(referral, "requester"));
  message.recipient = route.recipient.empty() ? referenceText(party) : route.recipient;
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
    if (!entry.message.recipient.empty()) {
      Value recipients(rapidjson::kArrayType);
      recipients.PushBack(reference(entry.message.recipient), a);
      c.AddMember("recipient", recipients, a);
    }
    if (!entry.message.origin.empty()) c.AddMember("sender", reference(entry.message.origin), a);
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
