// The answers to a processed message (MESSAGING.md "The answer"):
//  - BaRS: the request Bundle echoed with the ids the adapter assigned (entries replaced by what
//    was stored, references and fullUrls rewritten), plus the receiver's `planned` Encounter,
//    whose identifier is a short human-readable reference, and the referral's Task;
//  - FHIR: a response message whose MessageHeader.response names the request (MessageHeader.id,
//    else Bundle.id) with code `ok`, focused on the Task.
// Pure JSON building.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <string>
#include <vector>

#include "messaging/incoming_message.h"

namespace sp::messaging {

// A short reference a person can read out ("SP-7F3A-91C2"), derived from a resource id.
std::string referenceCode(const std::string& id);

// The receiver's Encounter for a referral: status planned, the reference as identifier, the
// patient, the referral, and the journey (episodeOfCare references, kept unchanged).
std::string plannedEncounterJson(const std::string& referenceCode,
                                 const std::string& patientReference,
                                 const std::string& serviceRequestReference,
                                 const std::vector<std::string>& journeyReferences);

// The EpisodeOfCare references (journey ids) of the message's Encounters.
std::vector<std::string> journeyReferences(const rapidjson::Value& bundle);

// `stored` maps an entry index to the JSON of the resource as stored; `assigned` maps each
// fullUrl of the request to "Type/id". `extras` are resources appended (JSON).
std::string barsAcknowledgementJson(const rapidjson::Value& requestBundle,
                                    const std::map<std::size_t, std::string>& stored,
                                    const std::map<std::string, std::string>& assigned,
                                    const std::vector<std::string>& extras,
                                    const std::string& baseUrl);

struct ResponseMessage {
  std::string bundleId;
  std::string headerId;
  std::string timestamp;       // FHIR instant
  std::string baseUrl;         // the adapter's base URL: its source endpoint
  std::string focusReference;  // "Task/123", empty when nothing was made or changed
  std::string focusJson;       // that resource as stored, empty when none
};

std::string fhirResponseMessageJson(const IncomingMessage& request,
                                    const ResponseMessage& response);

}  // namespace sp::messaging
