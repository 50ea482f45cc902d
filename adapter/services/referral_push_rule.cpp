#include <iostream>

#include "delivery/endpoints.h"
#include "delivery/outgoing_message.h"
#include "fhir/errors.h"
#include "fhir/json.h"
#include "mapping/mapping_set.h"
#include "messaging/vocabulary.h"
#include "rest/resource_write.h"
#include "services/delivery_parties.h"
#include "services/delivery_rules.h"
#include "services/stored_resource.h"
#include "workflow/references.h"
#include "workflow/referral.h"
#include "workflow/task_rules.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;
using rapidjson::Value;

namespace {

// Pushes one servicerequest-request message (referral, cancellation or handover) to `party`,
// when its Endpoint asks for pushed referral requests.
void pushReferral(const rest::ApiContext& api, const mapping::MappingSet* mappings,
                  store::StoreTransaction& tx, const std::string& baseUrl, const Value* party,
                  const std::string& reason, const std::string& kind, const std::string& about,
                  const std::string& serviceRequestId, rapidjson::Document& referral,
                  rapidjson::Document* task, const std::string& taskId) {
  ReplyRoute route;
  route.url = addressOfParty(tx, party, route, Wanted::kPushedReferrals);
  if (route.url.empty()) return;
  route.destination = route.url;
  const auto conversation = tx.conversationFor(serviceRequestId);
  route.correlationId = conversation ? conversation->correlationId : serviceRequestId;
  auto patient = loadResource(tx, "Patient",
                              workflow::localReference(fhir::findMember(referral, "subject")).id);
  presentToReceiver(mappings, referral, route);
  if (task) presentToReceiver(mappings, *task, route);
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
  // MessageHeader.response.identifier, finds the referral (services/process_message.cpp).
  rapidjson::Document pushed;
  fhir::parseJson(message.body, pushed);
  rest::storeMessageBundle(api, tx, parts.bundleId, pushed,
                           {{messaging::kTagDirection, messaging::kDirectionPushed},
                            {messaging::kTagCorrelationId, route.correlationId}});
}

}  // namespace

void ReferralPushRule::afterWrite(const store::ResourceVersion& written,
                                  const rapidjson::Value& resource,
                                  rest::WriteContext& context) const {
  if (written.deleted) return;
  const bool created = !context.previous || context.previous->deleted;
  if (written.type == "Task") {
    // A warm handover asks its new owner to take the person on.
    if (!created || !workflow::isWarmHandover(resource)) return;
    const auto focus = workflow::localReference(fhir::findMember(resource, "focus"));
    if (focus.type != "ServiceRequest") return;
    auto referral = loadResource(context.tx, "ServiceRequest", focus.id);
    if (!referral) return;
    auto after = copyForReceiver(resource);
    pushReferral(context.api, mappings_, context.tx, base_.get(), fhir::findMember(*after, "owner"),
                 "new", "handover-push", "Task/" + written.id, focus.id, referral->doc, after.get(),
                 written.id);
    return;
  }
  const auto push =
      delivery::referralPushOf(created ? nullptr : context.previousResource(), resource);
  if (!push) return;
  auto after = copyForReceiver(resource);
  const std::string taskId = workflow::referralTaskId(written.id);
  auto task = loadResource(context.tx, "Task", taskId);
  pushReferral(context.api, mappings_, context.tx, base_.get(), workflow::firstPerformer(*after),
               delivery::reasonCode(*push),
               *push == delivery::ReferralPush::kNew ? "referral-push" : "cancellation-push",
               "ServiceRequest/" + written.id, written.id, *after, task ? &task->doc : nullptr,
               taskId);
}

}  // namespace sp::services
