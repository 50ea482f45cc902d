#include "services/delivery_parties.h"

#include <iostream>

#include "delivery/endpoints.h"
#include "delivery/outgoing_message.h"
#include "fhir/json.h"
#include "mapping/mapping_set.h"
#include "mapping/normaliser.h"
#include "services/stored_resource.h"
#include "workflow/references.h"
#include "workflow/vocabulary.h"

namespace sp::services {

using rapidjson::Value;

// A copy of a written resource that a message may show in the receiver's own words.
std::unique_ptr<rapidjson::Document> copyForReceiver(const rapidjson::Value& resource) {
  auto doc = std::make_unique<rapidjson::Document>();
  doc->CopyFrom(resource, doc->GetAllocator());
  return doc;
}

namespace {

// The first messaging Endpoint among a resource's `endpoint` references: its address.
std::string messagingEndpointOf(store::StoreTransaction& tx, const Value& resource, Wanted wanted) {
  for (const Value* ref : workflow::elements(resource, "endpoint")) {
    const auto local = workflow::localReference(ref);
    if (local.type != "Endpoint") continue;
    if (auto endpoint = loadResource(tx, "Endpoint", local.id)) {
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

}  // namespace

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
                                                int depth) {
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
  auto service = loadResource(tx, "HealthcareService", local.id);
  if (!service) return std::nullopt;
  return messageParty(tx, fhir::findMember(service->doc, "providedBy"), depth + 1);
}

namespace {

// Sets the route's recipient to the organisation an Organization reference names (literal, or by
// ODS code only), with its ODS code for its own vocabulary.
void setRecipientOrganisation(store::StoreTransaction& tx, const Value* reference,
                              ReplyRoute& route) {
  const auto local = workflow::localReference(reference);
  if (local.type == "Organization") {
    route.recipient = local.text();
    if (auto organisation = loadResource(tx, "Organization", local.id)) {
      route.recipientOds = firstOds(organisation->doc);
    }
  } else if (const auto ods = workflow::odsCodeOf(reference); ods && local.empty()) {
    route.recipient = partyText(reference);
    route.recipientOds = *ods;
  }
}

}  // namespace

// The messaging address of whoever a Reference names: an Organization or HealthcareService
// with a messaging Endpoint, a PractitionerRole's own Endpoint or its organisation's, or an
// Organization named only by its ODS code (as GP systems send it): the first Organization with
// that code that has one. Fills the recipient with the organisation behind the party (the role
// itself when it names none), so an undelivered message is granted to it.
std::string addressOfParty(store::StoreTransaction& tx, const Value* reference, ReplyRoute& route,
                           Wanted wanted) {
  auto local = workflow::localReference(reference);
  if (local.empty()) {
    const auto ods = workflow::odsCodeOf(reference);
    if (!ods) return "";
    for (const std::string& id :
         tx.findByIdentifier("Organization", store::IdentifierToken{workflow::kOdsSystem, *ods})) {
      auto organisation = loadResource(tx, "Organization", id);
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
    auto role = loadResource(tx, "PractitionerRole", local.id);
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
  auto party = loadResource(tx, local.type, local.id);
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
void presentToReceiver(const mapping::MappingSet* mappings, rapidjson::Document& resource,
                       const ReplyRoute& route) {
  if (!mappings || (route.recipientOds.empty() && route.destination.empty())) return;
  mapping::presentTo(*mappings, resource, mapping::Sender{route.recipientOds, route.destination});
}

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

}  // namespace sp::services
