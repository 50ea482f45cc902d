#include <iostream>

#include "delivery/endpoints.h"
#include "delivery/outgoing_message.h"
#include "fhir/errors.h"
#include "fhir/json.h"
#include "mapping/mapping_set.h"
#include "services/delivery_parties.h"
#include "services/delivery_rules.h"
#include "services/stored_resource.h"
#include "workflow/references.h"

namespace sp::services {

using fhir::ErrorKind;
using fhir::FhirError;
using rapidjson::Value;

void ReferrerResponseRule::afterWrite(const store::ResourceVersion& written,
                                      const rapidjson::Value& resource,
                                      rest::WriteContext& context) const {
  if (written.deleted) return;
  const auto news = delivery::referrerNewsOf(context.previousResource(), resource);
  if (!news) return;
  auto after = copyForReceiver(resource);
  const auto focus = workflow::localReference(fhir::findMember(*after, "focus"));
  if (focus.type != "ServiceRequest") return;
  auto referral = loadResource(context.tx, "ServiceRequest", focus.id);
  if (!referral) return;
  const auto route = replyRouteFor(context.tx, focus.id, referral->doc);
  if (!route) return;

  const rest::ApiContext& api = context.api;
  presentToReceiver(mappings_, referral->doc, *route);
  presentToReceiver(mappings_, *after, *route);
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

}  // namespace sp::services
