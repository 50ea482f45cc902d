// Who the delivery rules send to, and how they name the parties of a message: the reply route
// of a referral (its conversation, or its requester's messaging Endpoint), the messaging address
// behind a reference, the parties as MessageHeader and the outbox name them, and the resources
// shown in the receiver's own words. Reads the store; no state.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string>

#include "mapping/mapping_set.h"
#include "store/resource_store.h"

namespace sp::services {

// Where replies about a referral go and under which conversation.
struct ReplyRoute {
  std::string url;            // the endpoint address (http or https)
  std::string correlationId;  // X-Correlation-Id of the conversation
  std::string respondsTo;     // the request message id, for MessageHeader.response; may be empty
  std::string destination;    // MessageHeader.destination.endpoint as the partner wrote it
  // The receiving organisation: a literal reference ("Organization/x"), or `system|value` of
  // its ODS code when it is known only so; may be empty.
  std::string recipient;
  std::string recipientOds;  // its ODS code, for its own vocabulary; may be empty
};

// Which Endpoints count: any messaging Endpoint (replies), or only one that asks for pushed
// referral requests.
enum class Wanted { kReplies, kPushedReferrals };

// The address behind a sender's reply address (MessageHeader.source.endpoint): a URL as it is,
// or a service id `system|value` resolved to the HealthcareService with that identifier and its
// messaging Endpoint (the recipient is filled from its providing Organization). "" if none.
std::string resolveReplyAddress(store::StoreTransaction& tx, const std::string& replyAddress,
                                ReplyRoute& route);

// The reply route for the referral `serviceRequestId` (its stored body `referral`): for a
// referral that came by message, its conversation (store/message_store.h: reply address,
// correlation id, request id); otherwise, or when the reply address leads nowhere, the messaging
// Endpoint of its requester, with the referral's id as correlation id. nullopt when the referrer
// has no messaging endpoint (it then polls).
std::optional<ReplyRoute> replyRouteFor(store::StoreTransaction& tx,
                                        const std::string& serviceRequestId,
                                        const rapidjson::Value& referral);

// The messaging address of whoever a Reference names: an Organization or HealthcareService
// with a messaging Endpoint, a PractitionerRole's own Endpoint or its organisation's, or an
// Organization named only by its ODS code (as GP systems send it): the first Organization with
// that code that has one. Fills the recipient with the organisation behind the party (the role
// itself when it names none), so an undelivered message is granted to it. "" when none.
std::string addressOfParty(store::StoreTransaction& tx, const rapidjson::Value* reference,
                           ReplyRoute& route, Wanted wanted = Wanted::kReplies);

// A party as the outbox and ReplyRoute keep it (store/outbox.h: origin, recipient): its literal
// reference ("Organization/x"), or, for a reference by ODS code only, the identifier as
// `system|value`. "" when the reference names neither.
std::string partyText(const rapidjson::Value* reference);
// The ODS code of a party kept as partyText `system|value`; "" for a literal reference.
std::string odsOfPartyText(const std::string& text);
// A Reference value for a party kept as partyText.
rapidjson::Value partyReference(const std::string& text, rapidjson::Document::AllocatorType& a);
// A party as MessageHeader.sender or destination.receiver may name it (R4: Practitioner,
// PractitionerRole or Organization; a HealthcareService by its providing Organization; a
// reference by ODS code as it is); nullopt for anything else.
std::optional<rapidjson::Document> messageParty(store::StoreTransaction& tx,
                                                const rapidjson::Value* reference, int depth = 0);
// The first ODS identifier value of an Organization ("" when none).
std::string firstOds(const rapidjson::Value& organisation);

// A copy of a written resource that a message may show in the receiver's own words.
std::unique_ptr<rapidjson::Document> copyForReceiver(const rapidjson::Value& resource);
// Adds the receiver's own codings where its partner entry declares an own vocabulary (null
// `mappings`: nothing).
void presentToReceiver(const mapping::MappingSet* mappings, rapidjson::Document& resource,
                       const ReplyRoute& route);

}  // namespace sp::services
