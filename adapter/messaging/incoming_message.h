// What a received message says, read from its Bundle (type `message`): the MessageHeader (first
// entry), its event, reason, focus, sender, source and destination, with every reference that
// names an entry resolved to that entry. Pure: no store, no HTTP.
//
// readIncomingMessage checks the envelope only (MESSAGING.md "Bad messages": not a Bundle,
// wrong type, no MessageHeader or not first, focus missing or not inside the Bundle, a
// reference between entries that names nothing). Entries are validated later, when they are
// written.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace sp::messaging {

struct Coding {
  std::string system;
  std::string code;
};

struct IncomingMessage {
  std::string bundleId;                  // Bundle.id (BaRS reuses it for updates of one referral)
  std::string bundleIdentifier;          // Bundle.identifier as system|value, empty when absent
  std::string messageHeaderId;           // MessageHeader.id, often absent in BaRS
  Coding event;                          // MessageHeader.eventCoding
  std::vector<Coding> reasons;           // MessageHeader.reason.coding
  std::string responseTo;                // MessageHeader.response.identifier, empty when absent
  std::string sourceEndpoint;            // MessageHeader.source.endpoint as given
  std::string destinationEndpoint;       // destination[0].endpoint
  std::vector<std::string> receiverOds;  // ODS codes of destination[0].receiver
  std::vector<std::string> senderOds;    // ODS codes of the sender (Organization or its role)
  std::size_t focusEntry = 0;            // index of the focus entry in Bundle.entry
  std::string focusType;                 // its resourceType
  std::string focusStatus;               // its status, empty when none
};

// Reads the message. Throws fhir::FhirError kInvalid (issue codes `structure`, `required`,
// `invalid`, `not-found`) for a malformed envelope. ODS systems are matched without regard to
// case (BaRS senders write ".../id/ods-organization-code").
IncomingMessage readIncomingMessage(const rapidjson::Value& bundle);

// The ODS codes among `identifier` (one Identifier or an array; null: none), systems matched
// without regard to case.
std::vector<std::string> odsCodesIn(const rapidjson::Value* identifier);

// The entry a reference names: by fullUrl, or "Type/id" against entries' resourceType and id.
// -1 when none.
int entryNamed(const rapidjson::Value& entries, const std::string& reference);

// True for a reference the message can resolve inside itself (urn: or Type/id of an entry).
bool isInternalReference(const rapidjson::Value& entries, const std::string& reference);

// The entry of the sender's own Task for the referral a new-referral message carries (BaRS
// REFREQ03: a Task `requested`, its code the sender's, no focus): a Task entry with status draft
// or requested, no `partOf`, and no `focus` or one naming the focus entry. The referral's Task is
// the adapter's (`docs/workflow.md`), so this entry stands for it rather than being stored as a
// second, ownerless Task. nullopt when there is none.
std::optional<std::size_t> sendersReferralTask(const rapidjson::Value& bundle,
                                               std::size_t focusEntry);

}  // namespace sp::messaging
